import Foundation
import KLSTensor

/// The uniform distribution on [low, high].
public enum UniformFamily: ScalarFamily {
    public static let name = "Uniform"
    public static let parameterNames = ["low", "high"]
    public static let tag: UInt32 = FamilyStream.uniform.tag

    public static func validate(_ t: Theta) -> (parameter: String, requirement: String, value: Double)? {
        if !t.a.isFinite { return ("low", "finite", t.a) }
        if !(t.b.isFinite && t.b > t.a) { return ("high", "finite and > low", t.b) }
        return nil
    }

    public static func logpdf(_ x: Double, _ t: Theta) -> Double {
        x >= t.a && x <= t.b ? -Foundation.log(t.b - t.a) : -.infinity
    }

    public static func cdf(_ x: Double, _ t: Theta) -> Double { Swift.min(1, Swift.max(0, (x - t.a) / (t.b - t.a))) }

    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Theta) -> Double {
        var random = DrawRandom(generator, index: index, tag: tag)
        return t.a + (t.b - t.a) * random.uniform()
    }

    public static func entropy(_ t: Theta) -> Double { Foundation.log(t.b - t.a) }
    public static func mean(_ t: Theta) -> Double { (t.a + t.b) / 2 }
    public static func variance(_ t: Theta) -> Double { (t.b - t.a) * (t.b - t.a) / 12 }
    public static func support(_ t: Theta) -> ClosedRange<Double> { t.a...t.b }
}

public typealias Uniform = ScalarDistribution<UniformFamily>
