import Foundation
import KLSDiagnostics
import KLSTensor

/// The Gumbel (type-I extreme value) distribution: density e^(−(z + e^(−z)))/scale,
/// z = (x − loc)/scale — the law of the maximum of many light-tailed draws.
public enum GumbelFamily: ScalarFamily {
    public static let name = "Gumbel"
    public static let parameterNames = ["loc", "scale"]
    public static let parameterMeanings = ["the location: the mode", "the scale > 0"]
    public static let summary = "Gumbel(loc, scale): the extreme-value law, mean loc + γ·scale."
    public static let example = "Gumbel(0, 1)"
    public static let tag = FamilyStream.named(name)

    public static func logDensity<N: FormulaNumber>(_ x: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let z = try (x - t.loc) / t.scale
        return try -(z + N.exp(-z)) - N.log(t.scale)
    }

    public static func cdf(_ x: Double, _ t: Parameters) -> Double {
        Foundation.exp(-Foundation.exp(-(x - t.loc) / t.scale))
    }

    /// loc − scale · log(−log u).
    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        let u = Philox.openUnit(generator.singleWord(index: index, stream: tag))
        return t.loc - t.scale * Foundation.log(-Foundation.log(u))
    }

    public static func entropy<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try N.log(t.scale) + (1 + SpecialFunctions.eulerGamma)
    }
    public static func mean<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try t.loc + SpecialFunctions.eulerGamma * t.scale
    }
    public static func variance<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try Double.pi * Double.pi / 6 * N.square(t.scale)
    }
}

extension ParameterValues where F == GumbelFamily {
    public var loc: N { first }
    public var scale: N { second }
}

extension GumbelFamily: LocationScaleFamily {}

extension GumbelFamily: ClosedFormKLFamily {
    /// With ρ = sq/sp and δ = (μq − μp)/sp (PyTorch's `_kl_gumbel_gumbel`):
    /// −log ρ + δ + γ(ρ − 1) + e^(−δ) Γ(1 + ρ) − 1.
    public static func kl<N: FormulaNumber>(_ q: ParameterValues<Self, N>, _ p: ParameterValues<Self, N>) throws(N
        .Failure) -> N
    {
        // With ρ = βq/βp = 1 + t and δ = (μq − μp)/βp, log Γ(1 + ρ) = (1 − γ)t + G,
        // G = log Γ(2 + t) − log Γ(2) − tψ(2): the textbook −log ρ + δ + γ(ρ − 1) +
        // e^(log Γ(1 + ρ) − δ) − 1 is −r(t) + G + e₂(E), E = (1 − γ)t + G − δ,
        // r(t) = log(1 + t) − t, e₂(E) = eᴱ − 1 − E: three terms ≥ 0, no cancellation.
        let t = try (q.scale - p.scale) / p.scale
        let shift = try (q.loc - p.loc) / p.scale
        let gap = try N.logGammaGap(.constant(2), q.scale / p.scale + 1, difference: t)
        let exponent = try (1 - SpecialFunctions.eulerGamma) * t + gap - shift
        return try -N.log1pMinusRatio(q.scale, p.scale, t: t) + gap + N.expm1Minus(exponent)
    }
}

extension GumbelFamily: CrossFamilyKLFamily {
    /// The pairs with a Gumbel p (and Gumbel q against a Normal) that PyTorch has.
    /// log p(z) = −log β − (z − μ)/β − e^(−(z − μ)/β), so E_q[log p] needs q's mean
    /// and its moment-generating function at −1/β, taken here in log form so that
    /// a narrow p far from q overflows to +inf, not to nan.
    static let crossFamilyKL: [KLRegistry.Entry] = [
        crossRule(ExponentialFamily.self, GumbelFamily.self) { q, p in
            // M(−1/β) = λβ/(λβ + 1).
            let logMeanExp = p.loc / p.scale - Foundation.log1p(1 / (q.rate * p.scale))
            return -ExponentialFamily.entropy(q) - expectedLog(p, mean: 1 / q.rate, logMeanExp: logMeanExp)
        },
        crossRule(GammaFamily.self, GumbelFamily.self) { q, p in
            // M(−1/β) = (1 + 1/(rβ))^(−α).
            let logMeanExp = p.loc / p.scale - q.shape * Foundation.log1p(1 / (q.rate * p.scale))
            return -GammaFamily.entropy(q) - expectedLog(p, mean: GammaFamily.mean(q), logMeanExp: logMeanExp)
        },
        crossRule(NormalFamily.self, GumbelFamily.self) { q, p in
            let z = q.std / p.scale
            let logMeanExp = (p.loc - q.mean) / p.scale + 0.5 * z * z
            return -NormalFamily.entropy(q) - expectedLog(p, mean: q.mean, logMeanExp: logMeanExp)
        },
        crossRule(UniformFamily.self, GumbelFamily.self) { q, p in
            // E e^(−(Z − μ)/β) = β (e^(−(a − μ)/β) − e^(−(b − μ)/β)) / (b − a).
            let width = q.high - q.low
            let logMeanExp =
                -(q.low - p.loc) / p.scale + Foundation.log(p.scale / width)
                + Foundation.log(-Foundation.expm1(-width / p.scale))
            return -UniformFamily.entropy(q) - expectedLog(p, mean: UniformFamily.mean(q), logMeanExp: logMeanExp)
        },
        crossRule(GumbelFamily.self, NormalFamily.self) { q, p in
            -GumbelFamily.entropy(q)
                - CrossFamilyKL.normalLog(p, mean: GumbelFamily.mean(q), variance: GumbelFamily.variance(q))
        },
    ]

    /// E[log p(Z)] for p = Gumbel(μ, β): −log β − (E Z − μ)/β − E[e^(−(Z − μ)/β)],
    /// the last given as its log.
    static func expectedLog(_ p: Parameters, mean: Double, logMeanExp: Double) -> Double {
        -Foundation.log(p.scale) - (mean - p.loc) / p.scale - Foundation.exp(logMeanExp)
    }
}

public typealias Gumbel = ScalarDistribution<GumbelFamily>
