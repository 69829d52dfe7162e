import Foundation
import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// Derivative rules of the distribution builtins: constructors, densities,
/// entropy, closed-form KL and pathwise draws of the reparameterised families
/// (`DifferentiableParts`). Discrete families say which estimator works instead.
enum DistributionDerivatives {
    /// `Normal(mean, std | logvar= | var=)` and `DiagNormal(…)` with traced parameters.
    static func gaussian(diagonal: Bool) -> Derivative {
        .custom { a, session throws(KLSError) in
            var plain = a.untraced()
            let (meanValue, stdValue) = try DistributionBuiltins.gaussian(&plain, session)
            let normal = try Normal([meanValue, stdValue])
            let base: any Distribution = diagonal ? try Independent(normal, k: 1, name: "DiagNormal") : normal
            let std: Value
            if !a.isNone("std") {
                std = a["std"]
            } else if !a.isNone("logvar") {
                std = try TracedMath.apply(.exp, 0.5 * a["logvar"])
            } else {
                std = try TracedMath.apply(.sqrt, a["var"])
            }
            let parts = GaussianParts(mean: a["mean"], std: std, isDiagonal: diagonal)
            return .distribution(TracedDistribution(base: base, parts: .gaussian(parts)))
        }
    }

    /// `MvNormal(mean, cov)` with traced parameters: the factor L of cov is
    /// traced through `cholesky`'s rule.
    static let mvNormal = Derivative.custom { a, _ throws(KLSError) in
        let base = try MvNormal(mean: try a.anyTensor("mean"), cov: try a.anyTensor("cov"))
        let parts = MvNormalParts(mean: a["mean"], scale: try LinearAlgebraDerivatives.cholesky(a["cov"]))
        return .distribution(TracedDistribution(base: base, parts: .mvNormal(parts)))
    }

    /// `Dirichlet(concentration)` with a traced concentration.
    static let dirichlet = Derivative.custom { a, _ throws(KLSError) in
        let base = try Dirichlet(concentration: try a.anyTensor("concentration"))
        return .distribution(
            TracedDistribution(base: base, parts: .dirichlet(DirichletParts(concentration: a["concentration"]))))
    }

    /// `LowRankMultivariateNormal(loc, cov_factor, cov_diag)` with traced
    /// parameters: the MvNormal of covariance W Wᵀ + diag(D), whose factor L is
    /// traced through `cholesky`'s rule from that covariance.
    static let lowRankMvNormal = Derivative.custom { a, _ throws(KLSError) in
        let plain = [try a.anyTensor("loc"), try a.anyTensor("cov_factor"), try a.anyTensor("cov_diag")]
        guard let base = try LowRankMultivariateNormalFamily.make(plain) as? MvNormal else {
            throw KLSError("internal: LowRankMultivariateNormal is not an MvNormal")
        }
        guard plain[1].rank == 2, plain[2].rank == 1 else {
            throw KLSError(
                "grad through a batched LowRankMultivariateNormal is not supported yet",
                hint: "give one cov_factor [d, r] and one cov_diag [d] (loc may carry a batch)")
        }
        let factor = a["cov_factor"]
        let low = try TracedMath.matmul(factor, try TracedMath.matrixTranspose(factor))
        let cov = try low + LinearAlgebraDerivatives.diag(a["cov_diag"])
        let parts = MvNormalParts(mean: a["loc"], scale: try LinearAlgebraDerivatives.cholesky(cov))
        return .distribution(TracedDistribution(base: base, parts: .mvNormal(parts)))
    }

    /// A scalar family's constructor with traced parameters.
    static func scalar<F: ScalarFamily>(_ family: F.Type) -> Derivative {
        .custom { a, _ throws(KLSError) in
            var plain: [Tensor] = []
            for name in F.parameterNames { plain.append(try a.anyTensor(name)) }
            let base = try ScalarDistribution<F>(plain)
            let parts = ScalarParts(family: F.self, values: F.parameterNames.map { a[$0] })
            return .distribution(TracedDistribution(base: base, parts: .scalar(parts)))
        }
    }

    /// `Bernoulli(p)` and `Categorical(probs)` with traced parameters: densities,
    /// entropy and kl differentiate; draws refuse, naming the score-function estimator.
    static func discrete(categorical: Bool) -> Derivative {
        .custom { a, _ throws(KLSError) in
            let parts: DiscreteParts
            let base: any Distribution
            if categorical {
                base = try Categorical(probs: try a.anyTensor("probs"))
                parts = DiscreteParts(probabilities: try DiscreteParts.normalised(a["probs"]), categorical: true)
            } else {
                base = try Bernoulli([try a.anyTensor("p")])
                parts = DiscreteParts(probabilities: a["p"], categorical: false)
            }
            return .distribution(TracedDistribution(base: base, parts: .discrete(parts)))
        }
    }

    /// The scalar families, from the registry (Normal is listed first, with the Gaussians).
    private static let scalarFamilies = ScalarFamilies.all.compactMap { family in
        family != NormalFamily.self ? family.name : nil
    }

    static func unsupported(_ d: any Distribution) -> KLSError {
        KLSError(
            "grad through \(d.family) is not supported yet: kls differentiates Normal, DiagNormal, StdNormal, "
                + "MvNormal, " + scalarFamilies.joined(separator: ", ") + " and Categorical",
            hint: d.isDiscrete
                ? "a discrete distribution has no pathwise gradient; the score-function estimator "
                    + "(mean of f(z)·∇log q(z)) is the way" : nil)
    }

    static func anyParts(_ a: Arguments, _ name: String) throws(KLSError) -> (any Distribution, DifferentiableParts) {
        let d = try DistributionBuiltins.distribution(a, name)
        guard let parts = DifferentiableParts(d) else { throw unsupported(d) }
        return (d, parts)
    }

    /// logpdf / log_prob (and pdf, exponentiated) with traced parameters or x.
    static func logpdf(exponentiate: Bool) -> Derivative {
        .custom { a, session throws(KLSError) in
            let value: Value
            if case .distribution(let joint as JointDistribution) = a["dist"] {
                value = try JointGradient.logpdf(joint, a["x"], session)
            } else if case .distribution(let m as Mixture) = a["dist"] {
                value = try mixtureLogpdf(m, a["x"])
            } else {
                value = try anyParts(a, "dist").1.logpdf(a["x"])
            }
            return exponentiate ? try TracedMath.apply(.exp, value) : value
        }
    }

    /// log Σ w_k N(x; μ_k, σ_k) for a mixture of Gaussians and a traced x, shifted
    /// by the largest component's plain value so that nothing overflows.
    static func mixtureLogpdf(_ m: Mixture, _ x: Value) throws(KLSError) -> Value {
        var terms: [Value] = []
        for component in m.components {
            guard let parts = GaussianParts(component) else {
                throw KLSError("grad through a Mixture of \(component.family) is not supported yet (Gaussians only)")
            }
            terms.append(try parts.logpdf(x))
        }
        var shift = try Differentiation.tensor(terms[0], "logpdf")
        for term in terms.dropFirst() {
            shift = try Tensor.binary(.maximum, shift, try Differentiation.tensor(term, "logpdf"))
        }
        shift = try ElementwiseBuiltins.select(try shift.map(.isfinite), shift, Tensor(scalar: 0))
        var total: Value = .number(0)
        for (weight, term) in zip(m.weights, terms) {
            let scaled = try TracedMath.apply(.exp, term - .tensor(shift))
            total = try total + weight * scaled
        }
        return try TracedMath.apply(.log, total) + .tensor(shift)
    }

    static let entropy = Derivative.custom { a, _ throws(KLSError) in
        try anyParts(a, "dist").1.entropy()
    }

    /// Closed-form kl: Normal or DiagNormal pairs, MvNormal against MvNormal,
    /// DiagNormal or StdNormal (either side), and pairs of one scalar family.
    static let kl = Derivative.custom { a, _ throws(KLSError) in
        let (q, p) = (try DistributionBuiltins.distribution(a, "q"), try DistributionBuiltins.distribution(a, "p"))
        guard let qParts = DifferentiableParts(q) else { throw unsupported(q) }
        guard let pParts = DifferentiableParts(p) else { throw unsupported(p) }
        return try closedForm(qParts, pParts, q.family, p.family)
    }

    /// The closed-form KL(q ‖ p) as a formula in both sides' parameters: Normal
    /// or DiagNormal pairs, MvNormal with MvNormal, DiagNormal or StdNormal,
    /// and pairs of one scalar family.
    static func closedForm(_ q: DifferentiableParts, _ p: DifferentiableParts, _ qName: String, _ pName: String)
        throws(KLSError) -> Value
    {
        switch (q, p) {
        case (.gaussian(let gq), .gaussian(let gp)): return try gq.kl(to: gp)
        case (.scalar(let sq), .scalar(let sp)): return try sq.kl(to: sp)
        case (.discrete(let dq), .discrete(let dp)): return try dq.kl(to: dp)
        case (.dirichlet(let rq), .dirichlet(let rp)): return try rq.kl(to: rp)
        case (.mvNormal, _), (_, .mvNormal): return try multivariate(q, qName).kl(to: try multivariate(p, pName))
        default:
            throw KLSError(
                "grad of closed-form kl covers pairs within one family (and MvNormal with DiagNormal); for "
                    + "\(qName) against \(pName) use kl_mc, whose gradient is pathwise")
        }
    }

    /// q or p of a closed-form kl with an MvNormal in it, as an MvNormal.
    private static func multivariate(_ d: DifferentiableParts, _ name: String) throws(KLSError) -> MvNormalParts {
        if case .mvNormal(let m) = d { return m }
        if case .gaussian(let g) = d, let m = try MvNormalParts(diagonal: g) { return m }
        throw KLSError(
            "grad of closed-form kl pairs an MvNormal with MvNormal, DiagNormal or StdNormal, not \(name)",
            hint: "kl_mc's gradient is pathwise for any reparameterised family")
    }

    /// sample: mean + std · ε, with ε the draws of the standard normal of the
    /// same shape from the same stream (pathwise, reparameterised).
    static let sample = Derivative.custom { a, session throws(KLSError) in
        if case .distribution(let joint as JointDistribution) = a["dist"] {
            return try JointGradient.sample(joint, a, session)
        }
        let (d, parts) = try anyParts(a, "dist")
        let epsilon = try SamplingBuiltins.sample(a, session, try parts.standard(d)).asTensor()
        return try parts.draw(epsilon)
    }
}

extension Arguments {
    /// The arguments with every traced value replaced by its plain value.
    func untraced() -> Arguments {
        var copy = self
        copy.values = values.map { v in
            switch v {
            case .traced(let t): return .tensor(t.value)
            case .distribution(let d as TracedDistribution): return .distribution(d.base)
            default: return v
            }
        }
        return copy
    }
}
