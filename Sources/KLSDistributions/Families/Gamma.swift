import Foundation
import KLSTensor
import RealModule

/// The gamma distribution with shape α and rate β: density ∝ x^(α−1) e^(−βx).
public enum GammaFamily: ScalarFamily {
    public static let name = "Gamma"
    public static let parameterNames = ["shape", "rate"]
    public static let tag: UInt32 = FamilyStream.gamma.tag

    public static func validate(_ t: Theta) -> (parameter: String, requirement: String, value: Double)? {
        if !(t.a > 0 && t.a.isFinite) { return ("shape", "finite and > 0", t.a) }
        if !(t.b > 0 && t.b.isFinite) { return ("rate", "finite and > 0", t.b) }
        return nil
    }

    public static func logpdf(_ x: Double, _ t: Theta) -> Double {
        if x < 0 || x.isNaN { return x.isNaN ? .nan : -.infinity }
        if x == 0 { return t.a < 1 ? .infinity : (t.a == 1 ? Foundation.log(t.b) : -.infinity) }
        return t.a * Foundation.log(t.b) + (t.a - 1) * Foundation.log(x) - t.b * x - Double.logGamma(t.a)
    }

    public static func cdf(_ x: Double, _ t: Theta) -> Double {
        SpecialFunctions.regularizedGammaP(t.a, t.b * Swift.max(x, 0))
    }

    /// Marsaglia–Tsang with the shape < 1 boost (see `DrawRandom.gamma`).
    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Theta) -> Double {
        var random = DrawRandom(generator, index: index, tag: tag)
        return random.gamma(t.a) / t.b
    }

    public static func entropy(_ t: Theta) -> Double {
        t.a - Foundation.log(t.b) + Double.logGamma(t.a) + (1 - t.a) * SpecialFunctions.digamma(t.a)
    }

    public static func mean(_ t: Theta) -> Double { t.a / t.b }
    public static func variance(_ t: Theta) -> Double { t.a / (t.b * t.b) }
    public static func support(_ t: Theta) -> ClosedRange<Double> { 0...Double.infinity }
}

public typealias Gamma = ScalarDistribution<GammaFamily>
