import Foundation
import KLSDiagnostics
import KLSGradient
import KLSTensor

/// A scalar family with parameters that may depend on grad's variable.
/// Densities, entropies, moments, closed-form KLs and — for a reparameterised
/// family (`ReparameterisedFamily`) — pathwise draws are the family's own
/// formulas, evaluated on values that may be traced: the family is chosen by
/// its type, never by its name. A family without pathwise draws (VonMises, the
/// counts) differentiates everywhere but in `sample` and a `kl_mc` that draws
/// from it, which refuse and name the score-function estimator.
package struct ScalarParts {
    package let family: any ScalarFamily.Type
    /// The parameters in the family's order (`parameterNames`).
    package let values: [TracedNumber]

    package init(family: any ScalarFamily.Type, values: [TracedNumber]) {
        self.family = family
        self.values = values
    }

    /// The parts of a plain distribution (a traced one carries its own:
    /// `DifferentiableParts`).
    package init?(plain d: any Distribution) {
        guard let scalar = d as? any ScalarBatch else { return nil }
        family = scalar.scalarFamily
        values = d.parameters.map { .plain($0.value) }
    }

    /// The same family with other parameter values (the leaves of a chunk's tape).
    package func with(_ values: [TracedNumber]) -> ScalarParts { ScalarParts(family: family, values: values) }

    private var plain: [Tensor] { values.map(\.value) }

    /// The distribution of the standard draws ε, batch-shaped like `d`.
    package func standard(_ d: any Distribution) throws(KLSError) -> any Distribution {
        try reparameterised.standard(plain, shape: d.batchShape)
    }

    /// The pathwise draw from standard draws ε.
    package func draw(_ epsilon: Tensor) throws(KLSError) -> TracedNumber {
        try draw(try reparameterised, epsilon)
    }

    /// The family, when its draws are a smooth formula of standard draws.
    private var reparameterised: any ReparameterisedFamily.Type {
        get throws(KLSError) {
            guard let pathwise = family as? any ReparameterisedFamily.Type else {
                throw Self.noPathwise(family.name, discrete: family.isDiscrete)
            }
            return pathwise
        }
    }

    /// The error for a draw of a family whose draws do not move smoothly with its parameters.
    package static func noPathwise(_ family: String, discrete: Bool) -> KLSError {
        let why =
            discrete
            ? "its draws are discrete, so they cannot move smoothly with its parameters"
            : "its draws come from rejection sampling, not from a smooth formula (as in PyTorch)"
        return KLSError(
            "\(family) has no pathwise (reparameterised) gradient: \(why)",
            hint: "use the score-function estimator: with z = sample(q, n=…) drawn outside grad, "
                + "grad(θ -> mean(f(z) * logpdf(q(θ), z))) — logpdf, entropy and kl of \(family) do differentiate")
    }

    private func draw<F: ReparameterisedFamily>(_ f: F.Type, _ epsilon: Tensor) throws(KLSError) -> TracedNumber {
        try F.pathwiseDraw(try implicitDraw(f, epsilon), ParameterValues<F, TracedNumber>(values))
    }

    /// ε as a value whose gradient reaches the parameters it depends on
    /// (`implicitParameters`) by dε/dθ = −(∂F/∂θ)/p.
    private func implicitDraw<F: ReparameterisedFamily>(_ f: F.Type, _ epsilon: Tensor) throws(KLSError) -> TracedNumber
    {
        let implicit = F.implicitParameters.map { values[$0] }
        guard let tape = try TracedNumber.tape(implicit) else { return .plain(epsilon) }
        let parameters = plain
        let slopes = try F.implicitSlopes(epsilon, parameters)
        return .traced(
            tape.record(epsilon) { g, pass throws(KLSError) in
                for (k, index) in F.implicitParameters.enumerated() {
                    guard let t = values[index].node else { continue }
                    let share = try Tensor.binary(.multiply, g, slopes[k])
                    try pass(t, try GradientRules.unbroadcast(share, to: parameters[index].shape))
                }
            })
    }

    /// The log-density at x. Outside the family's formula (outside the support,
    /// at an edge) it is the plain value, with no gradient there; x is moved
    /// inside first, so that the formula's unused branch has no 0·∞ gradient.
    package func logpdf(_ x: TracedNumber) throws(KLSError) -> TracedNumber { try logpdf(family, x) }

    private func logpdf<F: ScalarFamily>(_ f: F.Type, _ x: TracedNumber) throws(KLSError) -> TracedNumber {
        let parameters = plain
        var shape = x.value.shape
        for p in parameters { shape = try Shape.broadcast(shape, p.shape) }
        let xs = try x.value.broadcast(to: shape)
        var broadcast: [Tensor] = []
        for p in parameters { broadcast.append(try p.broadcast(to: shape)) }
        // The elements outside the formula, found first: usually there are none,
        // and the formula alone is the answer, with no masks on the tape.
        var edges: [(index: Int, value: Double)] = []
        for e in 0..<xs.count {
            if let edge = F.logpdfOutside(xs[flat: e], F.parameters(broadcast, at: e)) { edges.append((e, edge)) }
        }
        guard !edges.isEmpty else {
            // Broadcast to x's shape too: a formula that does not read x (Uniform's) has the parameters' shape.
            let value = try F.logDensity(x, ParameterValues<F, TracedNumber>(values))
            guard value.value.shape != shape else { return value }
            return try value + .plain(try Tensor(repeating: 0, shape: shape))
        }
        var (inside, safe) = ([Double](repeating: 1, count: xs.count), (0..<xs.count).map { xs[flat: $0] })
        var outside = [Double](repeating: 0, count: xs.count)
        for (e, edge) in edges {
            (inside[e], outside[e]) = (0, edge)
            safe[e] = Self.interior(F.support(F.parameters(broadcast, at: e)))
        }
        let mask = try Tensor(shape: shape, values: inside)
        let moved = try TracedNumber.select(mask, x, .plain(try Tensor(shape: shape, values: safe)))
        let value = try F.logDensity(moved, ParameterValues<F, TracedNumber>(values))
        return try TracedNumber.select(mask, value, .plain(try Tensor(shape: shape, values: outside)))
    }

    /// A point inside the support.
    private static func interior(_ support: ClosedRange<Double>) -> Double {
        let (low, high) = (support.lowerBound, support.upperBound)
        if low.isFinite && high.isFinite { return low + (high - low) / 2 }
        return low.isFinite ? low + 1 : (high.isFinite ? high - 1 : 0)
    }

    package func entropy() throws(KLSError) -> TracedNumber { try entropy(family) }

    private func entropy<F: ScalarFamily>(_ f: F.Type) throws(KLSError) -> TracedNumber {
        try F.entropy(ParameterValues<F, TracedNumber>(values))
    }

    /// The mean and variance (nan or inf where the family's moment does not
    /// exist, as the plain `mean` and `var` give).
    package func moments() throws(KLSError) -> (mean: TracedNumber, variance: TracedNumber) { try moments(family) }

    private func moments<F: ScalarFamily>(_ f: F.Type) throws(KLSError) -> (mean: TracedNumber, variance: TracedNumber)
    {
        let t = ParameterValues<F, TracedNumber>(values)
        return (try F.mean(t), try F.variance(t))
    }

    /// The closed-form KL to a member of the same family, the family's own formula.
    package func kl(to p: ScalarParts) throws(KLSError) -> TracedNumber {
        guard ObjectIdentifier(family) == ObjectIdentifier(p.family) else {
            throw KLSError(
                "grad of closed-form kl between \(family.name) and \(p.family.name) is not supported",
                hint: "kl_mc's gradient is pathwise for any reparameterised pair")
        }
        guard let closed = family as? any ClosedFormKLFamily.Type else {
            throw KLSError(
                "kl between two \(family.name)s has no closed form",
                hint: "kl_mc's gradient is pathwise for \(family.name)")
        }
        return try kl(closed, p)
    }

    private func kl<F: ClosedFormKLFamily>(_ f: F.Type, _ p: ScalarParts) throws(KLSError) -> TracedNumber {
        try F.kl(ParameterValues<F, TracedNumber>(values), ParameterValues<F, TracedNumber>(p.values))
    }
}
