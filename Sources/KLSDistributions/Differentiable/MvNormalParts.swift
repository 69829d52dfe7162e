import Foundation
import KLSDiagnostics
import KLSGradient
import KLSTensor

/// A multivariate normal kls can differentiate through: its mean `[…, d]` and
/// the lower Cholesky factor L `[…, d, d]` of its covariance, either of which
/// may depend on grad's variable (L through `cholesky`'s derivative rule).
/// Every formula is written over L, so a draw is mean + L ε and the densities
/// solve with L⁻¹ rather than inverting the covariance.
package struct MvNormalParts {
    package let mean: TracedNumber
    package let scale: TracedNumber

    package init(mean: TracedNumber, scale: TracedNumber) {
        self.mean = mean
        self.scale = scale
    }

    /// The parts of a plain distribution (a traced one carries its own:
    /// `DifferentiableParts`).
    package init?(plain d: any Distribution) {
        guard let m = d as? MvNormal, let mean = try? m.mean() else { return nil }
        self.mean = .plain(mean)
        scale = .plain(m.choleskyFactors)
    }

    /// A diagonal Gaussian (`DiagNormal`, `StdNormal`) as a multivariate normal
    /// with L = diag(std), so that it can meet an MvNormal in a closed-form KL.
    package init?(diagonal g: GaussianParts) throws(KLSError) {
        guard g.isDiagonal else { return nil }
        let std = g.std.value
        let mean = g.mean.value
        let d = Swift.max(std.shape.last ?? 1, mean.shape.last ?? 1)
        let column = try TracedNumber.reshape(
            try g.std + .plain(try Tensor(repeating: 0, shape: mean.shape)),
            Array(try Shape.broadcast(std.shape, mean.shape)) + [1])
        self.mean = g.mean
        scale = try column * .plain(try Tensor.eye(d))
    }

    /// ½ log det Σ = Σᵢ log Lᵢᵢ, per batch element.
    package func halfLogDeterminant() throws(KLSError) -> TracedNumber {
        try TracedNumber.sum(try TracedNumber.apply(.log, try TracedNumber.diagonals(scale)), axes: [-1])
    }

    package var dimension: Int { scale.value.shape.last ?? 0 }

    /// ‖L⁻¹ r‖² over the last axis of r, by rows: r L⁻ᵀ.
    private func mahalanobis(_ r: TracedNumber, _ inverseScale: TracedNumber) throws(KLSError) -> TracedNumber {
        let shape = r.value.shape
        let rows = try TracedNumber.reshape(r, Array(shape.dropLast()) + [1, shape.last ?? 0])
        let z = try TracedNumber.matmul(rows, try TracedNumber.matrixTranspose(inverseScale))
        return try TracedNumber.sum(try TracedNumber.apply(.square, z), axes: [-2, -1])
    }

    /// −½ (d log 2π + log det Σ + ‖L⁻¹(x − μ)‖²).
    package func logpdf(_ x: TracedNumber) throws(KLSError) -> TracedNumber {
        let inverseScale = try TracedNumber.inverse(scale)
        let quadratic = try mahalanobis(x - mean, inverseScale)
        let constant = Double(dimension) * 0.5 * Foundation.log(2 * Double.pi)
        return try -0.5 * quadratic - (halfLogDeterminant() + constant)
    }

    /// d (½ + ½ log 2π) + ½ log det Σ.
    package func entropy() throws(KLSError) -> TracedNumber {
        let constant = Double(dimension) * 0.5 * (1 + Foundation.log(2 * Double.pi))
        return try halfLogDeterminant() + constant
    }

    /// KL(self ‖ p) = ½ (‖Lp⁻¹ Lq‖²_F + ‖Lp⁻¹ (μq − μp)‖² − d)
    ///   + ½ log det Σp − ½ log det Σq.
    package func kl(to p: MvNormalParts) throws(KLSError) -> TracedNumber {
        let inverseP = try TracedNumber.inverse(p.scale)
        let product = try TracedNumber.matmul(inverseP, scale)
        let trace = try TracedNumber.sum(try TracedNumber.apply(.square, product), axes: [-2, -1])
        let quadratic = try mahalanobis(mean - p.mean, inverseP)
        let spread = try trace + quadratic - Double(dimension)
        let logDeterminants = try p.halfLogDeterminant() - halfLogDeterminant()
        return try 0.5 * spread + logDeterminants
    }

    /// mean + L ε for standard normal ε of shape `[…, d]`.
    package func draw(_ epsilon: Tensor) throws(KLSError) -> TracedNumber {
        let rows = try epsilon.reshaped(Array(epsilon.shape.dropLast()) + [1, epsilon.shape.last ?? 0])
        let moved = try TracedNumber.matmul(.plain(rows), try TracedNumber.matrixTranspose(scale))
        return try mean + TracedNumber.reshape(moved, epsilon.shape)
    }

    /// The standard normal whose draws are the ε of `draw`: the same stream
    /// positions as the MvNormal's own draws.
    package func standard(_ d: any Distribution) throws(KLSError) -> any Distribution {
        let shape = d.batchShape + d.eventShape
        let base = try Normal([try Tensor(repeating: 0, shape: shape), try Tensor(repeating: 1, shape: shape)])
        return try Independent(base, k: 1, name: "StdNormal")
    }
}
