import Foundation
import KLSDiagnostics
import KLSTensor

/// The Weibull distribution with scale λ and concentration k (PyTorch's order):
/// density (k/λ)(x/λ)^(k−1) e^(−(x/λ)^k) on x ≥ 0.
public enum WeibullFamily: ScalarFamily {
    public static let name = "Weibull"
    public static let parameterNames = ["scale", "concentration"]
    public static let parameterMeanings = ["the scale λ > 0", "the concentration (shape) k > 0; k = 1 is Exponential"]
    public static let summary = "Weibull(scale, concentration) on x ≥ 0, cdf 1 − e^(−(x/scale)^concentration)."
    public static let example = "Weibull(1, 1.5)"
    public static let tag = FamilyStream.named(name)

    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        if !(t.scale > 0 && t.scale.isFinite) { return ("scale", "finite and > 0", t.scale) }
        if !(t.concentration > 0 && t.concentration.isFinite) {
            return ("concentration", "finite and > 0", t.concentration)
        }
        return nil
    }

    /// log(k/λ) + (k − 1) log(x/λ) − (x/λ)^k, the power as e^(k log(x/λ)).
    public static func logDensity<N: FormulaNumber>(_ x: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let logRatio = try N.log(x / t.scale)
        let power = try N.exp(t.concentration * logRatio)
        return try N.log(t.concentration / t.scale) + (t.concentration - 1) * logRatio - power
    }

    /// x = 0, where (k − 1) log(x/λ) is 0·∞ for k = 1.
    public static func logpdfOutside(_ x: Double, _ t: Parameters) -> Double? {
        if x.isNaN { return .nan }
        if x < 0 || x.isInfinite { return -.infinity }
        guard x == 0 else { return nil }
        let k = t.concentration
        return k < 1 ? .infinity : (k == 1 ? -Foundation.log(t.scale) : -.infinity)
    }

    public static func cdf(_ x: Double, _ t: Parameters) -> Double {
        x > 0 ? -Foundation.expm1(-Foundation.pow(x / t.scale, t.concentration)) : 0
    }

    /// γ(1 − 1/k) + log(λ/k) + 1.
    public static func entropy<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try SpecialFunctions.eulerGamma * (1 - 1 / t.concentration) + N.log(t.scale / t.concentration) + 1
    }
    /// λ Γ(1 + 1/k).
    public static func mean<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try t.scale * N.exp(N.lgamma(1 + 1 / t.concentration))
    }
    /// λ² (Γ(1 + 2/k) − Γ(1 + 1/k)²).
    public static func variance<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let second = try N.exp(N.lgamma(1 + 2 / t.concentration))
        let first = try N.exp(N.lgamma(1 + 1 / t.concentration))
        return try N.square(t.scale) * (second - first * first)
    }
    public static func support(_ t: Parameters) -> ClosedRange<Double> { 0...Double.infinity }
}

extension ParameterValues where F == WeibullFamily {
    public var scale: N { first }
    public var concentration: N { second }
}

extension WeibullFamily: NoiseDrivenFamily {
    /// ε ~ Exponential(1), −log u: the draw is λ ε^(1/k).
    public static func noise(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        exponentialNoise(generator, index)
    }
    public static func pathwiseDraw<N: FormulaNumber>(_ epsilon: N, _ t: ParameterValues<Self, N>) throws(N.Failure)
        -> N
    { try t.scale * N.exp(N.log(epsilon) / t.concentration) }
}

public typealias Weibull = ScalarDistribution<WeibullFamily>

/// With one concentration k: T = x^k, η = −scale^(−k), A = −log(−η).
extension WeibullFamily: ExponentialFamilyForm {
    public static func naturalParameters(_ t: Parameters) -> [Double]? {
        [-Foundation.pow(t.scale, -t.concentration)]
    }

    public static func logPartition(_ eta: [Double], base t: Parameters) -> Double {
        eta[0] < 0 ? -Foundation.log(-eta[0]) : .infinity
    }

    public static func sharesBase(_ a: Parameters, _ b: Parameters) -> Bool {
        a.concentration == b.concentration
    }
}
