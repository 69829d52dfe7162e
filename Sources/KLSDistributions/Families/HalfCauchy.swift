import Foundation
import KLSDiagnostics
import KLSTensor

/// The half-Cauchy distribution: |X| for X ~ Cauchy(0, scale), on x ≥ 0. Like
/// the Cauchy it has no finite mean or variance (PyTorch reports inf for both).
public enum HalfCauchyFamily: ScalarFamily {
    public static let name = "HalfCauchy"
    public static let parameterNames = ["scale"]
    public static let parameterMeanings = ["the scale > 0: the median"]
    public static let summary = "HalfCauchy(scale): |Cauchy(0, scale)| on x ≥ 0, a common prior for scales."
    public static let example = "HalfCauchy(1)"
    public static let tag = FamilyStream.named(name)

    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        t.scale > 0 && t.scale.isFinite ? nil : ("scale", "finite and > 0", t.scale)
    }

    /// log(2/π) − log scale − log(1 + (x/scale)²).
    public static func logDensity<N: FormulaNumber>(_ x: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let z = try x / t.scale
        return try Foundation.log(2 / Double.pi) - N.log(t.scale) - N.log1pSquareOver(z, .constant(1))
    }

    /// (2/π) atan(x/scale), as 1 − (2/π) atan(scale/x) far out, where the first form rounds to 1.
    public static func cdf(_ x: Double, _ t: Parameters) -> Double {
        guard x > 0 else { return 0 }
        let z = x / t.scale
        return z > 1 ? 1 - 2 * Foundation.atan(1 / z) / Double.pi : 2 * Foundation.atan(z) / Double.pi
    }

    /// scale · tan(πu/2).
    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        let u = Philox.openUnit(generator.singleWord(index: index, stream: tag))
        return t.scale * Foundation.tan(Double.pi / 2 * u)
    }

    /// log(2π scale).
    public static func entropy<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try N.log(2 * Double.pi * t.scale)
    }
    public static func mean<N: FormulaNumber>(_ t: ParameterValues<Self, N>) -> N { .constant(.infinity) }
    public static func variance<N: FormulaNumber>(_ t: ParameterValues<Self, N>) -> N { .constant(.infinity) }
    public static func support(_ t: Parameters) -> ClosedRange<Double> { 0...Double.infinity }
}

extension ParameterValues where F == HalfCauchyFamily {
    public var scale: N { first }
}

/// ε ~ HalfCauchy(1): the draw is scale · ε.
extension HalfCauchyFamily: ScaleFamily {}

extension HalfCauchyFamily: ClosedFormKLFamily {
    /// That of Cauchy(0, sq) and Cauchy(0, sp), folded alike.
    public static func kl<N: FormulaNumber>(_ q: ParameterValues<Self, N>, _ p: ParameterValues<Self, N>) throws(N
        .Failure) -> N
    { try CauchyFamily.kl(.init(.constant(0), q.scale, .constant(0)), .init(.constant(0), p.scale, .constant(0))) }
}

public typealias HalfCauchy = ScalarDistribution<HalfCauchyFamily>
