import KLSDiagnostics
import KLSGradient
import KLSTensor

extension Mixture {
    /// log Σ w_k N(x; μ_k, σ_k) for a mixture of Gaussians at an x that may be
    /// traced, shifted by the largest component's plain value so that nothing overflows.
    package func logpdf(traced x: TracedNumber) throws(KLSError) -> TracedNumber {
        var terms: [TracedNumber] = []
        for component in components {
            guard let parts = GaussianParts(plain: component) else {
                throw KLSError("grad through a Mixture of \(component.family) is not supported yet (Gaussians only)")
            }
            terms.append(try parts.logpdf(x))
        }
        var shift = terms[0].value
        for term in terms.dropFirst() { shift = try Tensor.binary(.maximum, shift, term.value) }
        shift = try Tensor.select(try shift.map(.isfinite), shift, Tensor(scalar: 0))
        var total = TracedNumber(0)
        for (weight, term) in zip(weights, terms) {
            total = try total + weight * TracedNumber.exp(term - .plain(shift))
        }
        return try TracedNumber.log(total) + .plain(shift)
    }
}
