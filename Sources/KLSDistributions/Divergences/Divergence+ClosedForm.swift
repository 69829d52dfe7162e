import Foundation
import KLSDiagnostics
import KLSTensor

extension Divergence {
    /// The divergence in closed form, per batch element, or nil where kls has
    /// none: KL wherever `kl` has it, Jeffreys from both directions' KL, and
    /// Rényi, χ², Neyman's χ², Hellinger and Bhattacharyya between Gaussians
    /// with diagonal covariance (Normal, DiagNormal, StdNormal) — each Rényi's
    /// sum over coordinates, χ² = e^(D₂) − 1, Neyman's χ²(q‖p) = χ²(p‖q),
    /// Bhattacharyya = ½D_½, squared Hellinger = 1 − e^(−Bhattacharyya).
    public func closedForm(_ q: any Distribution, _ p: any Distribution) throws(KLSError) -> Tensor? {
        switch self {
        case .kl: return try KLRegistry.closedForm(q, p)
        case .jeffreys:
            guard let forward = try KLRegistry.closedForm(q, p), let backward = try KLRegistry.closedForm(p, q) else {
                return nil
            }
            return try Tensor.binary(.add, forward, backward)
        case .renyi(let alpha): return try Divergence.gaussianRenyi(q, p, alpha: alpha)
        case .chi2:
            guard let d = try Divergence.gaussianRenyi(q, p, alpha: 2) else { return nil }
            return try d.map(.expm1)
        case .neyman:
            guard let d = try Divergence.gaussianRenyi(p, q, alpha: 2) else { return nil }
            return try d.map(.expm1)
        case .bhattacharyya:
            guard let d = try Divergence.gaussianRenyi(q, p, alpha: 0.5) else { return nil }
            return try Tensor.binary(.multiply, d, scalar: 0.5, scalarOnLeft: false)
        case .hellinger:
            guard let d = try Divergence.gaussianRenyi(q, p, alpha: 0.5) else { return nil }
            return try Tensor.binary(.multiply, d, scalar: -0.5, scalarOnLeft: false).map(.expm1).map(.negate)
        case .totalVariation, .jensenShannon: return nil
        }
    }

    /// Rényi-α between Gaussians with diagonal covariance (Gil, Alajaji &
    /// Hoang 2013, per coordinate): with s² = α·σp² + (1 − α)·σq²,
    /// α(μq − μp)²/(2s²) − [log s² − (1 − α) log σq² − α log σp²]/(2(α − 1)),
    /// summed over the event's coordinates; +inf where s² ≤ 0 (α > 1 and p
    /// narrower than q enough that ∫ q^α p^(1−α) diverges). Nil for other pairs.
    static func gaussianRenyi(_ q: any Distribution, _ p: any Distribution, alpha: Double) throws(KLSError)
        -> Tensor?
    {
        guard let a = DiagonalGaussian(q), let b = DiagonalGaussian(p), a.eventRank == b.eventRank else {
            return nil
        }
        let means = try Shape.broadcast(a.mean.shape, b.mean.shape)
        let shape = try Shape.broadcast(try Shape.broadcast(means, a.std.shape), b.std.shape)
        let (mq, sq) = (try a.mean.broadcast(to: shape), try a.std.broadcast(to: shape))
        let (mp, sp) = (try b.mean.broadcast(to: shape), try b.std.broadcast(to: shape))
        let values = try Tensor(shape: shape) { out in
            for i in 0..<out.count {
                let (vq, vp) = (sq[flat: i] * sq[flat: i], sp[flat: i] * sp[flat: i])
                let mixed = alpha * vp + (1 - alpha) * vq
                guard mixed > 0 else {
                    out[i] = .infinity
                    continue
                }
                let d = mq[flat: i] - mp[flat: i]
                let logTerm = Foundation.log(mixed) - (1 - alpha) * Foundation.log(vq) - alpha * Foundation.log(vp)
                out[i] = alpha * d * d / (2 * mixed) - logTerm / (2 * (alpha - 1))
            }
        }
        return a.eventRank == 1 ? try values.reduce(.sum, axes: [-1]) : values
    }
}
