import Foundation

/// KL(q‖p) by k1 with a fitted control variate: k1 + λ(r − 1), r = p/q, whose
/// mean under q is 0 (when p has no mass outside q's support), with λ chosen
/// to minimise the variance, λ = −Cov(k1, r)/Var(r). k3 is the fixed λ = 1.
///
/// From the moments of three terms on the same draws — k1 = ℓ, k3 = k1 + (r −
/// 1), and r — since Var(k3) = Var(k1) + Var(r) + 2Cov(k1, r). λ is estimated
/// from the draws themselves, which biases the estimate by O(1/n) (negligible
/// beside its stderr for any n worth running).
public struct ControlVariate: Sendable {
    /// The terms the engine averages for it, in this order.
    public static let terms: [MonteCarloTerm] = [.kl(.k1), .kl(.k3), .divergence(.power(-1))]

    public let value: Double
    public let standardError: Double
    /// The fitted coefficient of r − 1.
    public let lambda: Double
    /// Var(k1 + λ(r − 1)) / Var(k1): the variance left.
    public let varianceRatio: Double

    /// From the three terms' moments (`terms` order) on the same n draws.
    public init(_ k1: Moments, _ k3: Moments, _ r: Moments) {
        let n = k1.count
        let (v1, vr) = (k1.variance, r.variance)
        let covariance = (k3.variance - v1 - vr) / 2
        // No spread in r (q = p, or one draw): nothing to fit; k1 stands.
        let lambda = vr > 0 && vr.isFinite ? -covariance / vr : 0
        let residual = Swift.max(0, v1 + lambda * lambda * vr + 2 * lambda * covariance)
        self.lambda = lambda
        value = k1.mean + lambda * (r.mean - 1)
        standardError = (residual / n).squareRoot()
        varianceRatio = v1 > 0 ? residual / v1 : .nan
    }
}
