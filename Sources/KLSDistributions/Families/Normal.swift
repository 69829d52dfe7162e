import Foundation
import KLSTensor

/// The normal distribution N(mean, std²).
public enum NormalFamily: ScalarFamily {
    public static let name = "Normal"
    public static let parameterNames = ["mean", "std"]
    public static let tag: UInt32 = NormalSampler.streamTag

    public static func validate(_ t: Theta) -> (parameter: String, requirement: String, value: Double)? {
        if !t.a.isFinite { return ("mean", "finite", t.a) }
        if !(t.b > 0 && t.b.isFinite) { return ("std", "finite and > 0", t.b) }
        return nil
    }

    public static func logpdf(_ x: Double, _ t: Theta) -> Double {
        let z = (x - t.a) / t.b
        return -0.5 * z * z - Foundation.log(t.b) - Gaussian.logSqrtTwoPi
    }

    public static func cdf(_ x: Double, _ t: Theta) -> Double { SpecialFunctions.normalCDF((x - t.a) / t.b) }

    /// The ziggurat draw of the same index, so `sample(Normal(0, 1), seed=s)`
    /// equals `randn(seed=s)`.
    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Theta) -> Double {
        t.a + t.b * NormalSampler.draw(generator, index: index)
    }

    public static func entropy(_ t: Theta) -> Double { 0.5 + Gaussian.logSqrtTwoPi + Foundation.log(t.b) }
    public static func mean(_ t: Theta) -> Double { t.a }
    public static func variance(_ t: Theta) -> Double { t.b * t.b }
}

public typealias Normal = ScalarDistribution<NormalFamily>
