import Foundation
import KLSDiagnostics
import KLSTensor

/// The Pareto distribution (type I) with scale s and index α: density
/// α s^α / x^(α+1) on x ≥ s. Its mean is finite only for α > 1, its variance
/// only for α > 2 (inf otherwise, as PyTorch).
public enum ParetoFamily: ScalarFamily {
    public static let name = "Pareto"
    public static let parameterNames = ["scale", "alpha"]
    public static let parameterMeanings = ["the scale s > 0: the smallest value", "the tail index α > 0"]
    public static let summary = "Pareto(scale, alpha) on x ≥ scale, tail P(X > x) = (scale/x)^alpha."
    public static let example = "Pareto(1, 3)"
    public static let tag = FamilyStream.named(name)

    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        if !(t.scale > 0 && t.scale.isFinite) { return ("scale", "finite and > 0", t.scale) }
        if !(t.alpha > 0 && t.alpha.isFinite) { return ("alpha", "finite and > 0", t.alpha) }
        return nil
    }

    /// log α − log s − (α + 1) log(x/s).
    public static func logDensity<N: FormulaNumber>(_ x: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try N.log(t.alpha / t.scale) - (t.alpha + 1) * N.log(x / t.scale)
    }

    /// 1 − (s/x)^α, as −expm1(−α log(x/s)) so that it keeps its digits near s.
    public static func cdf(_ x: Double, _ t: Parameters) -> Double {
        x > t.scale ? -Foundation.expm1(-t.alpha * Foundation.log(x / t.scale)) : 0
    }

    /// log(s/α) + 1/α + 1.
    public static func entropy<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try N.log(t.scale / t.alpha) + 1 / t.alpha + 1
    }
    /// α s/(α − 1) for α > 1.
    public static func mean<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try N.choose(t.alpha, { $0 > 1 }, t.alpha * t.scale / (t.alpha - 1), .constant(.infinity))
    }
    /// s² α / ((α − 1)² (α − 2)) for α > 2.
    public static func variance<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let finite = try N.square(t.scale) * t.alpha / (N.square(t.alpha - 1) * (t.alpha - 2))
        return try N.choose(t.alpha, { $0 > 2 }, finite, .constant(.infinity))
    }
    public static func support(_ t: Parameters) -> ClosedRange<Double> { t.scale...Double.infinity }
}

extension ParameterValues where F == ParetoFamily {
    public var scale: N { first }
    public var alpha: N { second }
}

extension ParetoFamily: NoiseDrivenFamily {
    /// ε ~ Exponential(1), −log u: the draw is s · e^(ε/α).
    public static func noise(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        exponentialNoise(generator, index)
    }
    public static func pathwiseDraw<N: FormulaNumber>(_ epsilon: N, _ t: ParameterValues<Self, N>) throws(N.Failure)
        -> N
    { try t.scale * N.exp(epsilon / t.alpha) }
}

extension ParetoFamily: ClosedFormKLFamily {
    /// αp log(sq/sp) + αp/αq − 1 − log(αp/αq) (the last three as −log1pMinus(αp/αq − 1), exact for
    /// q ≈ p); inf where q's support starts below p's (sq < sp).
    public static func kl<N: FormulaNumber>(_ q: ParameterValues<Self, N>, _ p: ParameterValues<Self, N>) throws(N
        .Failure) -> N
    {
        let finite = try p.alpha * N.logRatio(q.scale, p.scale) - N.log1pMinusRatio(p.alpha, q.alpha)
        return try N.choose(q.scale - p.scale, { $0 >= 0 }, finite, .constant(.infinity))
    }
}

extension ParetoFamily: CrossFamilyKLFamily {
    /// The pairs with a Pareto that PyTorch has. E_q[log Z] = log s + 1/α for a
    /// Pareto q; its mean is inf for α ≤ 1 and its variance for α ≤ 2, which makes
    /// the KL to a light-tailed p inf, as it is.
    static let crossFamilyKL: [KLRegistry.Entry] = [
        crossRule(ParetoFamily.self, ExponentialFamily.self) { q, p in
            -ParetoFamily.entropy(q) - CrossFamilyKL.exponentialLog(p, mean: ParetoFamily.mean(q))
        },
        crossRule(ParetoFamily.self, GammaFamily.self) { q, p in
            let meanLog = Foundation.log(q.scale) + 1 / q.alpha
            return -ParetoFamily.entropy(q) - CrossFamilyKL.gammaLog(p, mean: ParetoFamily.mean(q), meanLog: meanLog)
        },
        crossRule(ParetoFamily.self, NormalFamily.self) { q, p in
            -ParetoFamily.entropy(q)
                - CrossFamilyKL.normalLog(p, mean: ParetoFamily.mean(q), variance: ParetoFamily.variance(q))
        },
        crossRule(UniformFamily.self, ParetoFamily.self) { q, p in
            // log p(z) = log α + α log s − (α + 1) log z.
            guard q.low >= p.scale else { return .infinity }
            let expected =
                Foundation.log(p.alpha) + p.alpha * Foundation.log(p.scale)
                - (p.alpha + 1) * CrossFamilyKL.uniformMeanLog(q.low, q.high)
            return -UniformFamily.entropy(q) - expected
        },
    ]
}

public typealias Pareto = ScalarDistribution<ParetoFamily>

/// With one scale s: T = log x, η = −α − 1, A = −log α − α log s with α = −η − 1.
extension ParetoFamily: ExponentialFamilyForm {
    public static func naturalParameters(_ t: Parameters) -> [Double]? {
        [-t.alpha - 1]
    }

    public static func logPartition(_ eta: [Double], base t: Parameters) -> Double {
        -eta[0] - 1 > 0 ? -Foundation.log(-eta[0] - 1) - (-eta[0] - 1) * Foundation.log(t.scale) : .infinity
    }

    public static func sharesBase(_ a: Parameters, _ b: Parameters) -> Bool {
        a.scale == b.scale
    }
}
