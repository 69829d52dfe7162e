import KLSDiagnostics

/// What happens to a warning (`warnings(mode)`), as Python's `warnings` filters
/// choose: by default each is shown once per call site and statement.
public enum WarningMode: String, CaseIterable, Sendable {
    /// Once per call site and statement; the repeats are counted and summarised
    /// when the statement ends ("… and 1,999 more like it").
    case `default`
    /// Every time.
    case always
    /// A warning stops the statement as an error (an interrupt's note does not).
    case error
    /// Never shown (results still carry their diagnostic fields).
    case ignore
}

/// The warnings one statement has shown, by call site and message (its numbers
/// left out, so the same diagnosis with another k̂ is the same warning), and how
/// many more of each were held back.
struct WarningFilter {
    private struct Entry {
        let message: String
        let site: SourceRange?
        var repeats: Int
    }
    private var order: [String] = []
    private var entries: [String: Entry] = [:]

    /// True the first time `message` comes from `site` in this statement.
    mutating func admit(_ message: String, site: SourceRange?) -> Bool {
        let digitsOut = String(message.filter { !("0"..."9").contains($0) })
        let key = (site.map { "\($0.start.source):\($0.start.line):\($0.start.column)" } ?? "") + "|" + digitsOut
        if entries[key] != nil {
            entries[key]?.repeats += 1
            return false
        }
        order.append(key)
        entries[key] = Entry(message: message, site: site, repeats: 0)
        return true
    }

    /// The lines that end the statement, one per call site that had warnings
    /// held back: "… and 1,999 more like it" (or "them", for several kinds from
    /// one call); when several calls had, each line names its call (line:column).
    var summary: [String] {
        var sites: [String] = []
        var held: [String: (site: SourceRange?, kinds: Int, repeats: Int)] = [:]
        for key in order {
            guard let entry = entries[key], entry.repeats > 0 else { continue }
            let site = String(key.prefix { $0 != "|" })
            if held[site] == nil { sites.append(site) }
            let sum = held[site] ?? (entry.site, 0, 0)
            held[site] = (entry.site, sum.kinds + 1, sum.repeats + entry.repeats)
        }
        return sites.compactMap { held[$0] }.map { group in
            let count = WarningFilter.grouped(group.repeats)
            guard sites.count > 1, let site = group.site else {
                return "… and \(count) more like \(group.kinds == 1 ? "it" : "them")"
            }
            let which = group.kinds == 1 ? "the one" : "those"
            return "… and \(count) more like \(which) from \(site.start.line):\(site.start.column)"
        }
    }

    /// 1999 → "1,999".
    static func grouped(_ count: Int) -> String {
        let digits = Array(String(count))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return out
    }
}
