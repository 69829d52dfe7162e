import Foundation
import KLSDiagnostics
import KLSTensor

/// A mixture whose components are all Gaussian — Normal, DiagNormal, StdNormal
/// or MvNormal — seen as what the Hershey–Olsen estimates need: log-weights and
/// components. A single Gaussian is a mixture of one component.
///
/// Components of weight 0 are left out: they change neither the density nor
/// any estimate, and their log-weight (−∞) would turn 0 · ∞ into nan.
public struct GaussianMixture {
    /// The distribution as given.
    public let distribution: any Distribution
    /// log w_k of the components kept.
    public let logWeights: [Double]
    /// The components of positive weight.
    public let components: [any Distribution]

    /// The Gaussian families a component may be, for messages.
    public static let families = "Normal, DiagNormal, StdNormal or MvNormal"

    /// Reads `d` (named `role`, "q" or "p", in errors) as a Gaussian mixture.
    public init(_ d: any Distribution, role: String) throws(KLSError) {
        distribution = d
        let (weights, parts): ([Double], [any Distribution]) =
            if let m = d as? Mixture { (m.weights, m.components) } else { ([1], [d]) }
        var (kept, logs): ([any Distribution], [Double]) = ([], [])
        for (k, component) in parts.enumerated() {
            guard Self.isGaussian(component) else {
                let which = d is Mixture ? "component \(k) of \(role)" : role
                throw KLSError(
                    "\(which) is a \(component.family); the mixture estimates need Gaussian components "
                        + "(\(Self.families))",
                    hint: "kl_mc(q, p, n=100000) estimates KL between any mixtures")
            }
            guard weights[k] > 0 else { continue }
            kept.append(component)
            logs.append(Foundation.log(weights[k]))
        }
        components = kept
        logWeights = logs
    }

    /// A Normal, a diagonal Gaussian over vectors, or an MvNormal.
    public static func isGaussian(_ d: any Distribution) -> Bool {
        d is MvNormal || DiagonalGaussian(d) != nil
    }

    /// True when `d` is a mixture (or a single Gaussian) of Gaussian components.
    public static func isGaussianMixture(_ d: any Distribution) -> Bool {
        guard let m = d as? Mixture else { return isGaussian(d) }
        return m.components.allSatisfy(isGaussian)
    }

    /// The dimension d of one draw (1 for scalar components).
    public var dimension: Int { Swift.max(1, distribution.eventShape.reduce(1, *)) }
}

/// Closed forms between two Gaussian components that the mixture estimates
/// combine: each per batch element, broadcast over both batch shapes.
enum GaussianPair {
    /// KL(a‖b), from the KL registry (the one place Gaussian KL is written).
    static func kl(_ a: any Distribution, _ b: any Distribution) throws(KLSError) -> Tensor {
        try KLRegistry.kl(a, b)
    }

    /// log ∫ a(x) b(x) dx = log N(μ_a; μ_b, Σ_a + Σ_b): the density at a's mean
    /// of b widened by a's covariance.
    static func logOverlap(_ a: any Distribution, _ b: any Distribution) throws(KLSError) -> Tensor {
        if let x = DiagonalGaussian(a), let y = DiagonalGaussian(b), x.eventRank == y.eventRank {
            let variance = try Tensor.binary(
                .add, try Tensor.binary(.multiply, x.std, x.std), try Tensor.binary(.multiply, y.std, y.std))
            let widened = try Normal([y.mean, try variance.map(.sqrt)])
            let density = try widened.logpdf(x.mean)
            return x.eventRank == 0 ? density : try density.reduce(.sum, axes: [density.rank - 1])
        }
        let (x, y) = (try GaussianKL.asMvNormal(a), try GaussianKL.asMvNormal(b))
        let widened = try MvNormal(mean: y.means, cov: try Tensor.binary(.add, x.covariances, y.covariances))
        return try widened.logpdf(x.means)
    }

    /// The 2d sigma points μ ± √d · (column k of L), L the Cholesky factor of Σ:
    /// shape `[2d] + batch + event`, the points of column k at 2k and 2k + 1.
    static func sigmaPoints(_ a: any Distribution, batch: [Int]) throws(KLSError) -> Tensor {
        if let x = DiagonalGaussian(a), x.eventRank == 0 {
            let (mean, std) = (try x.mean.broadcast(to: batch), try x.std.broadcast(to: batch))
            return try Tensor.stack(
                [try Tensor.binary(.add, mean, std), try Tensor.binary(.subtract, mean, std)], axis: 0)
        }
        let m = try GaussianKL.asMvNormal(a)
        let d = m.dimension
        let means = try m.means.broadcast(to: batch + [d])
        let factors = try m.choleskyFactors.broadcast(to: batch + [d, d])
        let vectors = means.count / Swift.max(d, 1)
        let spread = Double(d).squareRoot()
        return try Tensor(shape: [2 * d] + batch + [d]) { out in
            for k in 0..<(2 * d) {
                let (column, sign) = (k / 2, k % 2 == 0 ? spread : -spread)
                for v in 0..<vectors {
                    for i in 0..<d {
                        out[(k * vectors + v) * d + i] =
                            means[flat: v * d + i] + sign * factors[flat: (v * d + i) * d + column]
                    }
                }
            }
        }
    }
}
