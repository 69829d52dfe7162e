import CVectorMath
import Foundation
import KLSDiagnostics
import KLSTensor

/// The three Monte Carlo estimators of KL(q‖p) from draws z ~ q, written with
/// the log-ratio ℓ = log q(z) − log p(z) = −log r (Schulman, "Approximating KL
/// divergence", 2020).
public enum Estimator: String, CaseIterable, Sendable {
    /// ℓ: unbiased, but single terms (and small-n means) can be negative.
    case k1
    /// ½ℓ²: biased, low variance when q ≈ p.
    case k2
    /// (r − 1) − log r = e^(−ℓ) − 1 + ℓ: unbiased and never negative.
    case k3

    /// One term from one log-ratio.
    @inlinable public func term(_ logRatio: Double) -> Double {
        switch self {
        case .k1: return logRatio
        case .k2: return 0.5 * logRatio * logRatio
        case .k3:
            let l = logRatio
            // Near 0, e^(−ℓ) − 1 + ℓ cancels: use its series ℓ²/2 − ℓ³/6 + …
            if Swift.abs(l) < 0.1 { return Estimator.series(l) }
            return Swift.max(0, Foundation.exp(-l) - 1 + l)
        }
    }

    /// The k3 series to ℓ⁸, relative error below 1e-15 for |ℓ| < 0.1.
    @inlinable @inline(__always)
    static func series<T: SIMDOrScalar>(_ l: T) -> T {
        var p = T.constant(1.0 / 40320)
        p = T.constant(1.0 / 5040) - l * p
        p = T.constant(1.0 / 720) - l * p
        p = T.constant(1.0 / 120) - l * p
        p = T.constant(1.0 / 24) - l * p
        p = T.constant(1.0 / 6) - l * p
        p = T.constant(0.5) - l * p
        return l * l * p
    }

    /// Terms of `count` log-ratios (contiguous) into `out`, eight at a time.
    public func terms(_ logRatios: UnsafePointer<Double>, _ count: Int, into out: UnsafeMutablePointer<Double>) {
        guard self == .k3 else {
            for i in 0..<count { out[i] = term(logRatios[i]) }
            return
        }
        // Eight at a time in C: Swift's blends on masks went through 128-bit pieces.
        kls_k3_blocks(logRatios, count / 8, out)
        var i = count / 8 * 8
        while i < count {
            out[i] = term(logRatios[i])
            i += 1
        }
    }
}

/// Running mean and sum of squared deviations, combinable across chunks
/// (Chan, Golub & LeVeque 1979): stable where Σx² − (Σx)²/n would cancel.
public struct Moments: Sendable {
    public var count = 0.0
    public var mean = 0.0
    public var m2 = 0.0

    public init() {}

    /// Moments of `n` values at `p`, computed in two passes.
    public init(_ p: UnsafePointer<Double>, _ n: Int, stride: Int = 1) {
        guard n > 0 else { return }
        // A +inf term (q puts mass where p has none) makes the mean +inf and its
        // spread unbounded; inf − inf makes both nan.
        (mean, m2) = Summation.moments(p, n, stride: stride)
        count = Double(n)
    }

    /// Folds in another chunk's moments.
    public mutating func merge(_ other: Moments) {
        guard other.count > 0 else { return }
        guard count > 0 else {
            self = other
            return
        }
        let total = count + other.count
        let delta = other.mean - mean
        if delta.isFinite {
            mean += delta * other.count / total
            m2 += other.m2 + delta * delta * count * other.count / total
        } else {
            mean = (mean * count + other.mean * other.count) / total
            m2 = mean.isNaN ? .nan : .infinity
        }
        count = total
    }

    /// Sample variance (ddof = 1).
    public var variance: Double { count > 1 ? m2 / (count - 1) : .nan }
    /// Standard error of the mean.
    public var standardError: Double { (variance / count).squareRoot() }
}

/// Lets the k3 series run on scalars and on SIMD vectors alike.
public protocol SIMDOrScalar {
    static func constant(_ x: Double) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
}

extension Double: SIMDOrScalar {
    public static func constant(_ x: Double) -> Double { x }
}

extension SIMD8: SIMDOrScalar where Scalar == Double {
    public static func constant(_ x: Double) -> SIMD8<Double> { SIMD8(repeating: x) }
}

@inlinable func abs(_ v: SIMD8<Double>) -> SIMD8<Double> {
    unsafeBitCast(unsafeBitCast(v, to: SIMD8<UInt64>.self) & 0x7FFF_FFFF_FFFF_FFFF, to: SIMD8<Double>.self)
}

/// A running estimate, as `kl_trace` shows it.
public enum RunningEstimate {
    /// The running mean of per-draw terms along axis 0, shaped `shape` (n rows
    /// of the batch), its last row replaced by `means`: the estimate's own
    /// value, summed in its own chunks, so a trace ends exactly where it does.
    public static func trace(_ terms: Tensor, shape: [Int], endingAt means: [Double]) throws(KLSError) -> Tensor {
        let running = try terms.scan(mean: true, axis: 0)
        let batch = means.count
        return try Tensor(shape: shape) { out in
            running.withBuffer { b in
                guard let base = b.baseAddress else { return }
                out.baseAddress?.update(from: base, count: b.count)
            }
            let last = out.count - batch
            for r in 0..<batch { out[last + r] = means[r] }
        }
    }
}
