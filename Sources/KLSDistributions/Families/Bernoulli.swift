import Foundation
import KLSTensor

/// The Bernoulli distribution on {0, 1} with P(1) = p.
public enum BernoulliFamily: ScalarFamily {
    public static let name = "Bernoulli"
    public static let parameterNames = ["p"]
    public static let parameterMeanings = ["the probability of 1, in [0, 1]"]
    public static let summary = "Values 0/1 with P(1) = p."
    public static let example = "Bernoulli(0.3)"

    /// One distribution's parameters, by name.
    public struct Parameters: Sendable {
        public var p: Double
    }

    @inline(__always)
    public static func parameters(_ values: [Tensor], at i: Int) -> Parameters {
        Parameters(p: values[0][flat: i])
    }
    public static let tag: UInt32 = FamilyStream.bernoulli.tag
    public static let isDiscrete = true

    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        t.p >= 0 && t.p <= 1 ? nil : ("p", "a probability in [0, 1]", t.p)
    }

    public static func logpdf(_ x: Double, _ t: Parameters) -> Double {
        if x == 1 { return Foundation.log(t.p) }
        if x == 0 { return Foundation.log1p(-t.p) }
        return x.isNaN ? .nan : -.infinity
    }

    public static func cdf(_ x: Double, _ t: Parameters) -> Double { x < 0 ? 0 : (x < 1 ? 1 - t.p : 1) }

    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        var random = DrawRandom(generator, index: index, tag: tag)
        return random.uniform() < t.p ? 1 : 0
    }

    /// −p log p − (1−p) log(1−p), with 0 log 0 = 0.
    public static func entropy(_ t: Parameters) -> Double {
        let p = t.p
        return -(p > 0 ? p * Foundation.log(p) : 0) - (p < 1 ? (1 - p) * Foundation.log1p(-p) : 0)
    }

    public static func mean(_ t: Parameters) -> Double { t.p }
    public static func variance(_ t: Parameters) -> Double { t.p * (1 - t.p) }
    public static func support(_ t: Parameters) -> ClosedRange<Double> { 0...1 }
}

public typealias Bernoulli = ScalarDistribution<BernoulliFamily>
