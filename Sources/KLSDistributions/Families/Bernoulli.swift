import Foundation
import KLSTensor

/// The Bernoulli distribution on {0, 1} with P(1) = p.
public enum BernoulliFamily: ScalarFamily {
    public static let name = "Bernoulli"
    public static let parameterNames = ["p"]
    public static let tag: UInt32 = FamilyStream.bernoulli.tag
    public static let isDiscrete = true

    public static func validate(_ t: Theta) -> (parameter: String, requirement: String, value: Double)? {
        t.a >= 0 && t.a <= 1 ? nil : ("p", "a probability in [0, 1]", t.a)
    }

    public static func logpdf(_ x: Double, _ t: Theta) -> Double {
        if x == 1 { return Foundation.log(t.a) }
        if x == 0 { return Foundation.log1p(-t.a) }
        return x.isNaN ? .nan : -.infinity
    }

    public static func cdf(_ x: Double, _ t: Theta) -> Double { x < 0 ? 0 : (x < 1 ? 1 - t.a : 1) }

    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Theta) -> Double {
        var random = DrawRandom(generator, index: index, tag: tag)
        return random.uniform() < t.a ? 1 : 0
    }

    /// −p log p − (1−p) log(1−p), with 0 log 0 = 0.
    public static func entropy(_ t: Theta) -> Double {
        let p = t.a
        return -(p > 0 ? p * Foundation.log(p) : 0) - (p < 1 ? (1 - p) * Foundation.log1p(-p) : 0)
    }

    public static func mean(_ t: Theta) -> Double { t.a }
    public static func variance(_ t: Theta) -> Double { t.a * (1 - t.a) }
    public static func support(_ t: Theta) -> ClosedRange<Double> { 0...1 }
}

public typealias Bernoulli = ScalarDistribution<BernoulliFamily>
