import Foundation
import KLSDiagnostics
import KLSDistributions
import KLSGradient
import KLSTensor

/// A distribution whose parameters depend on the variable `grad`
/// differentiates. It behaves as the plain distribution `base` built from the
/// values (display, moments, plain draws); the derivative rules read `parts`,
/// whose parameters are the traced values.
final class TracedDistribution: Distribution, @unchecked Sendable {
    let base: any Distribution
    let parts: DifferentiableParts

    init(base: any Distribution, parts: DifferentiableParts) {
        self.base = base
        self.parts = parts
    }

    var family: String { base.family }
    var batchShape: [Int] { base.batchShape }
    var eventShape: [Int] { base.eventShape }
    var parameters: [(name: String, value: Tensor)] { base.parameters }
    var drawsPerSample: Int { base.drawsPerSample }
    var support: ClosedRange<Double> { base.support }
    func sample(_ count: Int?, generator: Philox, start: UInt64) throws(KLSError) -> Tensor {
        try base.sample(count, generator: generator, start: start)
    }
    func logpdf(_ x: Tensor) throws(KLSError) -> Tensor { try base.logpdf(x) }
    func cdf(_ x: Tensor) throws(KLSError) -> Tensor { try base.cdf(x) }
    func entropy() throws(KLSError) -> Tensor { try base.entropy() }
    func mean() throws(KLSError) -> Tensor { try base.mean() }
    func variance() throws(KLSError) -> Tensor { try base.variance() }

    /// The tape its traced parameters are on.
    var tape: GradientTape? { try? Differentiation.tape(parts.values) }
}

/// The mean, std and diagonal-ness of a Gaussian kls can differentiate through.
struct GaussianParts {
    let mean: Value
    let std: Value
    let isDiagonal: Bool

    init?(_ d: any Distribution) {
        if let t = d as? TracedDistribution {
            guard case .gaussian(let g) = t.parts else { return nil }
            self = g
            return
        }
        if let n = d as? Normal {
            (mean, std, isDiagonal) = (.tensor(n.parameters[0].value), .tensor(n.parameters[1].value), false)
            return
        }
        if let i = d as? Independent, i.eventShape.count == 1, let n = i.base as? Normal {
            (mean, std, isDiagonal) = (.tensor(n.parameters[0].value), .tensor(n.parameters[1].value), true)
            return
        }
        return nil
    }

    /// Sums over the event for a diagonal Gaussian.
    func event(_ v: Value) throws(KLSError) -> Value {
        isDiagonal ? try TracedMath.sum(v, axes: [-1]) : v
    }

    /// log N(x; mean, std), summed over the event.
    func logpdf(_ x: Value) throws(KLSError) -> Value {
        let z = try (x - mean) / std
        let quadratic = try -0.5 * TracedMath.apply(.square, z)
        let normaliser = try TracedMath.apply(.log, std) + 0.5 * Foundation.log(2 * Double.pi)
        return try event(quadratic - normaliser)
    }

    /// ½ log(2πe) + log std, summed over the event.
    func entropy() throws(KLSError) -> Value {
        try event(TracedMath.apply(.log, std) + 0.5 * Foundation.log(2 * Double.pi * M_E))
    }

    /// KL(self ‖ p) = log(σp/σq) + (σq² + (μq − μp)²) / (2σp²) − ½, summed over the event.
    func kl(to p: GaussianParts) throws(KLSError) -> Value {
        guard isDiagonal == p.isDiagonal else {
            throw KLSError("kl under grad needs q and p both Normal or both DiagNormal")
        }
        let logScales = try TracedMath.apply(.log, p.std) - TracedMath.apply(.log, std)
        let spread = try TracedMath.apply(.square, std) + TracedMath.apply(.square, mean - p.mean)
        let scaled = try spread / (2 * TracedMath.apply(.square, p.std))
        return try event(logScales + scaled - 0.5)
    }

    /// mean + std · ε: the pathwise (reparameterised) draw for standard normal ε.
    func draw(_ epsilon: Tensor) throws(KLSError) -> Value {
        try mean + std * .tensor(epsilon)
    }

    /// The standard normal of the same shape, whose draws are the ε of `draw`.
    func standard(_ d: any Distribution) throws(KLSError) -> any Distribution {
        let shape = d.batchShape + d.eventShape
        let base = try Normal([try Tensor(repeating: 0, shape: shape), try Tensor(repeating: 1, shape: shape)])
        return isDiagonal ? try Independent(base, k: 1, name: "StdNormal") : base
    }
}
