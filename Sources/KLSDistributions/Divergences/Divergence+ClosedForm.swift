import Foundation
import KLSDiagnostics
import KLSTensor

extension Divergence {
    /// The divergence in closed form, per batch element, or nil where kls has
    /// none: KL wherever `kl` has it, Jeffreys from both directions' KL, and
    /// every kind between Categoricals (Bernoullis too) as sums over the
    /// categories, and Rényi, χ², Neyman's χ², Hellinger and Bhattacharyya
    /// between Gaussians (Normal, DiagNormal, StdNormal, MvNormal) and between
    /// members of one exponential family (`ExponentialFamilyForm`) — each from
    /// Rényi's (a sum over coordinates for diagonal Gaussians): χ² = e^(D₂) − 1,
    /// Neyman's χ²(q‖p) = χ²(p‖q), Bhattacharyya = ½D_½, squared Hellinger =
    /// 1 − e^(−Bhattacharyya).
    public func closedForm(_ q: any Distribution, _ p: any Distribution) throws(KLSError) -> Tensor? {
        if let discrete = try discreteValue(q, p) { return discrete }
        switch self {
        case .kl: return try KLRegistry.closedForm(q, p)
        case .jeffreys:
            guard let forward = try KLRegistry.closedForm(q, p), let backward = try KLRegistry.closedForm(p, q) else {
                return nil
            }
            return try Tensor.binary(.add, forward, backward)
        case .renyi(let alpha): return try Divergence.renyi(q, p, alpha: alpha)
        case .chi2:
            guard let d = try Divergence.renyi(q, p, alpha: 2) else { return nil }
            return try d.map(.expm1)
        case .neyman:
            guard let d = try Divergence.renyi(p, q, alpha: 2) else { return nil }
            return try d.map(.expm1)
        case .bhattacharyya:
            guard let d = try Divergence.renyi(q, p, alpha: 0.5) else { return nil }
            return try Tensor.binary(.multiply, d, scalar: 0.5, scalarOnLeft: false)
        case .hellinger:
            guard let d = try Divergence.renyi(q, p, alpha: 0.5) else { return nil }
            return try Tensor.binary(.multiply, d, scalar: -0.5, scalarOnLeft: false).map(.expm1).map(.negate)
        case .totalVariation, .jensenShannon: return nil
        }
    }

    /// Rényi-α between Gaussians, or between two members of one exponential
    /// family with one base; nil for other pairs.
    static func renyi(_ q: any Distribution, _ p: any Distribution, alpha: Double) throws(KLSError) -> Tensor? {
        if let gaussian = try gaussianRenyi(q, p, alpha: alpha) { return gaussian }
        return try (q as? any ExponentialFamilyRenyi)?.renyi(to: p, alpha: alpha)
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
            return try multivariateRenyi(q, p, alpha: alpha)
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

    /// Rényi-α between multivariate Gaussians (an MvNormal, or a diagonal one
    /// against an MvNormal): with Σα = α·Σp + (1 − α)·Σq and Δ = μq − μp,
    /// α/2·ΔᵀΣα⁻¹Δ − [log|Σα| − (1 − α) log|Σq| − α log|Σp|]/(2(α − 1)); +inf
    /// where Σα is not positive definite.
    static func multivariateRenyi(_ first: any Distribution, _ second: any Distribution, alpha: Double)
        throws(KLSError) -> Tensor?
    {
        guard GaussianKL.isGaussianOverVectors(first), GaussianKL.isGaussianOverVectors(second),
            first is MvNormal || second is MvNormal
        else { return nil }
        let (q, p) = (try GaussianKL.asMvNormal(first), try GaussianKL.asMvNormal(second))
        let d = q.dimension
        guard p.dimension == d else { return nil }
        let shape = try Shape.broadcast(q.batchShape, p.batchShape)
        let (qBatch, pBatch) = (q.means.count / d, p.means.count / d)
        return try Tensor(shape: shape) { out in
            for r in 0..<out.count {
                let (bq, bp) = (r % qBatch, r % pBatch)
                let mixed = (0..<(d * d)).map { i in
                    alpha * p.covariances[flat: bp * d * d + i] + (1 - alpha) * q.covariances[flat: bq * d * d + i]
                }
                let difference = (0..<d).map { q.means[flat: bq * d + $0] - p.means[flat: bp * d + $0] }
                guard let (quadratic, logDeterminant) = Divergence.choleskySolve(mixed, difference, d) else {
                    out[r] = .infinity
                    continue
                }
                let logQ = 2 * q.factor(bq).halfLogDeterminant
                let logP = 2 * p.factor(bp).halfLogDeterminant
                let logTerm = logDeterminant - (1 - alpha) * logQ - alpha * logP
                out[r] = alpha / 2 * quadratic - logTerm / (2 * (alpha - 1))
            }
        }
    }

    /// For a symmetric d × d matrix m (row-major) and a vector v: vᵀm⁻¹v and
    /// log|m| from m's Cholesky factor; nil when m is not positive definite.
    static func choleskySolve(_ m: [Double], _ v: [Double], _ d: Int) -> (Double, Double)? {
        var l = [Double](repeating: 0, count: d * d)
        var logDeterminant = 0.0
        for j in 0..<d {
            var diagonal = m[j * d + j]
            for k in 0..<j { diagonal -= l[j * d + k] * l[j * d + k] }
            guard diagonal > 0, diagonal.isFinite else { return nil }
            let root = diagonal.squareRoot()
            l[j * d + j] = root
            logDeterminant += 2 * Foundation.log(root)
            for i in (j + 1)..<Swift.max(j + 1, d) {
                var sum = m[i * d + j]
                for k in 0..<j { sum -= l[i * d + k] * l[j * d + k] }
                l[i * d + j] = sum / root
            }
        }
        // Forward substitution: |L⁻¹v|² = vᵀm⁻¹v.
        var y = [Double](repeating: 0, count: d)
        var quadratic = 0.0
        for i in 0..<d {
            var sum = v[i]
            for k in 0..<i { sum -= l[i * d + k] * y[k] }
            y[i] = sum / l[i * d + i]
            quadratic += y[i] * y[i]
        }
        return (quadratic, logDeterminant)
    }

    /// The probabilities of a Categorical (`[batch…, k]`) or a Bernoulli (as
    /// two categories, 1 − p and p); nil for other families.
    static func categories(_ d: any Distribution) throws(KLSError) -> Tensor? {
        if let c = d as? Categorical { return c.probs }
        guard let b = d as? Bernoulli else { return nil }
        let p = b.values[0]
        return try Tensor(shape: p.shape + [2]) { out in
            for i in 0..<p.count {
                out[2 * i] = 1 - p[flat: i]
                out[2 * i + 1] = p[flat: i]
            }
        }
    }

    /// The divergence between two Categoricals or two Bernoullis, per batch
    /// element: each kind's sum over the categories (0·log 0 = 0; a category q
    /// has and p has not makes KL, χ², Jeffreys and Rényi with α ≥ 1 +inf).
    func discreteValue(_ q: any Distribution, _ p: any Distribution) throws(KLSError) -> Tensor? {
        guard let a = try Divergence.categories(q), let b = try Divergence.categories(p) else { return nil }
        guard let k = a.shape.last, b.shape.last == k else {
            throw KLSError("\(name): q has \(a.shape.last ?? 0) categories and p has \(b.shape.last ?? 0)")
        }
        let shape = try Shape.broadcast(Array(a.shape.dropLast()), Array(b.shape.dropLast()))
        let (qs, ps) = (try a.broadcast(to: shape + [k]), try b.broadcast(to: shape + [k]))
        return try Tensor(shape: shape) { out in
            for r in 0..<out.count {
                let pairs = (0..<k).map { (qs[flat: r * k + $0], ps[flat: r * k + $0]) }
                out[r] = categoricalValue(pairs)
            }
        }
    }

    /// This divergence of one pair of probability vectors, given as (q_j, p_j).
    func categoricalValue(_ pairs: [(Double, Double)]) -> Double {
        func sum(_ f: (Double, Double) -> Double) -> Double { pairs.reduce(0) { $0 + f($1.0, $1.1) } }
        func kl(_ x: Double, _ y: Double) -> Double { x > 0 ? x * Foundation.log(x / y) : 0 }
        switch self {
        case .kl: return sum(kl)
        case .jeffreys: return sum(kl) + sum { kl($1, $0) }
        case .renyi(let alpha):
            return Foundation.log(sum { x, y in x > 0 ? Foundation.pow(x, alpha) * Foundation.pow(y, 1 - alpha) : 0 })
                / (alpha - 1)
        case .chi2: return sum { x, y in x > 0 ? x * x / y : 0 } - 1
        case .neyman: return sum { x, y in y > 0 ? y * y / x : 0 } - 1
        case .hellinger: return 1 - sum { ($0 * $1).squareRoot() }
        case .bhattacharyya: return -Foundation.log(sum { ($0 * $1).squareRoot() })
        case .totalVariation: return 0.5 * sum { Swift.abs($0 - $1) }
        case .jensenShannon:
            return 0.5 * sum { x, y in kl(x, (x + y) / 2) } + 0.5 * sum { x, y in kl(y, (x + y) / 2) }
        }
    }
}
