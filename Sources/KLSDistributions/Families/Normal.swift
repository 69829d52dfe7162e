import Foundation
import KLSTensor

/// The normal distribution N(mean, std²).
public enum NormalFamily: ScalarFamily {
    public static let name = "Normal"
    public static let parameterNames = ["mean", "std"]

    /// One distribution's parameters, by name.
    public struct Parameters: Sendable {
        public var mean: Double
        public var std: Double
    }

    @inline(__always)
    public static func parameters(_ values: [Tensor], at i: Int) -> Parameters {
        Parameters(mean: values[0][flat: i], std: values[1][flat: i])
    }
    public static let tag: UInt32 = NormalSampler.streamTag

    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        if !t.mean.isFinite { return ("mean", "finite", t.mean) }
        if !(t.std > 0 && t.std.isFinite) { return ("std", "finite and > 0", t.std) }
        return nil
    }

    public static func logpdf(_ x: Double, _ t: Parameters) -> Double {
        let z = (x - t.mean) / t.std
        return -0.5 * z * z - Foundation.log(t.std) - Gaussian.logSqrtTwoPi
    }

    public static func cdf(_ x: Double, _ t: Parameters) -> Double { SpecialFunctions.normalCDF((x - t.mean) / t.std) }

    /// The ziggurat draw of the same index, so `sample(Normal(0, 1), seed=s)`
    /// equals `randn(seed=s)`.
    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        t.mean + t.std * NormalSampler.draw(generator, index: index)
    }

    public static func entropy(_ t: Parameters) -> Double { 0.5 + Gaussian.logSqrtTwoPi + Foundation.log(t.std) }
    public static func mean(_ t: Parameters) -> Double { t.mean }
    public static func variance(_ t: Parameters) -> Double { t.std * t.std }
}

public typealias Normal = ScalarDistribution<NormalFamily>
