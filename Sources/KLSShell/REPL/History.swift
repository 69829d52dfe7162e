import Foundation

/// The REPL's history file: one entry per line (newlines and backslashes
/// escaped, so a multi-line statement stays one entry), appended after every
/// statement so that a killed session loses nothing, consecutive duplicates
/// dropped, and capped at 10,000 entries.
public final class History {
    /// The most entries kept.
    public static let capacity = 10_000
    /// The file, or nil when history is not saved.
    public let path: String?
    /// Entries, oldest first.
    public private(set) var entries: [String] = []
    /// Called once with a one-line warning if the file cannot be written.
    let warn: (String) -> Void
    private var warned = false

    /// `$KLS_HISTORY`, else `~/.kls_history`.
    public static var defaultPath: String {
        ProcessInfo.processInfo.environment["KLS_HISTORY"] ?? (NSHomeDirectory() + "/.kls_history")
    }

    /// Loads the file at `path` (a missing file is an empty history).
    public init(path: String?, warn: @escaping (String) -> Void) {
        self.path = path
        self.warn = warn
        guard let path, let data = FileManager.default.contents(atPath: path) else { return }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        entries = Array(lines.suffix(History.capacity).map { History.unescape(String($0)) })
        if lines.count > History.capacity { rewrite() }
    }

    /// Adds an entry (unless it repeats the last one) and appends it to the file.
    /// Returns false for a dropped duplicate.
    @discardableResult
    public func add(_ entry: String) -> Bool {
        guard !entry.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, entry != entries.last else {
            return false
        }
        entries.append(entry)
        if entries.count > History.capacity + 1000 {
            entries.removeFirst(entries.count - History.capacity)
            rewrite()
        } else {
            append(History.escape(entry) + "\n")
        }
        return true
    }

    /// The last `count` entries (all when nil).
    public func last(_ count: Int?) -> ArraySlice<String> {
        entries.suffix(count ?? entries.count)
    }

    private func append(_ text: String) {
        guard let path else { return }
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else { return failed() }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { return failed() }
        defer { try? handle.close() }
        do {
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(text.utf8))
        } catch {
            failed()
        }
    }

    private func rewrite() {
        guard let path else { return }
        let text = entries.suffix(History.capacity).map { History.escape($0) + "\n" }.joined()
        if (try? Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)) == nil { failed() }
    }

    private func failed() {
        guard !warned, let path else { return }
        warned = true
        warn(
            "cannot write the history file \(path); this session's history will not be saved "
                + "(set KLS_HISTORY to another file)"
        )
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func unescape(_ s: String) -> String {
        var out = ""
        var escaped = false
        for c in s {
            if escaped {
                out.append(c == "n" ? "\n" : c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.append(c)
            }
        }
        return out
    }
}
