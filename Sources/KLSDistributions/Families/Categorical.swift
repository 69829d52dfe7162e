import Foundation
import KLSDiagnostics
import KLSTensor

/// The categorical distribution on {0, …, k−1}. `probs` has the categories on its
/// last axis (normalised for you); the leading axes are the batch.
public final class Categorical: Distribution {
    public let family = "Categorical"
    /// Normalised probabilities, shape `batch + [k]`.
    public let probs: Tensor
    public let batchShape: [Int]
    public var eventShape: [Int] { [] }
    /// The number of categories k.
    public let categories: Int
    public var isDiscrete: Bool { true }

    /// Normalises `probs` along its last axis; throws on negative or nan entries
    /// or a row that sums to zero.
    public init(probs raw: Tensor) throws(KLSError) {
        guard raw.rank >= 1, let k = raw.shape.last, k > 0 else {
            throw KLSError(
                "Categorical: probs needs a last axis of at least one category, got shape \(Shape.describe(raw.shape))")
        }
        for i in 0..<raw.count where !(raw[flat: i] >= 0) || !raw[flat: i].isFinite {
            throw DistributionError.invalid(
                "Categorical", "probs", "finite and ≥ 0", raw[flat: i], at: i, shape: raw.shape)
        }
        let rows = raw.count / k
        for r in 0..<rows where (0..<k).reduce(0.0, { $0 + raw[flat: r * k + $1] }) == 0 {
            throw KLSError("Categorical: probs row \(r) sums to 0; at least one category needs positive probability")
        }
        probs = try Tensor(shape: raw.shape) { out in
            for r in 0..<rows {
                let total = (0..<k).reduce(0.0) { $0 + raw[flat: r * k + $1] }
                for j in 0..<k { out[r * k + j] = raw[flat: r * k + j] / total }
            }
        }
        categories = k
        batchShape = Array(raw.shape.dropLast())
    }

    public var parameters: [(name: String, value: Tensor)] { [("probs", probs)] }
    var batchCount: Int { probs.count / categories }
    public var drawsPerSample: Int { batchCount }
    public var support: ClosedRange<Double> { 0...Double(categories - 1) }

    /// Inverse CDF: the first category whose cumulative probability exceeds u.
    public func sample(_ count: Int?, generator: Philox, start: UInt64) throws(KLSError) -> Tensor {
        let k = categories
        let batch = batchCount
        return try Tensor(shape: outputShape(count)) { out in
            for e in 0..<out.count {
                var random = DrawRandom(generator, index: start &+ UInt64(e), tag: FamilyStream.categorical.tag)
                let u = random.uniform()
                let row = (e % batch) * k
                var cumulative = 0.0
                var chosen = k - 1
                for j in 0..<k {
                    cumulative += probs[flat: row + j]
                    if u < cumulative {
                        chosen = j
                        break
                    }
                }
                // Never pick a zero-probability category through rounding at the top.
                while probs[flat: row + chosen] == 0 && chosen > 0 { chosen -= 1 }
                out[e] = Double(chosen)
            }
        }
    }

    /// log probs[x] for whole x in range, −inf elsewhere.
    public func logpdf(_ x: Tensor) throws(KLSError) -> Tensor {
        let shape = try Shape.broadcast(x.shape, batchShape)
        let xs = try x.broadcast(to: shape)
        let k = categories
        let batch = batchCount
        guard Array(shape.suffix(batchShape.count)) == batchShape else {
            throw KLSError(DistributionError.categoricalBatch(x.shape, batch: batchShape))
        }
        return try Tensor(shape: shape) { out in
            for e in 0..<out.count {
                let v = xs[flat: e]
                if v.isNaN {
                    out[e] = .nan
                    continue
                }
                guard let category = Checked.wholeNumber(v), category >= 0, category < k else {
                    out[e] = -.infinity
                    continue
                }
                out[e] = Foundation.log(probs[flat: (e % batch) * k + category])
            }
        }
    }

    public func cdf(_ x: Tensor) throws(KLSError) -> Tensor {
        let shape = try Shape.broadcast(x.shape, batchShape)
        let xs = try x.broadcast(to: shape)
        let k = categories
        let batch = batchCount
        return try Tensor(shape: shape) { out in
            for e in 0..<out.count {
                let v = xs[flat: e]
                var total = 0.0
                for j in 0..<k where Double(j) <= v { total += probs[flat: (e % batch) * k + j] }
                out[e] = Swift.min(1, total)
            }
        }
    }

    public func entropy() throws(KLSError) -> Tensor {
        try rowwise { p in -p.reduce(0.0) { $0 + ($1 > 0 ? $1 * Foundation.log($1) : 0) } }
    }

    public func mean() throws(KLSError) -> Tensor {
        try rowwise { p in p.enumerated().reduce(0.0) { $0 + Double($1.offset) * $1.element } }
    }

    public func variance() throws(KLSError) -> Tensor {
        try rowwise { p in
            let m = p.enumerated().reduce(0.0) { $0 + Double($1.offset) * $1.element }
            return p.enumerated().reduce(0.0) { $0 + (Double($1.offset) - m) * (Double($1.offset) - m) * $1.element }
        }
    }

    func rowwise(_ f: ([Double]) -> Double) throws(KLSError) -> Tensor {
        let k = categories
        return try Tensor(shape: batchShape) { out in
            for r in 0..<out.count { out[r] = f((0..<k).map { probs[flat: r * k + $0] }) }
        }
    }
}
