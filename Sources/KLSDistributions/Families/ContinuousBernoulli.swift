import Foundation
import KLSDiagnostics
import KLSTensor

/// The continuous Bernoulli distribution on [0, 1] (Loaiza-Ganem & Cunningham
/// 2019): density C(λ) λ^x (1 − λ)^(1−x), the normalised Bernoulli likelihood a
/// VAE with [0, 1] pixels really uses. With t = 1 − 2λ and L = 2 atanh t =
/// log((1 − λ)/λ), log p(x) = log(1 − λ) − xL + log C and C = L/t; every formula
/// here is written in t and L, centred at x = ½ and with Taylor series where λ
/// is near ½ (PyTorch evaluates at λ = 0.499 instead), so none cancels.
public enum ContinuousBernoulliFamily: ScalarFamily {
    public static let name = "ContinuousBernoulli"
    public static let parameterNames = ["probs"]
    public static let parameterMeanings = ["the shape λ in (0, 1); λ = ½ is Uniform(0, 1)"]
    public static let summary = "ContinuousBernoulli(probs) on [0, 1], density ∝ λ^x (1 − λ)^(1−x)."
    public static let example = "ContinuousBernoulli(0.3)"
    public static let tag = FamilyStream.named(name)

    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        t.probs > 0 && t.probs < 1 ? nil : ("probs", "in (0, 1)", t.probs)
    }

    /// t = 1 − 2λ (exact in floating point near λ = ½).
    static func skew<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N { try 1 - 2 * t.probs }
    /// L = 2 atanh t = log1p(2t/(1 − t)).
    static func logOdds<N: FormulaNumber>(_ t: N) throws(N.Failure) -> N { try N.log1p(2 * t / (1 - t)) }
    /// t, or ½ where |t| < `threshold`: the direct forms divide by t, and where
    /// their branch is not taken they must stay finite so its zero gradient stays 0.
    static func away<N: FormulaNumber>(_ t: N, _ threshold: Double) throws(N.Failure) -> N {
        try N.choose(t, { Swift.abs($0) < threshold }, .constant(0.5), t)
    }

    /// log(C/2) = log(atanh(t)/t): its Taylor series in t² for |t| < 0.1, where
    /// atanh(t)/t rounds near 1 (terms to t¹⁸, the next below 10⁻²⁰).
    static func logHalfNormalizer<N: FormulaNumber>(_ t: N) throws(N.Failure) -> N {
        let square = try t * t
        var series =
            try square * (9_718_892_317 / 355_245_345_000 + square * (41_728_893_807_163 / 1_754_068_296_605_625))
        series = try square * (147_636_491 / 3_831_077_250 + square * (61_425_277 / 1_915_538_625 + series))
        series = try square * (3551 / 56700 + square * (22417 / 467_775 + series))
        series = try square * (1 / 3 + square * (13 / 90 + square * (251 / 2835 + series)))
        let far = try away(t, 0.1)
        return try N.choose(t, { Swift.abs($0) < 0.1 }, series, N.log(logOdds(far) / (2 * far)))
    }

    /// (½ − x)L + ½ log(1 − t²) + log(C/2): log(1 − λ) − xL + log C with the
    /// log 2s taken out, so that no two terms cancel near λ = ½, x = ½.
    public static func logDensity<N: FormulaNumber>(_ x: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let s = try skew(t)
        return try (0.5 - x) * logOdds(s) + 0.5 * N.log1p(-s * s) + logHalfNormalizer(s)
    }

    /// (λ^x (1 − λ)^(1−x) + λ − 1)/(2λ − 1) = expm1(x log1p r)/r, r = (2λ − 1)/(1 − λ).
    public static func cdf(_ x: Double, _ t: Parameters) -> Double {
        guard x > 0 else { return 0 }
        guard x < 1 else { return 1 }
        let r = (2 * t.probs - 1) / (1 - t.probs)
        return r == 0 ? x : Foundation.expm1(x * Foundation.log1p(r)) / r
    }

    /// log1p(r u)/log1p(r); u + u(1 − u) r/2 + u(u²/3 − u/4 − 1/12) r² for |r| < 10⁻⁶.
    static func draw<N: FormulaNumber>(_ u: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let r = try (2 * t.probs - 1) / (1 - t.probs)
        let series = try u + u * (1 - u) * r / 2 + u * (u * u / 3 - u / 4 - 1.0 / 12) * r * r
        let far = try away(r, 1e-6)
        return try N.choose(r, { Swift.abs($0) < 1e-6 }, series, N.log1p(far * u) / N.log1p(far))
    }

    /// E[X] − ½ = 1/L − 1/(2t); its Taylor series for |t| < 0.05, where the two terms cancel.
    static func centredMean<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let s = try skew(t)
        let square = try s * s
        var series = try square * (5098 / 467_775 + square * (5_359_534 / 638_512_875))
        series = try square * (22 / 945 + square * (214 / 14175 + series))
        series = try -s * (1 / 6 + square * (2 / 45 + series))
        let far = try away(s, 0.05)
        return try N.choose(s, { Swift.abs($0) < 0.05 }, series, 1 / logOdds(far) - 1 / (2 * far))
    }
    public static func mean<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try 0.5 + centredMean(t)
    }

    /// 1/L² − (1 − t²)/(4t²); its Taylor series for |t| < 0.05.
    public static func variance<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let s = try skew(t)
        let square = try s * s
        var series = try square * (76 / 14175 + square * (592 / 155_925 + square * (1_837_028 / 638_512_875)))
        series = try 1.0 / 12 - square * (1 / 60 + square * (8 / 945 + series))
        let far = try away(s, 0.05)
        let direct = try 1 / N.square(logOdds(far)) - (1 - far * far) / (4 * far * far)
        return try N.choose(s, { Swift.abs($0) < 0.05 }, series, direct)
    }

    /// −E[log p(X)] = (E[X] − ½)L − ½ log(1 − t²) − log(C/2).
    public static func entropy<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let s = try skew(t)
        return try centredMean(t) * logOdds(s) - 0.5 * N.log1p(-s * s) - logHalfNormalizer(s)
    }

    /// E[log p(X)] for X with mean `mean` on [0, 1].
    static func expectedLog(_ t: Parameters, mean: Double) -> Double {
        logDensity(mean, t)
    }
    public static func support(_ t: Parameters) -> ClosedRange<Double> { 0...1 }
}

extension ParameterValues where F == ContinuousBernoulliFamily {
    public var probs: N { first }
}

extension ContinuousBernoulliFamily: NoiseDrivenFamily {
    /// ε ~ Uniform(0, 1): the draw is the inverse cdf at ε.
    public static func noise(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        uniformNoise(generator, index)
    }
    public static func pathwiseDraw<N: FormulaNumber>(_ epsilon: N, _ t: ParameterValues<Self, N>) throws(N.Failure)
        -> N
    { try draw(epsilon, t) }
}

extension ContinuousBernoulliFamily: ClosedFormKLFamily {
    /// E_q[X](Lp − Lq) + log Cq − log Cp + log(1 − λq) − log(1 − λp), as
    /// (E_q[X] − ½)(Lp − Lq) + ½ log(1 − tq²) − ½ log(1 − tp²) + log(Cq/2) − log(Cp/2).
    public static func kl<N: FormulaNumber>(_ q: ParameterValues<Self, N>, _ p: ParameterValues<Self, N>) throws(N
        .Failure) -> N
    {
        let (sq, sp) = (try skew(q), try skew(p))
        let linear = try centredMean(q) * (logOdds(sp) - logOdds(sq))
        let quadratic = try 0.5 * (N.log1p(-sq * sq) - N.log1p(-sp * sp))
        return try linear + quadratic + logHalfNormalizer(sq) - logHalfNormalizer(sp)
    }
}

extension ContinuousBernoulliFamily: CrossFamilyKLFamily {
    /// The pairs with a continuous Bernoulli that PyTorch has. Its log-density is
    /// affine in z, so E_q[log p] needs only q's mean; against it, q's moments.
    static let crossFamilyKL: [KLRegistry.Entry] = [
        crossRule(BetaFamily.self, ContinuousBernoulliFamily.self) { q, p in
            -BetaFamily.entropy(q) - expectedLog(p, mean: BetaFamily.mean(q))
        },
        crossRule(UniformFamily.self, ContinuousBernoulliFamily.self) { q, p in
            guard q.low >= 0 && q.high <= 1 else { return .infinity }
            return -UniformFamily.entropy(q) - expectedLog(p, mean: UniformFamily.mean(q))
        },
        crossRule(ContinuousBernoulliFamily.self, ExponentialFamily.self) { q, p in
            -ContinuousBernoulliFamily.entropy(q)
                - CrossFamilyKL.exponentialLog(p, mean: ContinuousBernoulliFamily.mean(q))
        },
        crossRule(ContinuousBernoulliFamily.self, NormalFamily.self) { q, p in
            let (mean, variance) = (ContinuousBernoulliFamily.mean(q), ContinuousBernoulliFamily.variance(q))
            return -ContinuousBernoulliFamily.entropy(q) - CrossFamilyKL.normalLog(p, mean: mean, variance: variance)
        },
        crossRule(ContinuousBernoulliFamily.self, UniformFamily.self) { q, p in
            p.low <= 0 && p.high >= 1
                ? -ContinuousBernoulliFamily.entropy(q) + Foundation.log(p.high - p.low) : .infinity
        },
    ]
}

public typealias ContinuousBernoulli = ScalarDistribution<ContinuousBernoulliFamily>

/// T = x, η = logit probs, A = log((e^η − 1)/η) (η/2 + η²/24 near 0); probs of 0 or 1 is the edge.
extension ContinuousBernoulliFamily: ExponentialFamilyForm {
    public static func naturalParameters(_ t: Parameters) -> [Double]? {
        t.probs > 0 && t.probs < 1 ? [Foundation.log(t.probs) - Foundation.log1p(-t.probs)] : nil
    }

    public static func logPartition(_ eta: [Double], base t: Parameters) -> Double {
        Swift.abs(eta[0]) < 1e-4
            ? eta[0] / 2 + eta[0] * eta[0] / 24
            : (eta[0] > 0
                ? eta[0] + Foundation.log(-Foundation.expm1(-eta[0])) - Foundation.log(eta[0])
                : Foundation.log(-Foundation.expm1(eta[0])) - Foundation.log(-eta[0]))
    }
}
