import Foundation
import KLSDiagnostics
import KLSTensor

/// Multivariate Gaussian pairs: MvNormal with MvNormal, and with the diagonal
/// Gaussians (DiagNormal, StdNormal) in either order.
enum GaussianKL {
    /// MvNormal with MvNormal, and with an Independent that is a diagonal
    /// Gaussian over vectors (DiagNormal, StdNormal); other Independents have no
    /// closed form here, which `multivariate` reports as nil.
    static let rules: [KLRegistry.Entry] = [
        KLRegistry.Entry(q: MvNormal.self, p: MvNormal.self) { q, p throws(KLSError) in try multivariate(q, p) },
        KLRegistry.Entry(q: Independent.self, p: MvNormal.self) { q, p throws(KLSError) in try multivariate(q, p) },
        KLRegistry.Entry(q: MvNormal.self, p: Independent.self) { q, p throws(KLSError) in try multivariate(q, p) },
    ]

    /// An MvNormal, or a diagonal Gaussian over vectors.
    static func isGaussianOverVectors(_ d: any Distribution) -> Bool {
        d is MvNormal || DiagonalGaussian(d)?.eventRank == 1
    }

    /// The distribution as an MvNormal (a diagonal one gets cov = diag(σ²)).
    static func asMvNormal(_ d: any Distribution) throws(KLSError) -> MvNormal {
        if let m = d as? MvNormal { return m }
        guard let diagonal = DiagonalGaussian(d), diagonal.eventRank == 1 else {
            throw KLSError("internal: \(d.family) is not a Gaussian over vectors")
        }
        let mean = diagonal.mean
        let std = diagonal.std
        let n = mean.shape.last ?? 1
        let cov = try Tensor(shape: mean.shape + [n]) { out in
            out.initialize(repeating: 0)
            for v in 0..<(mean.count / Swift.max(n, 1)) {
                for i in 0..<n { out[(v * n + i) * n + i] = std[flat: v * n + i] * std[flat: v * n + i] }
            }
        }
        return try MvNormal(mean: mean, cov: cov)
    }

    /// ½ [tr(Σp⁻¹Σq) + (μp−μq)ᵀΣp⁻¹(μp−μq) − d + log|Σp| − log|Σq|], using the
    /// Cholesky factors (Σp⁻¹Σq traced as |Lp⁻¹Lq|²_F).
    static func multivariate(_ first: any Distribution, _ second: any Distribution) throws(KLSError) -> Tensor? {
        guard isGaussianOverVectors(first), isGaussianOverVectors(second) else { return nil }
        let q = try asMvNormal(first)
        let p = try asMvNormal(second)
        let d = q.dimension
        let shape = try Shape.broadcast(q.batchShape, p.batchShape)
        let qBatch = q.means.count / d
        let pBatch = p.means.count / d
        return try Tensor(shape: shape) { out in
            for r in 0..<out.count {
                let bq = r % qBatch
                let bp = r % pBatch
                let lq = q.factor(bq)
                let lp = p.factor(bp)
                // The trace term is |Lp⁻¹Lq|²_F.
                let trace = lp.solve(lowerTriangular: lq).reduce(0.0) { $0 + $1 * $1 }
                var y = [Double](repeating: 0, count: d)
                let quadratic = lp.solve({ p.means[flat: bp * d + $0] - q.means[flat: bq * d + $0] }, into: &y)
                let logRatio = lp.halfLogDeterminant - lq.halfLogDeterminant
                out[r] = 0.5 * (trace + quadratic - Double(d)) + logRatio
            }
        }
    }
}
