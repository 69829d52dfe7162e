import Foundation
import KLSDiagnostics
import KLSTensor

/// The geometric distribution on 0, 1, 2, …: the failures before the first
/// success of trials with success probability p, P(k) = (1 − p)ᵏ p (PyTorch's).
public enum GeometricFamily: ScalarFamily {
    public static let name = "Geometric"
    public static let parameterNames = ["probs"]
    public static let parameterMeanings = ["the success probability p in (0, 1]"]
    public static let summary = "Geometric(probs): failures before the first success, mean (1 − p)/p."
    public static let example = "Geometric(0.3)"
    public static let tag = FamilyStream.named(name)
    public static let isDiscrete = true

    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        t.probs > 0 && t.probs <= 1 ? nil : ("probs", "in (0, 1]", t.probs)
    }

    /// k log(1 − p) + log p.
    public static func logDensity<N: FormulaNumber>(_ x: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try x * N.log1p(-t.probs) + N.log(t.probs)
    }

    /// −inf off the counts; at p = 1 all the mass is at 0 (where k log(1 − p) is 0·∞).
    public static func logpdfOutside(_ x: Double, _ t: Parameters) -> Double? {
        if x.isNaN { return .nan }
        guard x >= 0, x.isFinite, x == x.rounded(.down) else { return -.infinity }
        return t.probs == 1 ? (x == 0 ? 0 : -.infinity) : nil
    }

    /// 1 − (1 − p)^(⌊x⌋ + 1), as −expm1((⌊x⌋ + 1) log(1 − p)).
    public static func cdf(_ x: Double, _ t: Parameters) -> Double {
        guard x >= 0 else { return 0 }
        guard x.isFinite else { return x.isNaN ? .nan : 1 }
        return -Foundation.expm1((x.rounded(.down) + 1) * Foundation.log1p(-t.probs))
    }

    /// ⌊log u / log(1 − p)⌋.
    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        guard t.probs < 1 else { return 0 }
        let u = Philox.openUnit(generator.singleWord(index: index, stream: tag))
        return (Foundation.log(u) / Foundation.log1p(-t.probs)).rounded(.down)
    }

    /// −((1 − p) log(1 − p) + p log p)/p; 0 at p = 1.
    public static func entropy<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let p = try N.choose(t.probs, { $0 < 1 }, t.probs, .constant(0.5))
        let value = try -(1 - p) * N.log1p(-p) / p - N.log(p)
        return try N.choose(t.probs, { $0 < 1 }, value, .constant(0))
    }
    public static func mean<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try (1 - t.probs) / t.probs
    }
    public static func variance<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try (1 - t.probs) / (t.probs * t.probs)
    }
    /// The counts; only 0 at p = 1.
    public static func support(_ t: Parameters) -> ClosedRange<Double> { 0...(t.probs < 1 ? Double.infinity : 0) }
}

extension ParameterValues where F == GeometricFamily {
    public var probs: N { first }
}

extension GeometricFamily: ClosedFormKLFamily {
    /// log(q/p) + ((1 − q)/q) log((1 − q)/(1 − p)) (−log p for q = 1); inf
    /// where p = 1 and q has mass past 0.
    public static func kl<N: FormulaNumber>(_ q: ParameterValues<Self, N>, _ p: ParameterValues<Self, N>) throws(N
        .Failure) -> N
    {
        let pp = try N.choose(p.probs, { $0 < 1 }, p.probs, .constant(0.5))
        // −r(p/q − 1) − ((1−q)/q) r((1−p)/(1−q) − 1): the linear parts cancel exactly (as Bernoulli's).
        let qs = try N.choose(q.probs, { $0 < 1 }, q.probs, .constant(0.5))
        let ratio = try N.log1pMinusRatio(pp, qs)
        let tail = try (1 - qs) / qs * N.log1pMinusRatio(1 - pp, 1 - qs, difference: qs - pp)
        let general = try N.choose(q.probs, { $0 < 1 }, -(ratio + tail), -N.log(pp))
        let toPointMass = try N.choose(q.probs, { $0 < 1 }, .constant(.infinity), .constant(0))
        return try N.choose(p.probs, { $0 < 1 }, general, toPointMass)
    }
}

public typealias Geometric = ScalarDistribution<GeometricFamily>

/// T = x, η = log(1 − probs), A = −log(1 − e^η); probs of 1 is the edge.
extension GeometricFamily: ExponentialFamilyForm {
    public static func naturalParameters(_ t: Parameters) -> [Double]? {
        t.probs < 1 ? [Foundation.log1p(-t.probs)] : nil
    }

    public static func logPartition(_ eta: [Double], base t: Parameters) -> Double {
        eta[0] < 0 ? -Foundation.log(-Foundation.expm1(eta[0])) : .infinity
    }
}
