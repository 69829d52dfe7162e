import KLSDistributions
import KLSTensor

/// Layouts for the records the KL builtins return (language.md §7): an estimate reads as
/// `value ± stderr (estimator, n, CI)`, a comparison as a table.
extension Formatter {
    /// The display of a record of a known kind, or nil for a plain record.
    func record(_ r: Record) -> String? {
        switch r.kind {
        case "estimate": return estimate(r)
        case "comparison": return comparison(r)
        case "check": return check(r)
        case "joint_check": return jointCheck(r)
        case "quadrature": return quadrature(r)
        case "mixture_kl": return mixtureKL(r)
        case "fit": return fit(r)
        case "kl_decomposition": return klDecomposition(r)
        default: return nil
        }
    }

    func n(_ v: Value?) -> String {
        guard let v, let x = try? v.asTensor() else { return "?" }
        return x.count == 1 ? Formatter.number(x[flat: 0], precision: precision) : tensor(x)
    }

    /// Element `i` of a field (a number or a tensor).
    func element(_ v: Value?, _ i: Int) -> Double? {
        guard let v, let t = try? v.asTensor(), t.count > 0 else { return nil }
        return t[flat: i % t.count]
    }

    func estimate(_ r: Record) -> String {
        let count = (try? r["value"]?.asTensor().count) ?? 1
        let estimator: String = {
            if case .string(let s)? = r["estimator"] {
                guard case .string(let sampler)? = r["sampler"] else { return s.string }
                return s.string + ", " + sampler.string
            }
            // divergence_mc's records name their kind (and Rényi's order) instead.
            guard case .string(let kind)? = r["kind"] else { return "?" }
            var label = kind.string
            if let alpha = r["alpha"].flatMap({ try? $0.asNumber() }) {
                label += " α=" + Formatter.number(alpha, precision: 6)
            }
            if case .string(let sampler)? = r["sampler"] { label += ", " + sampler.string }
            return label
        }()
        let draws = r["n"].flatMap { try? $0.asNumber() }.map { Formatter.number($0, precision: 12) } ?? "?"
        var lines: [String] = []
        for i in 0..<Swift.min(count, 20) {
            let num = { (x: Double?) in x.map { Formatter.number($0, precision: self.precision) } ?? "?" }
            let v = element(r["value"], i)
            let s = element(r["stderr"], i)
            let lo = element(r["ci"], 2 * i)
            let hi = element(r["ci"], 2 * i + 1)
            let spread = s.map { Formatter.number($0, precision: 2) } ?? "?"
            let interval = "95% CI [\(num(lo)), \(num(hi))]"
            var line = (count > 1 ? "[\(i)] " : "") + "\(num(v)) ± \(spread)  (\(estimator), n=\(draws), \(interval))"
            if let exact = element(r["exact"], i), let z = element(r["z"], i) {
                let verdict =
                    s == 0 && z == 0
                    ? "no spread: every term is the same, and equals the closed form"
                    : "z = \(Formatter.number(z, precision: 2)): \(Formatter.verdict(z))"
                line += (count > 1 ? "  " : "\n") + "exact \(num(exact))  (\(verdict))"
            }
            lines.append(line)
        }
        if count > 20 { lines.append("… \(count - 20) more batch elements") }
        if case .record(let layers)? = r["layers"] { lines += layerLines(layers, count: count) }
        if case .list(let closed)? = r["closed_form"], case .record(let kept)? = r["k1_layers"] {
            let names = closed.items.compactMap { v -> String? in if case .string(let s) = v { s.string } else { nil } }
            var line = "closed form: " + (names.isEmpty ? "no layer" : names.joined(separator: ", "))
            let reasons = zip(kept.names, kept.values).map { name, why -> String in
                if case .string(let s) = why { return "\(name) (\(s.string))" }
                return name
            }
            if !reasons.isEmpty { line += "; k1 terms: " + reasons.joined(separator: ", ") }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// Each layer's share: one line for one estimate, a table (element by layer) for a batch.
    private func layerLines(_ layers: Record, count: Int) -> [String] {
        func cell(_ value: Value, _ i: Int) -> String {
            guard case .record(let layer) = value else { return "?" }
            let v = element(layer["value"], i).map { Formatter.number($0, precision: self.precision) } ?? "?"
            let s = element(layer["stderr"], i).map { Formatter.number($0, precision: 2) } ?? "?"
            return "\(v) ± \(s)"
        }
        guard count > 1 else {
            return [
                "layers: " + zip(layers.names, layers.values).map { "\($0) \(cell($1, 0))" }.joined(separator: ", ")
            ]
        }
        var rows = [["layers"] + layers.names]
        for i in 0..<Swift.min(count, 20) { rows.append(["[\(i)]"] + layers.values.map { cell($0, i) }) }
        return aligned(rows, separator: "   ")
    }

    /// compare's rows, in display order (each present only where it applies).
    static let comparisonRows = ["k1", "k2", "k3", "cv", "sobol", "antithetic", "analytic"]

    /// What a z-score against the exact value means.
    static func verdict(_ z: Double) -> String {
        let a = Swift.abs(z)
        if a.isNaN { return "no spread to compare" }
        if a < 2 { return "within noise" }
        if a < 4.5 { return "borderline" }
        return "the estimate disagrees with the closed form"
    }

    private func comparison(_ r: Record) -> String {
        if case .record(let k1)? = r["k1"], let means = try? k1["mean"]?.asTensor(), means.count > 1 {
            return batchedComparison(r, count: means.count)
        }
        let columns = ["mean", "bias", "stderr", "relstd"]
        var rows: [[String]] = [["estimator"] + columns + ["gain"]]
        for name in Formatter.comparisonRows {
            guard case .record(let s)? = r[name] else { continue }
            // A spread within rounding of the mean (antithetic pairs of a log-ratio
            // odd in the noise are exact) prints as 0, its gain as exact: the
            // digits below that are rounding, and would differ between machines.
            let scale = Swift.abs(element(s["mean"], 0) ?? 0)
            let exact = (element(s["stderr"], 0) ?? 1) <= 1e-12 * scale
            let ratio = element(s["gain"], 0).map { Formatter.number($0, precision: 3) + "×" } ?? "—"
            let gain = exact ? "exact" : ratio
            rows.append(
                [name]
                    + columns.map { c in
                        guard let v = s[c], case .none = v else {
                            let x = element(s[c], 0) ?? 1
                            let rounding = c == "relstd" ? 1e-12 : 1e-12 * scale
                            if c != "mean", Swift.abs(x) <= rounding { return "0" }
                            return s[c].map { inline($0) } ?? ""
                        }
                        return "—"
                    } + [gain])
        }
        var lines = aligned(rows, separator: "   ")
        var footer = "n = \(n(r["n"]))"
        if let exact = r["exact"], exact.typeName != "none" { footer = "exact KL = \(n(exact)), " + footer }
        if r["sobol"] != nil { footer += "; gain: the variance ratio against k1 (draws saved at equal error)" }
        lines.append(footer)
        if case .record(let gradients)? = r["grad"] { lines += gradientTable(gradients) }
        return lines.joined(separator: "\n")
    }

    /// compare over a batch: a row per element (up to 20), each estimator's mean ± stderr.
    private func batchedComparison(_ r: Record, count: Int) -> String {
        let names = Formatter.comparisonRows.filter { r[$0] != nil }
        var rows = [["element"] + names]
        for i in 0..<Swift.min(count, 20) {
            rows.append(
                ["[\(i)]"]
                    + names.map { name in
                        guard case .record(let s)? = r[name] else { return "?" }
                        let m = element(s["mean"], i).map { Formatter.number($0, precision: self.precision) } ?? "?"
                        let e = element(s["stderr"], i).map { Formatter.number($0, precision: 2) } ?? "?"
                        return "\(m) ± \(e)"
                    })
        }
        var lines = aligned(rows, separator: "   ")
        if count > 20 { lines.append("… \(count - 20) more batch elements") }
        var footer = "n = \(n(r["n"]))"
        if let exact = r["exact"], exact.typeName != "none" {
            footer += "; exact KL and each bias in .exact, .k1.bias, …"
        }
        lines.append(footer)
        return lines.joined(separator: "\n")
    }

    /// compare(grad=true)'s gradients, for q's first element: mean, bias and std
    /// of each estimator's per-draw gradient in q's mean and in its std.
    private func gradientTable(_ g: Record) -> [String] {
        var parameters: [String] = []
        if case .record(let first)? = g.values.first, case .record(let means)? = first["mean"] {
            parameters = means.names
        }
        var rows = [["gradient"] + parameters.flatMap { ["d/d\($0)", "bias", "std"] }]
        for (name, value) in zip(g.names, g.values) {
            guard case .record(let s) = value else { continue }
            var row = [name]
            for parameter in parameters {
                for statistic in ["mean", "bias", "std"] {
                    guard case .record(let pair)? = s[statistic], let x = element(pair[parameter], 0) else {
                        row.append("–")
                        continue
                    }
                    row.append(Formatter.number(x, precision: 3))
                }
            }
            rows.append(row)
        }
        return ["", "per-draw gradients in q's parameters (element 0; all of them in .grad):"]
            + aligned(rows, separator: "  ")
    }

    /// Rows as columns: the first left-aligned, the others right-aligned.
    func aligned(_ rows: [[String]], separator: String) -> [String] {
        let widths = (0..<(rows.first?.count ?? 0)).map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { c, cell in
                c == 0
                    ? cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[c] - cell.count) + cell
            }.joined(separator: separator)
        }
    }

    private func check(_ r: Record) -> String {
        let ok: Bool = { if case .bool(let b)? = r["ok"] { return b } else { return false } }()
        let verdict: String = { if case .string(let s)? = r["verdict"] { return s.string } else { return "" } }()
        var detail = "mean z \(n(r["mean_z"])), std ratio \(n(r["std_ratio"]))"
        if let p = r["ks_pvalue"], p.typeName != "none" { detail += ", KS p = \(n(p))" }
        return (ok ? "ok: " : "FAILED: ") + verdict + "\n  " + detail.replacingOccurrences(of: "\n", with: " ")
    }

    /// A joint's check: the verdict, then one line per layer.
    private func jointCheck(_ r: Record) -> String {
        let ok: Bool = { if case .bool(let b)? = r["ok"] { return b } else { return false } }()
        let verdict: String = { if case .string(let s)? = r["verdict"] { return s.string } else { return "" } }()
        var lines = [(ok ? "ok: " : "FAILED: ") + verdict]
        for (name, value) in zip(r.names, r.values) where name != "ok" && name != "verdict" {
            switch value {
            case .record(let layer):
                lines.append("  \(name): " + check(layer).replacingOccurrences(of: "\n  ", with: "; "))
            case .string(let s): lines.append("  \(name): \(s.string)")
            default: break
            }
        }
        return lines.joined(separator: "\n")
    }

    private func quadrature(_ r: Record) -> String {
        let error = element(r["error"], 0).map { Formatter.number($0, precision: 2) } ?? "?"
        var status = ""
        if case .bool(false)? = r["converged"] { status = ", tolerance not met" }
        return "\(n(r["value"])) ± \(error)  (quadrature, \(n(r["evaluations"])) evaluations\(status))"
    }
}

/// How distributions display: family, parameters, and shapes when not empty.
extension Formatter {
    func distribution(_ d: any Distribution) -> String {
        if d.family == "StdNormal" { return "StdNormal(\(d.eventShape.first ?? 1))" }
        if let joint = d as? JointDistribution { return joint.describeLayers(distribution) }
        let parameters = d.parameters.map { "\($0.name)=\(inline(Value.from($0.value)))" }
        var text = "\(d.family)(\(parameters.joined(separator: ", ")))"
        if let mixture = d as? Mixture {
            let weights = inline(.tensor((try? Tensor(mixture.weights)) ?? Tensor(scalar: 1)))
            let components = mixture.components.map(distribution).joined(separator: ", ")
            text = "Mixture(weights=\(weights), components=[\(components)])"
        }
        if !d.batchShape.isEmpty { text += "  batch_shape=\(Shape.describe(d.batchShape))" }
        if !d.eventShape.isEmpty { text += "  event_shape=\(Shape.describe(d.eventShape))" }
        return text
    }
}
