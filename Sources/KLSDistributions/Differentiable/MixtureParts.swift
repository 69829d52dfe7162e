import KLSDiagnostics
import KLSGradient
import KLSTensor

/// A mixture Σ w_k p_k whose weights or components may depend on grad's
/// variable: its log-density is log Σ exp(log w_k + log p_k(x)), a log-sum-exp
/// shifted by the largest term's plain value so that nothing overflows, with
/// w = weights/Σ weights as a formula, so the gradient sees the normalisation.
/// Its mean and variance are the components' moments mixed. A draw picks a
/// component — a discrete choice with no pathwise gradient — so `sample` and a
/// `kl_mc` drawing from it refuse and name the score-function estimator; a
/// `kl_mc` whose p is a mixture needs only this density.
package struct MixtureParts {
    /// The raw weights (normalised in the formulas).
    package let weights: TracedNumber
    package let components: [DifferentiableParts]
    /// The plain components, for their shapes.
    package let bases: [any Distribution]

    package init(weights: TracedNumber, components: [DifferentiableParts], bases: [any Distribution]) {
        (self.weights, self.components, self.bases) = (weights, components, bases)
    }

    /// The parts of a plain mixture, when every component has parts.
    package init?(plain m: Mixture) {
        var parts: [DifferentiableParts] = []
        for component in m.components {
            guard let p = DifferentiableParts(component) else { return nil }
            parts.append(p)
        }
        guard let weights = try? Tensor(m.weights) else { return nil }
        self.init(weights: .plain(weights), components: parts, bases: m.components)
    }

    /// The weights, then each component's parameters.
    package var values: [TracedNumber] { [weights] + components.flatMap(\.values) }

    package func with(_ values: [TracedNumber]) -> MixtureParts {
        var rest = values.dropFirst()
        let parts = components.map { c in
            let count = c.values.count
            defer { rest = rest.dropFirst(count) }
            return c.with(Array(rest.prefix(count)))
        }
        return MixtureParts(weights: values[0], components: parts, bases: bases)
    }

    /// log w_k: the k-th weight over their sum.
    private func logWeight(_ k: Int) throws(KLSError) -> TracedNumber {
        try TracedNumber.log(TracedNumber.index(weights, [.single(k)]))
            - TracedNumber.log(
                TracedNumber.sum(weights, axes: nil))
    }

    package func logpdf(_ x: TracedNumber) throws(KLSError) -> TracedNumber {
        var terms: [TracedNumber] = []
        for (k, component) in components.enumerated() { terms.append(try logWeight(k) + component.logpdf(x)) }
        var shift = terms[0].value
        for term in terms.dropFirst() { shift = try Tensor.binary(.maximum, shift, term.value) }
        shift = try Tensor.select(try shift.map(.isfinite), shift, Tensor(scalar: 0))
        var total = TracedNumber(0)
        for term in terms { total = try total + TracedNumber.exp(term - .plain(shift)) }
        return try TracedNumber.log(total) + .plain(shift)
    }

    /// Σ w_k μ_k and Σ w_k (σ_k² + μ_k²) − mean², per coordinate.
    package func moments() throws(KLSError) -> (mean: TracedNumber, variance: TracedNumber) {
        var (mean, second) = (TracedNumber(0), TracedNumber(0))
        for (k, (component, base)) in zip(components, bases).enumerated() {
            let w = try TracedNumber.exp(logWeight(k))
            let mu = try component.mean(base)
            mean = try mean + w * mu
            second = try second + w * (component.variance(base) + TracedNumber.square(mu))
        }
        return (mean, try second - TracedNumber.square(mean))
    }

    /// Draws pick a component: no pathwise gradient.
    package static func noPathwise() -> KLSError {
        KLSError(
            "sample of a Mixture whose weights or components depend on the variable has no pathwise gradient: "
                + "its component choice is discrete",
            hint: "use the score-function estimator: with z = sample(m, n=…) drawn outside grad, "
                + "grad(θ -> mean(f(z) * logpdf(m(θ), z))); kl_mc(q, m(θ)) with the mixture as p differentiates")
    }
}
