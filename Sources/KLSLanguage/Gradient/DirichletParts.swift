import Foundation
import KLSDiagnostics
import KLSDistributions
import KLSGradient
import KLSTensor

/// A Dirichlet whose concentration α `[…, k]` may depend on grad's variable.
/// Densities, entropy, moments and the closed-form KL are formulas in α; a
/// draw is g / Σg for the unnormalised gammas g behind `sample`, each
/// differentiated implicitly in its αᵢ (dg/dα = −(∂F/∂α)/p, as for Gamma), so
/// `sample` and `kl_mc` are pathwise, as PyTorch's `rsample`.
struct DirichletParts {
    let concentration: Value

    init(concentration: Value) { self.concentration = concentration }

    init?(_ d: any Distribution) {
        if let t = d as? TracedDistribution {
            guard case .dirichlet(let parts) = t.parts else { return nil }
            self = parts
            return
        }
        guard let dirichlet = d as? Dirichlet else { return nil }
        concentration = .tensor(dirichlet.concentration)
    }

    private var plain: Tensor { get throws(KLSError) { try Differentiation.tensor(concentration, "concentration") } }

    /// Σ over the last axis, kept as an axis of length 1 so it broadcasts back.
    private func total(_ v: Value) throws(KLSError) -> Value {
        let shape = try Differentiation.tensor(v, "value").shape
        return try TracedMath.reshape(TracedMath.sum(v, axes: [-1]), Array(shape.dropLast()) + [1])
    }

    /// log B(α) = Σ log Γ(αᵢ) − log Γ(α₀), per batch element.
    private func logBeta() throws(KLSError) -> Value {
        let sum = try TracedMath.sum(TracedMath.apply(.lgamma, concentration), axes: [-1])
        return try sum - TracedMath.apply(.lgamma, TracedMath.sum(concentration, axes: [-1]))
    }

    /// Σ (αᵢ − 1) log xᵢ − log B(α); −inf off the simplex (the plain value's rule).
    func logpdf(_ x: Value) throws(KLSError) -> Value {
        let points = try Differentiation.tensor(x, "x")
        let plainValue = try Dirichlet(concentration: try plain).logpdf(points)
        let inside = try plainValue.map(.isfinite)
        let k = points.shape.last ?? 1
        let xs = try points.broadcast(to: inside.shape + [k])
        // Off the simplex the formula's unused branch gets the centre, where its gradient stays finite.
        let safe = try Tensor(shape: xs.shape) { out in
            for i in 0..<out.count { out[i] = inside[flat: i / k] == 1 ? xs[flat: i] : 1 / Double(k) }
        }
        let moved = try TracedMath.select(try inside.reshaped(inside.shape + [1]), x, .tensor(safe))
        let terms = try (concentration - 1) * TracedMath.apply(.log, moved)
        let value = try TracedMath.sum(terms, axes: [-1]) - logBeta()
        return try TracedMath.select(inside, value, .tensor(plainValue))
    }

    /// log B(α) + (α₀ − k) ψ(α₀) − Σ (αᵢ − 1) ψ(αᵢ).
    func entropy() throws(KLSError) -> Value {
        let k = Double(try plain.shape.last ?? 1)
        let sum = try TracedMath.sum(concentration, axes: [-1])
        let shifts = try TracedMath.sum((concentration - 1) * TracedMath.apply(.digamma, concentration), axes: [-1])
        return try logBeta() + (sum - k) * TracedMath.apply(.digamma, sum) - shifts
    }

    /// αᵢ/α₀ and αᵢ(α₀ − αᵢ)/(α₀²(α₀ + 1)).
    func moments() throws(KLSError) -> (mean: Value, variance: Value) {
        let sum = try total(concentration)
        let mean = try concentration / sum
        return (mean, try mean * (1 - mean) / (sum + 1))
    }

    /// log Γ(α₀) − log Γ(β₀) − Σ (log Γ(αᵢ) − log Γ(βᵢ))
    ///   + Σ (αᵢ − βᵢ)(ψ(αᵢ) − ψ(α₀)), with β p's concentration.
    func kl(to p: DirichletParts) throws(KLSError) -> Value {
        let digammas = try TracedMath.apply(.digamma, concentration) - TracedMath.apply(.digamma, total(concentration))
        let linear = try TracedMath.sum((concentration - p.concentration) * digammas, axes: [-1])
        return try p.logBeta() - logBeta() + linear
    }

    /// The unnormalised gammas behind the Dirichlet's own draws.
    func standard(_ d: any Distribution) throws(KLSError) -> any Distribution {
        let alpha = try plain.broadcast(to: d.batchShape + d.eventShape)
        return DirichletGammas(try Dirichlet(concentration: alpha))
    }

    /// g / Σg, with each gamma g traced to its α by dg/dα (implicit reparameterisation).
    func draw(_ gammas: Tensor) throws(KLSError) -> Value {
        let alpha = try plain.broadcast(to: gammas.shape)
        var g: Value = .tensor(gammas)
        if let tape = try Differentiation.tape([concentration]) {
            let slopes = try Tensor(shape: gammas.shape) { out in
                for i in 0..<out.count {
                    out[i] = ImplicitReparameterisation.gammaShape(gammas[flat: i], alpha[flat: i])
                }
            }
            let shape = try plain.shape
            let traced = Differentiation.traced(concentration)
            g = .traced(
                tape.record(gammas) { gradient, pass throws(KLSError) in
                    guard let traced else { return }
                    try pass(
                        traced, try GradientRules.unbroadcast(try Differentiation.scale(gradient, slopes), to: shape))
                })
        }
        return try g / total(g)
    }
}
