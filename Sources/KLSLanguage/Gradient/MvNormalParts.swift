import Foundation
import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// A multivariate normal kls can differentiate through: its mean `[…, d]` and
/// the lower Cholesky factor L `[…, d, d]` of its covariance, either of which
/// may depend on grad's variable (L through `cholesky`'s derivative rule).
/// Every formula is written over L, so a draw is mean + L ε and the densities
/// solve with L⁻¹ rather than inverting the covariance.
struct MvNormalParts {
    let mean: Value
    let scale: Value

    init(mean: Value, scale: Value) {
        self.mean = mean
        self.scale = scale
    }

    init?(_ d: any Distribution) {
        if let t = d as? TracedDistribution {
            guard case .mvNormal(let m) = t.parts else { return nil }
            self = m
            return
        }
        guard let m = d as? MvNormal, let mean = try? m.mean() else { return nil }
        self.mean = .tensor(mean)
        scale = .tensor(m.choleskyFactors)
    }

    /// A diagonal Gaussian (`DiagNormal`, `StdNormal`) as a multivariate normal
    /// with L = diag(std), so that it can meet an MvNormal in a closed-form KL.
    init?(diagonal g: GaussianParts) throws(KLSError) {
        guard g.isDiagonal else { return nil }
        let std = try Differentiation.tensor(g.std, "std")
        let mean = try Differentiation.tensor(g.mean, "mean")
        let d = Swift.max(std.shape.last ?? 1, mean.shape.last ?? 1)
        let column = try TracedMath.reshape(
            try g.std + .tensor(try Tensor(repeating: 0, shape: mean.shape)),
            Array(try Shape.broadcast(std.shape, mean.shape)) + [1])
        self.mean = g.mean
        scale = try column * .tensor(try Tensor.eye(d))
    }

    /// ½ log det Σ = Σᵢ log Lᵢᵢ, per batch element.
    func halfLogDeterminant() throws(KLSError) -> Value {
        try TracedMath.sum(try TracedMath.apply(.log, try LinearAlgebraDerivatives.diagonals(scale)), axes: [-1])
    }

    var dimension: Int {
        guard let l = try? Differentiation.tensor(scale, "scale") else { return 0 }
        return l.shape.last ?? 0
    }

    /// ‖L⁻¹ r‖² over the last axis of r, by rows: r L⁻ᵀ.
    private func mahalanobis(_ r: Value, _ inverseScale: Value) throws(KLSError) -> Value {
        let shape = try Differentiation.tensor(r, "x").shape
        let rows = try TracedMath.reshape(r, Array(shape.dropLast()) + [1, shape.last ?? 0])
        let z = try TracedMath.matmul(rows, try TracedMath.matrixTranspose(inverseScale))
        return try TracedMath.sum(try TracedMath.apply(.square, z), axes: [-2, -1])
    }

    /// −½ (d log 2π + log det Σ + ‖L⁻¹(x − μ)‖²).
    func logpdf(_ x: Value) throws(KLSError) -> Value {
        let inverseScale = try LinearAlgebraDerivatives.inverse(scale)
        let quadratic = try mahalanobis(x - mean, inverseScale)
        let constant = Double(dimension) * 0.5 * Foundation.log(2 * Double.pi)
        return try -0.5 * quadratic - (halfLogDeterminant() + constant)
    }

    /// d (½ + ½ log 2π) + ½ log det Σ.
    func entropy() throws(KLSError) -> Value {
        let constant = Double(dimension) * 0.5 * (1 + Foundation.log(2 * Double.pi))
        return try halfLogDeterminant() + constant
    }

    /// KL(self ‖ p) = ½ (‖Lp⁻¹ Lq‖²_F + ‖Lp⁻¹ (μq − μp)‖² − d)
    ///   + ½ log det Σp − ½ log det Σq.
    func kl(to p: MvNormalParts) throws(KLSError) -> Value {
        let inverseP = try LinearAlgebraDerivatives.inverse(p.scale)
        let product = try TracedMath.matmul(inverseP, scale)
        let trace = try TracedMath.sum(try TracedMath.apply(.square, product), axes: [-2, -1])
        let quadratic = try mahalanobis(mean - p.mean, inverseP)
        let spread = try trace + quadratic - Double(dimension)
        let logDeterminants = try p.halfLogDeterminant() - halfLogDeterminant()
        return try 0.5 * spread + logDeterminants
    }

    /// mean + L ε for standard normal ε of shape `[…, d]`.
    func draw(_ epsilon: Tensor) throws(KLSError) -> Value {
        let rows = try epsilon.reshaped(Array(epsilon.shape.dropLast()) + [1, epsilon.shape.last ?? 0])
        let moved = try TracedMath.matmul(.tensor(rows), try TracedMath.matrixTranspose(scale))
        return try mean + TracedMath.reshape(moved, epsilon.shape)
    }

    /// The standard normal whose draws are the ε of `draw`: the same stream
    /// positions as the MvNormal's own draws.
    func standard(_ d: any Distribution) throws(KLSError) -> any Distribution {
        let shape = d.batchShape + d.eventShape
        let base = try Normal([try Tensor(repeating: 0, shape: shape), try Tensor(repeating: 1, shape: shape)])
        return try Independent(base, k: 1, name: "StdNormal")
    }
}
