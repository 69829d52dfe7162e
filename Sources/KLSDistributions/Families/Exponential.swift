import Foundation
import KLSTensor

/// The exponential distribution with density rate·e^(−rate·x) on x ≥ 0.
public enum ExponentialFamily: ScalarFamily {
    public static let name = "Exponential"
    public static let parameterNames = ["rate"]
    public static let tag: UInt32 = FamilyStream.exponential.tag

    public static func validate(_ t: Theta) -> (parameter: String, requirement: String, value: Double)? {
        t.a > 0 && t.a.isFinite ? nil : ("rate", "finite and > 0", t.a)
    }

    public static func logpdf(_ x: Double, _ t: Theta) -> Double { x >= 0 ? Foundation.log(t.a) - t.a * x : -.infinity }
    public static func cdf(_ x: Double, _ t: Theta) -> Double { x > 0 ? -Foundation.expm1(-t.a * x) : 0 }

    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Theta) -> Double {
        var random = DrawRandom(generator, index: index, tag: tag)
        return -Foundation.log(random.openUniform()) / t.a
    }

    public static func entropy(_ t: Theta) -> Double { 1 - Foundation.log(t.a) }
    public static func mean(_ t: Theta) -> Double { 1 / t.a }
    public static func variance(_ t: Theta) -> Double { 1 / (t.a * t.a) }
    public static func support(_ t: Theta) -> ClosedRange<Double> { 0...Double.infinity }
}

public typealias Exponential = ScalarDistribution<ExponentialFamily>
