import KLSDistributions

/// The display of `kl_mixture`'s record: each estimate labelled as an
/// approximation or a bound, beside the Monte Carlo estimate it is judged by.
extension Formatter {
    func mixtureKL(_ r: Record) -> String {
        guard case .record(let mc)? = r["mc"] else { return "?" }
        let count = (try? mc["value"]?.asTensor().count) ?? 1
        let number = { (x: Double?) in x.map { Formatter.number($0, precision: self.precision) } ?? "?" }
        guard count == 1 else { return batchedMixtureKL(r, mc, count: count) }
        let (truth, spread) = (element(mc["value"], 0), element(mc["stderr"], 0))
        var rows = [["estimate", "value", "", "− mc"]]
        for estimate in MixtureEstimate.allCases {
            guard let value = element(r[estimate.rawValue], 0) else { continue }
            guard !value.isNaN else {
                let why = estimate == .matchedBound ? "needs as many components in q as in p" : ""
                rows.append([estimate.rawValue, "—", estimate.guarantee.rawValue, why])
                continue
            }
            rows.append([
                estimate.rawValue, number(value), estimate.guarantee.rawValue, difference(value, truth, spread),
            ])
        }
        var lines = aligned(rows, separator: "   ")
        lines.append("mc: " + estimate(mc))
        return lines.joined(separator: "\n")
    }

    /// value − mc, and how many of mc's standard errors that is.
    private func difference(_ value: Double, _ truth: Double?, _ spread: Double?) -> String {
        guard let truth, let spread else { return "" }
        let delta = value - truth
        let sign = delta >= 0 ? "+" : "−"
        let shown = sign + Formatter.number(Swift.abs(delta), precision: 3)
        guard spread > 0, delta != 0 else { return shown }
        let z = Swift.abs(delta) / spread
        guard z >= 2 else { return shown + " (within noise)" }
        let count = z < 10 || z >= 1e7 ? Formatter.number(z, precision: 2) : String(Int(z.rounded()))
        return shown + " (\(count) stderr)"
    }

    /// A batch: a row per element (up to 20), a column per estimate and mc.
    private func batchedMixtureKL(_ r: Record, _ mc: Record, count: Int) -> String {
        let names = MixtureEstimate.allCases.map(\.rawValue)
        var rows = [["element"] + names + ["mc"]]
        for i in 0..<Swift.min(count, 20) {
            let cells = names.map { name in
                element(r[name], i).map { $0.isNaN ? "—" : Formatter.number($0, precision: self.precision) } ?? "?"
            }
            let value = element(mc["value"], i).map { Formatter.number($0, precision: self.precision) } ?? "?"
            let spread = element(mc["stderr"], i).map { Formatter.number($0, precision: 2) } ?? "?"
            rows.append(["[\(i)]"] + cells + ["\(value) ± \(spread)"])
        }
        var lines = aligned(rows, separator: "   ")
        if count > 20 { lines.append("… \(count - 20) more batch elements") }
        let bounds = MixtureEstimate.allCases.filter { $0.guarantee != .approximation }
        let draws = element(mc["n"], 0).map { Formatter.number($0, precision: 12) } ?? "?"
        lines.append(
            bounds.map { "\($0.rawValue): \($0.guarantee.rawValue)" }.joined(separator: "; ")
                + "; the rest approximations; mc: kl_mc's estimate, n=\(draws) (its record in .mc)")
        return lines.joined(separator: "\n")
    }
}

/// The display of `fit`'s record: every optimum found, best first.
extension Formatter {
    func fit(_ r: Record) -> String {
        guard case .list(let optima)? = r["optima"] else { return "?" }
        var name =
            (r["divergence"].flatMap { v -> String? in if case .string(let s) = v { s.string } else { nil } }) ?? "?"
        if let alpha = element(r["alpha"], 0) { name += " α=" + Formatter.number(alpha, precision: 6) }
        let (q, p) = (r["q"].map(familyName) ?? "?", r["p"].map(familyName) ?? "?")
        let draws = element(r["n"], 0).map { Formatter.number($0, precision: 12) } ?? "?"
        let starts = element(r["starts"], 0).map { Formatter.number($0, precision: 12) } ?? "?"
        let count = optima.items.count
        var lines = [
            "\(q) fitted to \(p) by \(name) (n=\(draws), \(starts) starts): "
                + (count == 1 ? "one optimum" : "\(count) optima, best first")
        ]
        // q last and unpadded: a distribution's text is long, and reads best left-aligned.
        var rows = [[name, "found", "q"]]
        for item in optima.items {
            guard case .record(let o) = item else { continue }
            let value = element(o["value"], 0).map { Formatter.number($0, precision: self.precision) } ?? "?"
            let spread = element(o["stderr"], 0).map { Formatter.number($0, precision: 2) } ?? "?"
            rows.append(["\(value) ± \(spread)", n(o["found"]), o["q"].map { inline($0) } ?? "?"])
        }
        let first = rows.map(\.[0].count).max() ?? 0
        let second = rows.map(\.[1].count).max() ?? 0
        lines += rows.map { row in
            row[0].padding(toLength: first, withPad: " ", startingAt: 0) + "   "
                + String(repeating: " ", count: second - row[1].count) + row[1] + "   " + row[2]
        }
        return lines.joined(separator: "\n")
    }

    private func familyName(_ v: Value) -> String {
        if case .distribution(let d) = v { return d.family }
        return "?"
    }
}
