import Foundation
import KLSDiagnostics
import KLSTensor

/// The logistic distribution: density e^(−z) / (scale (1 + e^(−z))²), z = (x − loc)/scale;
/// its cdf is the sigmoid of z.
public enum LogisticFamily: ScalarFamily {
    public static let name = "Logistic"
    public static let parameterNames = ["loc", "scale"]
    public static let parameterMeanings = ["the location: the mean and median", "the scale > 0"]
    public static let summary = "Logistic(loc, scale): cdf sigmoid((x − loc)/scale)."
    public static let example = "Logistic(0, 1)"
    public static let tag = FamilyStream.named(name)

    /// −|z| − 2 log(1 + e^(−|z|)) − log scale: the density is even in z, and this
    /// form never overflows.
    public static func logDensity<N: FormulaNumber>(_ x: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let magnitude = try N.abs((x - t.loc) / t.scale)
        return try -magnitude - 2 * N.log1p(N.exp(-magnitude)) - N.log(t.scale)
    }

    public static func cdf(_ x: Double, _ t: Parameters) -> Double {
        SpecialFunctions.sigmoid((x - t.loc) / t.scale)
    }

    /// loc + scale · log(u / (1 − u)).
    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        let u = Philox.openUnit(generator.singleWord(index: index, stream: tag))
        return t.loc + t.scale * (Foundation.log(u) - Foundation.log1p(-u))
    }

    public static func entropy<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try N.log(t.scale) + 2
    }
    public static func mean<N: FormulaNumber>(_ t: ParameterValues<Self, N>) -> N { t.loc }
    public static func variance<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try Double.pi * Double.pi / 3 * N.square(t.scale)
    }
}

extension ParameterValues where F == LogisticFamily {
    public var loc: N { first }
    public var scale: N { second }
}

extension LogisticFamily: LocationScaleFamily {}

public typealias Logistic = ScalarDistribution<LogisticFamily>
