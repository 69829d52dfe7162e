import Foundation
import KLSDistributions
import KLSTensor

/// The layout of `kl_decomposition`'s record: the terms as a table, then one
/// row per latent dimension with its share and whether it has collapsed.
extension Formatter {
    func klDecomposition(_ r: Record) -> String {
        let number = { (x: Double?) in x.map { Formatter.number($0, precision: self.precision) } ?? "?" }
        let spread = { (x: Double?) in x.map { "± " + Formatter.number($0, precision: 2) } ?? "" }
        let points = element(r["points"], 0) ?? 0
        var lines = [
            "KL term over \(n(r["points"])) data points, \(n(r["dims"])) latent dimensions (n = \(n(r["n"])) draws)"
        ]
        var rows: [[String]] = []
        var notes: [String] = []
        for term in KLDecomposition.Term.allCases {
            guard case .record(let e)? = r[term.rawValue] else { continue }
            var note = ""
            if let exact = element(e["exact"], 0), let z = element(e["z"], 0) {
                note = "exact \(number(exact)), z = \(Formatter.number(z, precision: 2))"
            } else if term == .mutualInfo, points > 0 {
                note = "≤ log N = " + Formatter.number(Foundation.log(points), precision: 4)
            }
            rows.append([term.rawValue, number(element(e["value"], 0)), spread(element(e["stderr"], 0))])
            notes.append(note.isEmpty ? "" : "  (" + note + ")")
        }
        lines += zip(aligned(rows, separator: "  "), notes).map { $0 + $1 }
        lines.append(
            "per dimension (activity: the variance of its posterior means over the data; below 0.01, collapsed)")
        var dims = [["  dim", "mean KL", "aggregate KL", "activity"]]
        var marks = [""]
        let count = (try? r["activity"]?.asTensor().count) ?? 0
        for j in 0..<Swift.min(count, 64) {
            let activity = element(r["activity"], j) ?? .nan
            dims.append([
                "  \(j)", number(element(r["dimension_mean_kl"], j)), number(element(r["dimension_kl"], j)),
                number(activity),
            ])
            marks.append(activity < 0.01 ? "  collapsed" : "")
        }
        lines += zip(aligned(dims, separator: "  "), marks).map { $0 + $1 }
        if count > 64 { lines.append("  … \(count - 64) more dimensions") }
        return lines.joined(separator: "\n")
    }
}
