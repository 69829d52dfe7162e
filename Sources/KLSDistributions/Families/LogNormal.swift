import Foundation
import KLSTensor

/// The log-normal distribution: exp of N(mu, sigma²).
public enum LogNormalFamily: ScalarFamily {
    public static let name = "LogNormal"
    public static let parameterNames = ["mu", "sigma"]
    public static let tag: UInt32 = NormalSampler.streamTag

    public static func validate(_ t: Theta) -> (parameter: String, requirement: String, value: Double)? {
        if !t.a.isFinite { return ("mu", "finite", t.a) }
        if !(t.b > 0 && t.b.isFinite) { return ("sigma", "finite and > 0", t.b) }
        return nil
    }

    public static func logpdf(_ x: Double, _ t: Theta) -> Double {
        guard x > 0 else { return x.isNaN ? .nan : -.infinity }
        let logX = Foundation.log(x)
        let z = (logX - t.a) / t.b
        return -0.5 * z * z - Foundation.log(t.b) - Gaussian.logSqrtTwoPi - logX
    }

    public static func cdf(_ x: Double, _ t: Theta) -> Double {
        x > 0 ? SpecialFunctions.normalCDF((Foundation.log(x) - t.a) / t.b) : 0
    }

    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Theta) -> Double {
        Foundation.exp(t.a + t.b * NormalSampler.draw(generator, index: index))
    }

    public static func entropy(_ t: Theta) -> Double { t.a + 0.5 + Gaussian.logSqrtTwoPi + Foundation.log(t.b) }
    public static func mean(_ t: Theta) -> Double { Foundation.exp(t.a + t.b * t.b / 2) }
    public static func variance(_ t: Theta) -> Double {
        Foundation.expm1(t.b * t.b) * Foundation.exp(2 * t.a + t.b * t.b)
    }
    public static func support(_ t: Theta) -> ClosedRange<Double> { 0...Double.infinity }
}

public typealias LogNormal = ScalarDistribution<LogNormalFamily>
