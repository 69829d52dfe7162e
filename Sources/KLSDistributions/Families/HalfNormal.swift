import Foundation
import KLSDiagnostics
import KLSTensor

/// The half-normal distribution: |X| for X ~ N(0, scale²), on x ≥ 0.
public enum HalfNormalFamily: ScalarFamily {
    public static let name = "HalfNormal"
    public static let parameterNames = ["scale"]
    public static let parameterMeanings = ["the scale > 0: the std of the normal folded at 0"]
    public static let summary = "HalfNormal(scale): |Normal(0, scale)| on x ≥ 0."
    public static let example = "HalfNormal(1)"
    public static let tag = FamilyStream.named(name)

    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        t.scale > 0 && t.scale.isFinite ? nil : ("scale", "finite and > 0", t.scale)
    }

    /// ½ log(2/π) − log scale − x²/(2 scale²).
    public static func logDensity<N: FormulaNumber>(_ x: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let z = try x / t.scale
        return try (0.5 * Foundation.log(2 / Double.pi)) - N.log(t.scale) - 0.5 * z * z
    }

    public static func cdf(_ x: Double, _ t: Parameters) -> Double {
        x > 0 ? Foundation.erf(x / (t.scale * Gaussian.sqrtTwo)) : 0
    }

    /// scale · |ε| for the ziggurat's normal ε of the same index.
    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        var random = DrawRandom(generator, index: index, tag: tag)
        return t.scale * Swift.abs(random.normal())
    }

    /// ½ log(π e scale² / 2).
    public static func entropy<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try N.log(t.scale) + 0.5 * Foundation.log(Double.pi * M_E / 2)
    }
    public static func mean<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try (2 / Double.pi).squareRoot() * t.scale
    }
    public static func variance<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try (1 - 2 / Double.pi) * N.square(t.scale)
    }
    public static func support(_ t: Parameters) -> ClosedRange<Double> { 0...Double.infinity }
}

extension ParameterValues where F == HalfNormalFamily {
    public var scale: N { first }
}

/// ε ~ HalfNormal(1): the draw is scale · ε.
extension HalfNormalFamily: ScaleFamily {}

extension HalfNormalFamily: ClosedFormKLFamily {
    /// That of N(0, sq²) and N(0, sp²), folded alike.
    public static func kl<N: FormulaNumber>(_ q: ParameterValues<Self, N>, _ p: ParameterValues<Self, N>) throws(N
        .Failure) -> N
    { try GaussianKL.scalar(.constant(0), q.scale, .constant(0), p.scale) }
}

public typealias HalfNormal = ScalarDistribution<HalfNormalFamily>

/// T = x², η = −1/(2 scale²), A = −½ log(−2η).
extension HalfNormalFamily: ExponentialFamilyForm {
    public static func naturalParameters(_ t: Parameters) -> [Double]? {
        [-0.5 / (t.scale * t.scale)]
    }

    public static func logPartition(_ eta: [Double], base t: Parameters) -> Double {
        eta[0] < 0 ? -0.5 * Foundation.log(-2 * eta[0]) : .infinity
    }
}
