import Foundation
import KLSDiagnostics

/// The reductions of the language. Each reduces along chosen axes (all by
/// default); NaN propagates through `min`, `max` and the sums, as in NumPy.
public enum Reduction: Sendable, Equatable {
    case sum, mean, prod, min, max, all, any, logsumexp, argmin, argmax
    /// Variance with `ddof` delta degrees of freedom (divides by n − ddof).
    case variance(ddof: Double)
    /// Standard deviation with `ddof` delta degrees of freedom.
    case std(ddof: Double)

    /// The user-facing name, for messages.
    public var name: String {
        switch self {
        case .sum: return "sum"
        case .mean: return "mean"
        case .prod: return "prod"
        case .min: return "min"
        case .max: return "max"
        case .all: return "all"
        case .any: return "any"
        case .logsumexp: return "logsumexp"
        case .argmin: return "argmin"
        case .argmax: return "argmax"
        case .variance: return "var"
        case .std: return "std"
        }
    }

    /// Reduces `n` contiguous elements at `p`.
    func reduce(_ p: UnsafePointer<Double>, _ n: Int) -> Double {
        switch self {
        case .sum:
            // Below 32 elements `Summation.sum` adds in order from 0 too; doing it
            // here spares its setup on each of a million short rows (an event's logpdf).
            if n < 32 {
                var total = 0.0
                for i in 0..<n { total += p[i] }
                return total
            }
            return n >= Parallel.threshold ? Summation.parallelSum(p, n) : Summation.sum(p, n)
        case .mean: return n == 0 ? .nan : Reduction.sum.reduce(p, n) / Double(n)
        case .prod:
            var r = 1.0
            for i in 0..<n { r *= p[i] }
            return r
        case .min: return Reduction.extreme(p, n, less: true)
        case .max: return Reduction.extreme(p, n, less: false)
        case .all:
            for i in 0..<n where p[i] == 0 { return 0 }
            return 1
        case .any:
            for i in 0..<n where p[i] != 0 && !p[i].isNaN { return 1 }
            for i in 0..<n where p[i].isNaN { return 1 }
            return 0
        case .logsumexp: return Reduction.logSumExp(p, n)
        case .argmin: return Double(Reduction.argExtreme(p, n, less: true))
        case .argmax: return Double(Reduction.argExtreme(p, n, less: false))
        case .variance(let ddof): return Reduction.variance(p, n, ddof: ddof)
        case .std(let ddof): return Reduction.variance(p, n, ddof: ddof).squareRoot()
        }
    }

    /// Whether reducing zero elements has a defined value (NumPy: sum, prod, all,
    /// any and logsumexp do; min, max, argmin, argmax raise).
    var definedOnEmpty: Bool {
        switch self {
        case .min, .max, .argmin, .argmax: return false
        default: return true
        }
    }

    static func extreme(_ p: UnsafePointer<Double>, _ n: Int, less: Bool) -> Double {
        var best = p[0]
        for i in 1..<Swift.max(n, 1) {
            let v = p[i]
            if v.isNaN { return v }
            if less ? v < best : v > best { best = v }
        }
        return best
    }

    static func argExtreme(_ p: UnsafePointer<Double>, _ n: Int, less: Bool) -> Int {
        var best = 0
        if p[0].isNaN { return 0 }
        for i in 1..<Swift.max(n, 1) {
            let v = p[i]
            if v.isNaN { return i }
            if less ? v < p[best] : v > p[best] { best = i }
        }
        return best
    }

    /// log Σ e^x with the maximum shifted out, so no term overflows.
    static func logSumExp(_ p: UnsafePointer<Double>, _ n: Int) -> Double {
        if n == 0 { return -.infinity }
        let m = extreme(p, n, less: false)
        if m.isNaN || m.isInfinite { return m }
        var s = 0.0
        for i in 0..<n { s += Foundation.exp(p[i] - m) }
        return m + Foundation.log(s)
    }

    /// Two-pass variance: the mean first, then squared deviations, which avoids the
    /// cancellation of E[x²] − E[x]².
    static func variance(_ p: UnsafePointer<Double>, _ n: Int, ddof: Double) -> Double {
        let denominator = Double(n) - ddof
        if n == 0 || denominator <= 0 { return .nan }
        return Summation.moments(p, n).squaredDeviations / denominator
    }
}

extension Tensor {
    /// Reduces along `axes` (all axes when nil), keeping reduced axes as extent 1
    /// when `keepdims` is true.
    public func reduce(_ reduction: Reduction, axes: [Int]? = nil, keepdims: Bool = false) throws(KLSError) -> Tensor {
        let reduced = try axes.map { a throws(KLSError) in try Shape.normalize(axes: a, rank: rank) } ?? Array(0..<rank)
        let kept = (0..<rank).filter { !reduced.contains($0) }
        let n = reduced.reduce(1) { $0 * shape[$1] }
        if n == 0 && !reduction.definedOnEmpty {
            throw KLSError("\(reduction.name) of an empty tensor (shape \(Shape.describe(shape))) has no value")
        }
        let resultShape =
            keepdims ? shape.enumerated().map { reduced.contains($0.offset) ? 1 : $0.element } : kept.map { shape[$0] }
        // Move the reduced axes to the end so that each output element reduces one
        // contiguous run of n inputs.
        let source = reduced == Array((rank - reduced.count)..<rank) ? self : try permuted(kept + reduced)
        let lanes = n == 0 ? try Shape.elementCount(resultShape) : source.count / n
        return try Tensor(shape: resultShape) { out in
            // Storage always holds at least one slot, so the pointer is valid even
            // for empty tensors; reductions over n == 0 never read it.
            let base = UnsafePointer(source.storage.pointer)
            withExtendedLifetime(source) {
                Parallel.forEachChunk(lanes, cost: Swift.max(1, n / 64)) { range in
                    for lane in range { out[lane] = reduction.reduce(base + lane * n, n) }
                }
            }
        }
    }
}
