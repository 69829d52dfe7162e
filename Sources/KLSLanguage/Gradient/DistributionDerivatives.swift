import Foundation
import KLSDiagnostics
import KLSDistributions
import KLSGradient
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
            let std: TracedNumber
            if !a.isNone("std") {
                std = try a.formulaNumber("std")
            } else if !a.isNone("logvar") {
                std = try TracedNumber.exp(0.5 * a.formulaNumber("logvar"))
            } else {
                std = try TracedNumber.sqrt(a.formulaNumber("var"))
            }
            let parts = GaussianParts(mean: try a.formulaNumber("mean"), std: std, isDiagonal: diagonal)
            return .distribution(TracedDistribution(base: base, parts: .gaussian(parts)))
        }
    }

    /// `MvNormal(mean, cov)` with traced parameters: the factor L of cov is
    /// traced through `cholesky`'s rule.
    static let mvNormal = Derivative.custom { a, _ throws(KLSError) in
        let base = try MvNormal(mean: try a.anyTensor("mean"), cov: try a.anyTensor("cov"))
        let parts = MvNormalParts(
            mean: try a.formulaNumber("mean"), scale: try TracedNumber.cholesky(try a.formulaNumber("cov")))
        return .distribution(TracedDistribution(base: base, parts: .mvNormal(parts)))
    }

    /// A vector family's constructor with traced parameters, by the family's own rule.
    static func vector(_ family: any DifferentiableVectorFamily.Type) -> Derivative {
        .custom { a, _ throws(KLSError) in
            var values: [TracedNumber] = []
            for name in family.parameterNames { values.append(try a.formulaNumber(name)) }
            return .distribution(try family.makeTraced(values))
        }
    }

    /// `Mixture(weights, components)` with traced weights or components: its
    /// density and moments differentiate (`MixtureParts`); its draws refuse.
    static let mixture = Derivative.custom { a, _ throws(KLSError) in
        guard case .list(let items) = a["components"] else {
            throw KLSError("Mixture: components must be a list of distributions, got \(a["components"].typeName)")
        }
        var (parts, bases): ([DifferentiableParts], [any Distribution]) = ([], [])
        for (i, item) in items.enumerated() {
            guard case .distribution(let d) = item else {
                throw KLSError("Mixture: components[\(i)] is a \(item.typeName), not a distribution")
            }
            guard let p = DifferentiableParts(d) else { throw unsupported(d) }
            parts.append(p)
            bases.append((d as? TracedDistribution)?.base ?? d)
        }
        let weights = try a.formulaNumber("weights")
        let base = try Mixture(weights: weights.value, components: bases)
        let mixtureParts = MixtureParts(weights: weights, components: parts, bases: bases)
        return .distribution(TracedDistribution(base: base, parts: .mixture(mixtureParts)))
    }

    /// A scalar family's constructor with traced parameters.
    static func scalar<F: ScalarFamily>(_ family: F.Type) -> Derivative {
        .custom { a, _ throws(KLSError) in
            var plain: [Tensor] = []
            for name in F.parameterNames { plain.append(try a.anyTensor(name)) }
            let base = try ScalarDistribution<F>(plain)
            var values: [TracedNumber] = []
            for name in F.parameterNames { values.append(try a.formulaNumber(name)) }
            let parts = ScalarParts(family: F.self, values: values)
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
                let probabilities = try DiscreteParts.normalised(try a.formulaNumber("probs"))
                parts = DiscreteParts(probabilities: probabilities, categorical: true)
            } else {
                base = try Bernoulli([try a.anyTensor("p")])
                parts = DiscreteParts(probabilities: try a.formulaNumber("p"), categorical: false)
            }
            return .distribution(TracedDistribution(base: base, parts: .discrete(parts)))
        }
    }

    /// The scalar families, from the registry (Normal is listed first, with the Gaussians).
    private static let scalarFamilies = ScalarFamilies.all.compactMap { family in
        family != NormalFamily.self ? family.name : nil
    }

    /// The vector families that differentiate, from their registry.
    private static let vectorFamilies = VectorFamilies.all.compactMap { family in
        (family as? any DifferentiableVectorFamily.Type)?.name
    }

    static func unsupported(_ d: any Distribution) -> KLSError {
        KLSError(
            "grad through \(d.family) is not supported yet: kls differentiates Normal, DiagNormal, StdNormal, "
                + "MvNormal, " + scalarFamilies.joined(separator: ", ")
                + ", Categorical, " + vectorFamilies.joined(separator: ", ") + " and Mixtures of them",
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
            let value: TracedNumber
            if case .distribution(let joint as JointDistribution) = a["dist"] {
                value = try JointGradient.logpdf(joint, a["x"], session)
            } else {
                value = try anyParts(a, "dist").1.logpdf(try a.formulaNumber("x"))
            }
            return Value(exponentiate ? try TracedNumber.exp(value) : value)
        }
    }

    static let entropy = Derivative.custom { a, _ throws(KLSError) in
        Value(try anyParts(a, "dist").1.entropy())
    }

    /// Closed-form kl: Normal or DiagNormal pairs, MvNormal against MvNormal,
    /// DiagNormal or StdNormal (either side), and pairs of one scalar family.
    static let kl = Derivative.custom { a, _ throws(KLSError) in
        let (q, p) = (try DistributionBuiltins.distribution(a, "q"), try DistributionBuiltins.distribution(a, "p"))
        guard let qParts = DifferentiableParts(q) else { throw unsupported(q) }
        guard let pParts = DifferentiableParts(p) else { throw unsupported(p) }
        return Value(try qParts.kl(to: pParts, q.family, p.family))
    }

    /// sample: mean + std · ε, with ε the draws of the standard normal of the
    /// same shape from the same stream (pathwise, reparameterised).
    static let sample = Derivative.custom { a, session throws(KLSError) in
        if case .distribution(let joint as JointDistribution) = a["dist"] {
            return try JointGradient.sample(joint, a, session)
        }
        let (d, parts) = try anyParts(a, "dist")
        let epsilon = try SamplingBuiltins.sample(a, session, try parts.standard(d)).asTensor()
        return Value(try parts.draw(epsilon))
    }
}

extension Arguments {
    /// Parameter `name` as a number formulas compute with, traced or not.
    func formulaNumber(_ name: String) throws(KLSError) -> TracedNumber {
        try read(name) { v, what throws(KLSError) in try Differentiation.number(v, what) }
    }

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
