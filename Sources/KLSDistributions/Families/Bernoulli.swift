import Foundation
import KLSTensor

/// The Bernoulli distribution on {0, 1} with P(1) = p.
public enum BernoulliFamily: ScalarFamily {
    public static let name = "Bernoulli"
    public static let parameterNames = ["p"]
    public static let parameterMeanings = ["the probability of 1, in [0, 1]"]
    public static let summary = "Values 0/1 with P(1) = p."
    public static let example = "Bernoulli(0.3)"

    public static let tag: UInt32 = FamilyStream.bernoulli.tag
    public static let isDiscrete = true

    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        t.p >= 0 && t.p <= 1 ? nil : ("p", "a probability in [0, 1]", t.p)
    }

    /// log p at 1, log(1 − p) at 0.
    public static func logDensity<N: FormulaNumber>(_ x: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try N.choose(x, { $0 == 1 }, N.log(t.p), N.log1p(-t.p))
    }

    public static func logpdfOutside(_ x: Double, _ t: Parameters) -> Double? {
        x == 0 || x == 1 ? nil : (x.isNaN ? .nan : -.infinity)
    }

    public static func cdf(_ x: Double, _ t: Parameters) -> Double { x < 0 ? 0 : (x < 1 ? 1 - t.p : 1) }

    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        var random = DrawRandom(generator, index: index, tag: tag)
        return random.uniform() < t.p ? 1 : 0
    }

    /// −p log p − (1−p) log(1−p), with 0 log 0 = 0.
    public static func entropy<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let ones = try N.choose(t.p, { $0 > 0 }, t.p * N.log(t.p), .constant(0))
        let zeros = try N.choose(t.p, { $0 < 1 }, (1 - t.p) * N.log1p(-t.p), .constant(0))
        return try -ones - zeros
    }

    public static func mean<N: FormulaNumber>(_ t: ParameterValues<Self, N>) -> N { t.p }
    public static func variance<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try t.p * (1 - t.p)
    }
    public static func support(_ t: Parameters) -> ClosedRange<Double> { 0...1 }
}

extension ParameterValues where F == BernoulliFamily {
    public var p: N { first }
}

extension BernoulliFamily: ClosedFormKLFamily {
    /// q log(q/p) + (1−q) log((1−q)/(1−p)), with 0 log 0 = 0. For 0 < q < 1 as
    /// −q r(p/q − 1) − (1−q) r((1−p)/(1−q) − 1), r(t) = log(1+t) − t — the two
    /// terms' linear parts cancel exactly, so q ≈ p keeps its digits
    /// (`log1pMinusRatio`, the complements' difference taken as q − p).
    public static func kl<N: FormulaNumber>(_ q: ParameterValues<Self, N>, _ p: ParameterValues<Self, N>) throws(N
        .Failure) -> N
    {
        let inside = { (x: Double) in x > 0 && x < 1 }
        let qs = try N.choose(q.p, inside, q.p, .constant(0.5))
        let ones = try qs * N.log1pMinusRatio(p.p, qs)
        let zeros = try (1 - qs) * N.log1pMinusRatio(1 - p.p, 1 - qs, difference: qs - p.p)
        let edge = try N.choose(q.p, { $0 == 0 }, -N.log1p(-p.p), -N.log(p.p))
        return try N.choose(q.p, inside, -(ones + zeros), edge)
    }
}

public typealias Bernoulli = ScalarDistribution<BernoulliFamily>
