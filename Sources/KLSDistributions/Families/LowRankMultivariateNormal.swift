import KLSDiagnostics
import KLSGradient
import KLSTensor

/// PyTorch's LowRankMultivariateNormal: a Gaussian over vectors of length d
/// with covariance W Wᵀ + diag(D), W the d × r `cov_factor` and D > 0 the
/// `cov_diag` — the factor-analysis covariance. It is an `MvNormal` (its
/// Cholesky factor taken from the assembled covariance) that shows and offers
/// PyTorch's parameters, so every MvNormal closed form applies: against
/// itself, MvNormal, DiagNormal and StdNormal, both ways, as PyTorch registers.
public enum LowRankMultivariateNormalFamily: DifferentiableVectorFamily {
    public static let name = "LowRankMultivariateNormal"
    public static let parameterNames = ["loc", "cov_factor", "cov_diag"]
    public static let parameterMeanings = [
        "the mean vector [d] (or a batch [..., d])", "W, [d, r]: the low-rank part W Wᵀ of the covariance",
        "D > 0, [d]: the diagonal added to it",
    ]
    public static let summary = "LowRankMultivariateNormal(loc, cov_factor, cov_diag): covariance W Wᵀ + diag(D)."
    public static let example = "LowRankMultivariateNormal([0, 0, 0], [[1], [0.5], [-1]], [0.1, 0.2, 0.3])"

    public static func make(_ parameters: [Tensor]) throws(KLSError) -> any Distribution {
        let (loc, factor, diagonal) = (parameters[0], parameters[1], parameters[2])
        guard loc.rank >= 1 else {
            throw KLSError("\(name): loc must be a vector, got a scalar", hint: "use Normal for one dimension")
        }
        let d = loc.shape[loc.rank - 1]
        guard factor.rank >= 2, factor.shape[factor.rank - 2] == d, diagonal.rank >= 1, diagonal.shape.last == d else {
            throw KLSError(
                "\(name): cov_factor must be [\(d), r] and cov_diag [\(d)] for a loc of length \(d), got "
                    + "\(Shape.describe(factor.shape)) and \(Shape.describe(diagonal.shape))")
        }
        for i in 0..<diagonal.count where !(diagonal[flat: i] > 0 && diagonal[flat: i].isFinite) {
            throw DistributionError.invalid(
                name, "cov_diag", "finite and > 0", diagonal[flat: i], at: i, shape: diagonal.shape)
        }
        let cov = try covariance(factor, diagonal, d)
        return try MvNormal(
            mean: loc, cov: cov, name: name,
            shown: [("loc", loc), ("cov_factor", factor), ("cov_diag", diagonal)])
    }

    /// W Wᵀ + diag(D), batched over the leading axes of both.
    static func covariance(_ factor: Tensor, _ diagonal: Tensor, _ d: Int) throws(KLSError) -> Tensor {
        let rank = factor.shape[factor.rank - 1]
        let batch = try Shape.broadcast(Array(factor.shape.dropLast(2)), Array(diagonal.shape.dropLast()))
        let (w, v) = (try factor.broadcast(to: batch + [d, rank]), try diagonal.broadcast(to: batch + [d]))
        return try Tensor(shape: batch + [d, d]) { out in
            for b in 0..<(out.count / Swift.max(d * d, 1)) {
                for i in 0..<d {
                    for j in 0..<d {
                        var s = i == j ? v[flat: b * d + i] : 0
                        for k in 0..<rank { s += w[flat: (b * d + i) * rank + k] * w[flat: (b * d + j) * rank + k] }
                        out[(b * d + i) * d + j] = s
                    }
                }
            }
        }
    }
}

extension LowRankMultivariateNormalFamily {
    /// With traced parameters: the MvNormal of covariance W Wᵀ + diag(D),
    /// whose factor L is traced through `cholesky`'s rule from that covariance.
    package static func makeTraced(_ parameters: [TracedNumber]) throws(KLSError) -> TracedDistribution {
        let plain = parameters.map(\.value)
        guard let base = try make(plain) as? MvNormal else {
            throw KLSError("internal: LowRankMultivariateNormal is not an MvNormal")
        }
        guard plain[1].rank == 2, plain[2].rank == 1 else {
            throw KLSError(
                "grad through a batched LowRankMultivariateNormal is not supported yet",
                hint: "give one cov_factor [d, r] and one cov_diag [d] (loc may carry a batch)")
        }
        let factor = parameters[1]
        let low = try TracedNumber.matmul(factor, try TracedNumber.matrixTranspose(factor))
        let cov = try low + TracedNumber.diag(parameters[2])
        let parts = MvNormalParts(mean: parameters[0], scale: try TracedNumber.cholesky(cov))
        return TracedDistribution(base: base, parts: .mvNormal(parts))
    }
}
