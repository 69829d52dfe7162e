import Foundation
import KLSDiagnostics
import KLSTensor

/// The Kumaraswamy distribution on (0, 1): density a b x^(a−1) (1 − x^a)^(b−1),
/// a Beta look-alike whose cdf 1 − (1 − x^a)^b inverts in closed form, so its
/// draws are a smooth function of a uniform (PyTorch's concentration1 = a,
/// concentration0 = b).
public enum KumaraswamyFamily: ScalarFamily {
    public static let name = "Kumaraswamy"
    public static let parameterNames = ["a", "b"]
    public static let parameterMeanings = [
        "the first shape a > 0 (concentration1)", "the second shape b > 0 (concentration0)",
    ]
    public static let summary = "Kumaraswamy(a, b) on (0, 1), cdf 1 − (1 − x^a)^b."
    public static let example = "Kumaraswamy(2, 5)"
    public static let tag = FamilyStream.named(name)

    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        if !(t.a > 0 && t.a.isFinite) { return ("a", "finite and > 0", t.a) }
        if !(t.b > 0 && t.b.isFinite) { return ("b", "finite and > 0", t.b) }
        return nil
    }

    /// log a + log b + (a − 1) log x + (b − 1) log(1 − x^a), x^a as e^(a log x).
    public static func logDensity<N: FormulaNumber>(_ x: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let logX = try N.log(x)
        let power = try N.exp(t.a * logX)
        return try N.log(t.a * t.b) + (t.a - 1) * logX + (t.b - 1) * N.log1p(-power)
    }

    /// The edges, where (a − 1) log x or (b − 1) log(1 − x^a) is 0·∞.
    public static func logpdfOutside(_ x: Double, _ t: Parameters) -> Double? {
        if x.isNaN { return .nan }
        if x < 0 || x > 1 { return -.infinity }
        if x == 0 { return t.a < 1 ? .infinity : (t.a == 1 ? Foundation.log(t.b) : -.infinity) }
        if x == 1 { return t.b < 1 ? .infinity : (t.b == 1 ? Foundation.log(t.a) : -.infinity) }
        return nil
    }

    /// 1 − (1 − x^a)^b = −expm1(b log1p(−x^a)).
    public static func cdf(_ x: Double, _ t: Parameters) -> Double {
        guard x > 0 else { return 0 }
        guard x < 1 else { return 1 }
        return -Foundation.expm1(t.b * Foundation.log1p(-Foundation.pow(x, t.a)))
    }

    /// (1 − u^(1/b))^(1/a), as e^(log(−expm1(log u / b)) / a): u^(1/b) near 1 keeps its digits.
    static func draw<N: FormulaNumber>(_ u: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try N.exp(N.log(-N.expm1(N.log(u) / t.b)) / t.a)
    }

    /// (1 − 1/b) + (1 − 1/a) H_b − log(ab), H_b = ψ(b + 1) + γ the harmonic number.
    public static func entropy<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let harmonic = try N.digamma(t.b + 1) + SpecialFunctions.eulerGamma
        return try (1 - 1 / t.b) + (1 - 1 / t.a) * harmonic - N.log(t.a * t.b)
    }
    /// E[Xⁿ] = b B(1 + n/a, b).
    static func moment<N: FormulaNumber>(_ n: Double, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try t.b * N.exp(N.logBeta(1 + n / t.a, t.b))
    }
    public static func mean<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try moment(1, t)
    }
    public static func variance<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try moment(2, t) - N.square(moment(1, t))
    }
    public static func support(_ t: Parameters) -> ClosedRange<Double> { 0...1 }
}

extension ParameterValues where F == KumaraswamyFamily {
    public var a: N { first }
    public var b: N { second }
}

extension KumaraswamyFamily: NoiseDrivenFamily {
    /// ε ~ Uniform(0, 1): the draw is the inverse cdf at ε.
    public static func noise(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        uniformNoise(generator, index)
    }
    public static func pathwiseDraw<N: FormulaNumber>(_ epsilon: N, _ t: ParameterValues<Self, N>) throws(N.Failure)
        -> N
    { try draw(epsilon, t) }
}

public typealias Kumaraswamy = ScalarDistribution<KumaraswamyFamily>
