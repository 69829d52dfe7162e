import Foundation
import KLSDiagnostics
import KLSGradient
import KLSTensor

/// A distribution whose parameters depend on the variable `grad`
/// differentiates. It behaves as the plain distribution `base` built from the
/// values (display, moments, plain draws); the derivative rules read `parts`,
/// whose parameters are the traced values.
package final class TracedDistribution: Distribution, @unchecked Sendable {
    package let base: any Distribution
    package let parts: DifferentiableParts

    package init(base: any Distribution, parts: DifferentiableParts) {
        self.base = base
        self.parts = parts
    }

    package var family: String { base.family }
    package var batchShape: [Int] { base.batchShape }
    package var eventShape: [Int] { base.eventShape }
    package var parameters: [(name: String, value: Tensor)] { base.parameters }
    package var drawsPerSample: Int { base.drawsPerSample }
    package var support: ClosedRange<Double> { base.support }
    package func sample(_ count: Int?, generator: Philox, start: UInt64) throws(KLSError) -> Tensor {
        try base.sample(count, generator: generator, start: start)
    }
    package func logpdf(_ x: Tensor) throws(KLSError) -> Tensor { try base.logpdf(x) }
    package func cdf(_ x: Tensor) throws(KLSError) -> Tensor { try base.cdf(x) }
    package func entropy() throws(KLSError) -> Tensor { try base.entropy() }
    package func mean() throws(KLSError) -> Tensor { try base.mean() }
    package func variance() throws(KLSError) -> Tensor { try base.variance() }

    /// The tape its traced parameters are on.
    package var tape: GradientTape? { try? TracedNumber.tape(parts.values) }
}

/// The mean, std and diagonal-ness of a Gaussian kls can differentiate through.
package struct GaussianParts {
    package let mean: TracedNumber
    package let std: TracedNumber
    package let isDiagonal: Bool

    package init(mean: TracedNumber, std: TracedNumber, isDiagonal: Bool) {
        (self.mean, self.std, self.isDiagonal) = (mean, std, isDiagonal)
    }

    /// The parts of a plain distribution (a traced one carries its own:
    /// `DifferentiableParts`).
    package init?(plain d: any Distribution) {
        if let n = d as? Normal {
            (mean, std, isDiagonal) = (.plain(n.parameters[0].value), .plain(n.parameters[1].value), false)
            return
        }
        if let i = d as? Independent, i.eventShape.count == 1, let n = i.base as? Normal {
            (mean, std, isDiagonal) = (.plain(n.parameters[0].value), .plain(n.parameters[1].value), true)
            return
        }
        return nil
    }

    /// Sums over the event for a diagonal Gaussian.
    package func event(_ v: TracedNumber) throws(KLSError) -> TracedNumber {
        isDiagonal ? try TracedNumber.sum(v, axes: [-1]) : v
    }

    /// log N(x; mean, std), summed over the event.
    package func logpdf(_ x: TracedNumber) throws(KLSError) -> TracedNumber {
        let z = try (x - mean) / std
        let quadratic = try -0.5 * TracedNumber.apply(.square, z)
        let normaliser = try TracedNumber.apply(.log, std) + 0.5 * Foundation.log(2 * Double.pi)
        return try event(quadratic - normaliser)
    }

    /// ½ log(2πe) + log std, summed over the event.
    package func entropy() throws(KLSError) -> TracedNumber {
        try event(TracedNumber.apply(.log, std) + 0.5 * Foundation.log(2 * Double.pi * M_E))
    }

    /// KL(self ‖ p) = log(σp/σq) + (σq² + (μq − μp)²) / (2σp²) − ½, summed over the event.
    package func kl(to p: GaussianParts) throws(KLSError) -> TracedNumber {
        guard isDiagonal == p.isDiagonal else {
            throw KLSError("kl under grad needs q and p both Normal or both DiagNormal")
        }
        let logScales = try TracedNumber.apply(.log, p.std) - TracedNumber.apply(.log, std)
        let spread = try TracedNumber.apply(.square, std) + TracedNumber.apply(.square, mean - p.mean)
        let scaled = try spread / (2 * TracedNumber.apply(.square, p.std))
        return try event(logScales + scaled - 0.5)
    }

    /// mean + std · ε: the pathwise (reparameterised) draw for standard normal ε.
    package func draw(_ epsilon: Tensor) throws(KLSError) -> TracedNumber {
        try mean + std * .plain(epsilon)
    }

    /// The standard normal of the same shape, whose draws are the ε of `draw`.
    package func standard(_ d: any Distribution) throws(KLSError) -> any Distribution {
        let shape = d.batchShape + d.eventShape
        let base = try Normal([try Tensor(repeating: 0, shape: shape), try Tensor(repeating: 1, shape: shape)])
        return isDiagonal ? try Independent(base, k: 1, name: "StdNormal") : base
    }
}
