import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// `compare(q, p, grad=true)`'s table, from the numbers `GradientComparison`
/// computes: a record per estimator.
enum GradientTable {
    /// {k1, k2, k3, score_function[, analytic]}: each {mean, bias, std}, each a record by parameter.
    static func record(_ summary: GradientComparison.Summary) throws(KLSError) -> Value {
        let (totals, exact, names, shapes) = (summary.totals, summary.exact, summary.names, summary.shapes)
        func byParameter(_ flat: [Double]) throws(KLSError) -> Value {
            var fields: [(String, Value)] = []
            var offset = 0
            for (name, shape) in zip(names, shapes) {
                let size = shape.reduce(1, *)
                fields.append((name, Value.from(try Tensor(shape: shape, values: Array(flat[offset..<offset + size])))))
                offset += size
            }
            return .record(Record(fields))
        }
        var fields: [(String, Value)] = []
        for (name, total) in zip(GradientComparison.estimators, totals) {
            let spread = zip(total.m2, total.mean).map { m2, _ in (m2 / Swift.max(1, total.count - 1)).squareRoot() }
            let bias = try exact.map { e throws(KLSError) in try byParameter(zip(total.mean, e).map { $0 - $1 }) }
            let summary = [
                ("mean", try byParameter(total.mean)), ("bias", bias ?? .none), ("std", try byParameter(spread)),
            ]
            fields.append((name, .record(Record(kind: "summary", summary))))
        }
        if let exact {
            let zero = [Double](repeating: 0, count: exact.count)
            let summary = [
                ("mean", try byParameter(exact)), ("bias", try byParameter(zero)), ("std", try byParameter(zero)),
            ]
            fields.append(("analytic", .record(Record(kind: "summary", summary))))
        }
        return .record(Record(fields))
    }
}
