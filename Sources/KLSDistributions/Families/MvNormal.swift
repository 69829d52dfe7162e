import Foundation
import KLSDiagnostics
import KLSTensor

/// The multivariate normal N(mean, cov) with a full covariance, held by its
/// Cholesky factor L (cov = L Lᵀ). Event shape `[d]`; the mean may carry batch
/// axes, sharing one covariance or matching a batch of them.
public final class MvNormal: Distribution {
    /// "MvNormal", or the name of a family built on it (the low-rank Gaussian of PyTorch).
    public let family: String
    /// The parameters such a family shows instead of mean and cov.
    let shown: [(name: String, value: Tensor)]?
    public let batchShape: [Int]
    public var eventShape: [Int] { [dimension] }
    /// The dimension d.
    public let dimension: Int
    /// Mean vectors, one per batch element (row-major `batch × d`).
    public let means: Tensor
    /// Covariances, one per batch element (`batch × d × d`).
    public let covariances: Tensor
    /// Lower Cholesky factors, one per batch element.
    public let choleskyFactors: Tensor

    /// Factors the covariance; throws when it is not square, not symmetric or not
    /// positive definite.
    public init(
        mean: Tensor, cov: Tensor, name: String = "MvNormal", shown: [(name: String, value: Tensor)]? = nil
    ) throws(KLSError) {
        (family, self.shown) = (name, shown)
        guard mean.rank >= 1 else {
            throw KLSError("MvNormal: mean must be a vector, got a scalar", hint: "use Normal for one dimension")
        }
        let d = mean.shape[mean.rank - 1]
        guard cov.rank >= 2, cov.shape[cov.rank - 1] == d, cov.shape[cov.rank - 2] == d else {
            throw KLSError(DistributionError.covarianceShape(dimension: d, mean: mean.shape, cov: cov.shape))
        }
        let batch = try Shape.broadcast(Array(mean.shape.dropLast()), Array(cov.shape.dropLast(2)))
        dimension = d
        batchShape = batch
        means = try mean.broadcast(to: batch + [d])
        covariances = try cov.broadcast(to: batch + [d, d])
        choleskyFactors = try MvNormal.factor(covariances, d)
    }

    static func factor(_ cov: Tensor, _ d: Int) throws(KLSError) -> Tensor {
        let count = cov.count / Swift.max(d * d, 1)
        return try Tensor(shape: cov.shape) { (lower: UnsafeMutableBufferPointer<Double>) throws(KLSError) in
            for b in 0..<count {
                let base = b * d * d
                for i in 0..<d {
                    for j in 0..<d {
                        let x = cov[flat: base + i * d + j]
                        let y = cov[flat: base + j * d + i]
                        guard x.isFinite else {
                            throw KLSError("MvNormal: cov holds \(String(format: "%g", x)) at [\(i), \(j)]")
                        }
                        guard Swift.abs(x - y) <= 1e-10 * Swift.max(1, Swift.abs(x), Swift.abs(y)) else {
                            throw KLSError(DistributionError.asymmetricCovariance(i, j, x, y))
                        }
                    }
                }
                for j in 0..<d {
                    var s = cov[flat: base + j * d + j]
                    for k in 0..<j { s -= lower[base + j * d + k] * lower[base + j * d + k] }
                    guard s > 0 else {
                        throw KLSError(
                            "MvNormal: cov is not positive definite (the Cholesky factorisation fails at row \(j))",
                            hint:
                                DistributionError.positiveDefiniteHint
                        )
                    }
                    let pivot = s.squareRoot()
                    lower[base + j * d + j] = pivot
                    for i in (j + 1)..<Swift.max(j + 1, d) {
                        var t = cov[flat: base + i * d + j]
                        for k in 0..<j { t -= lower[base + i * d + k] * lower[base + j * d + k] }
                        lower[base + i * d + j] = t / pivot
                    }
                    for i in 0..<j { lower[base + i * d + j] = 0 }
                }
            }
        }
    }

    public var parameters: [(name: String, value: Tensor)] {
        shown ?? [
            ("mean", dimension == means.count ? (try? means.reshaped([dimension])) ?? means : means),
            ("cov", covariances),
        ]
    }

    var batchCount: Int { means.count / Swift.max(dimension, 1) }
    public var drawsPerSample: Int { means.count }

    /// mean + L z, with z the standard normal draws of the same indices.
    public func sample(_ count: Int?, generator: Philox, start: UInt64) throws(KLSError) -> Tensor {
        let z = try Tensor.normal(shape: outputShape(count), generator: generator, start: start)
        let d = dimension
        let batch = batchCount
        return try Tensor(shape: z.shape) { out in
            let vectors = out.count / Swift.max(d, 1)
            for v in 0..<vectors {
                let b = v % batch
                for i in 0..<d {
                    var s = means[flat: b * d + i]
                    for k in 0...i { s += choleskyFactors[flat: (b * d + i) * d + k] * z[flat: v * d + k] }
                    out[v * d + i] = s
                }
            }
        }
    }

    /// −½ (d log 2π + log|Σ| + |L⁻¹(x − μ)|²), by forward substitution.
    public func logpdf(_ x: Tensor) throws(KLSError) -> Tensor {
        let d = dimension
        guard x.rank >= 1, x.shape[x.rank - 1] == d else {
            throw KLSError(
                "MvNormal: logpdf needs points with a last axis of \(d), got shape \(Shape.describe(x.shape))")
        }
        let shape = try Shape.broadcast(Array(x.shape.dropLast()), batchShape)
        let xs = try x.broadcast(to: shape + [d])
        let mu = try means.broadcast(to: shape + [d])
        let batch = batchCount
        let factors = (0..<batch).map(factor)
        let logDeterminants = factors.map(\.halfLogDeterminant)
        var y = [Double](repeating: 0, count: d)
        return try Tensor(shape: shape) { out in
            for v in 0..<out.count {
                let b = v % batch
                let quadratic = factors[b].solve({ xs[flat: v * d + $0] - mu[flat: v * d + $0] }, into: &y)
                out[v] = -0.5 * quadratic - logDeterminants[b] - Double(d) * Gaussian.logSqrtTwoPi
            }
        }
    }

    public func entropy() throws(KLSError) -> Tensor {
        let d = dimension
        return try Tensor(shape: batchShape) { out in
            for b in 0..<out.count {
                out[b] = Double(d) * (0.5 + Gaussian.logSqrtTwoPi) + factor(b).halfLogDeterminant
            }
        }
    }

    public func mean() throws(KLSError) -> Tensor { try means.reshaped(batchShape + [dimension]) }

    public func variance() throws(KLSError) -> Tensor {
        let d = dimension
        return try Tensor(shape: batchShape + [d]) { out in
            for v in 0..<out.count { out[v] = covariances[flat: v * d + v % d] }
        }
    }
}
