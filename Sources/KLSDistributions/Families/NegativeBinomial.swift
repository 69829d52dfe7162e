import Foundation
import KLSDiagnostics
import KLSTensor

/// The negative binomial distribution on 0, 1, 2, …: the successes before the
/// r-th failure of trials with success probability p,
/// P(k) = Γ(k + r)/(Γ(r) k!) pᵏ (1 − p)ʳ (PyTorch's total_count r, probs p);
/// r need not be whole (a Gamma–Poisson mixture, the over-dispersed count).
public enum NegativeBinomialFamily: ScalarFamily {
    public static let name = "NegativeBinomial"
    public static let parameterNames = ["total_count", "probs"]
    public static let parameterMeanings = [
        "the number of failures r > 0 (need not be whole)", "the success probability p in [0, 1)",
    ]
    public static let summary =
        "NegativeBinomial(total_count, probs): successes before total_count failures, mean r·p/(1 − p)."
    public static let example = "NegativeBinomial(3, 0.4)"
    public static let tag = FamilyStream.named(name)
    public static let isDiscrete = true

    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        if !(t.totalCount > 0 && t.totalCount.isFinite) { return ("total_count", "finite and > 0", t.totalCount) }
        return t.probs >= 0 && t.probs < 1 ? nil : ("probs", "in [0, 1)", t.probs)
    }

    /// Beta(k + 1, r)'s density at p, + log(1 − p) − log(k + r): its careful
    /// form keeps its digits for large counts.
    public static func logDensity<N: FormulaNumber>(_ x: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let shapes = ParameterValues<BetaFamily, N>(try x + 1, t.totalCount, .constant(0))
        return try BetaFamily.logDensity(t.probs, shapes) + N.log1p(-t.probs) - N.log(x + t.totalCount)
    }

    /// −inf off the counts; at p = 0 all the mass is at 0.
    public static func logpdfOutside(_ x: Double, _ t: Parameters) -> Double? {
        if x.isNaN { return .nan }
        guard x >= 0, x.isFinite, x == x.rounded(.down) else { return -.infinity }
        return t.probs == 0 ? (x == 0 ? 0 : -.infinity) : nil
    }

    /// I_(1−p)(r, ⌊x⌋ + 1), the regularised incomplete beta function.
    public static func cdf(_ x: Double, _ t: Parameters) -> Double {
        guard x >= 0 else { return 0 }
        guard x.isFinite else { return x.isNaN ? .nan : 1 }
        return t.probs == 0 ? 1 : SpecialFunctions.regularizedBeta(1 - t.probs, t.totalCount, x.rounded(.down) + 1)
    }

    /// Poisson(G p/(1 − p)) for G ~ Gamma(r, 1): the Gamma–Poisson mixture.
    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        guard t.probs > 0 else { return 0 }
        var random = DrawRandom(generator, index: index, tag: tag)
        let rate = random.gamma(t.totalCount) * (t.probs / (1 - t.probs))
        return random.poisson(rate)
    }

    /// −Σ P(k) log P(k) over the counts that carry mass (a geometric tail: past
    /// the mean, 70/(−log p) more counts take it below 10⁻³⁰); 0 at p = 0.
    public static func entropy<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let inside = ParameterValues<Self, N>(
            t.totalCount, try N.choose(t.probs, { $0 > 0 }, t.probs, .constant(0.5)), .constant(0))
        let (r, p) = (inside.totalCount.plainValues, inside.probs.plainValues)
        let count = Swift.max(r.count, p.count)
        let means = (0..<count).map { i in r[i % r.count] * p[i % p.count] / (1 - p[i % p.count]) }
        let deviations = (0..<count).map { i in (means[i] / (1 - p[i % p.count])).squareRoot() }
        let reach = (0..<count).map { i in 70 / -Foundation.log(p[i % p.count]) }
        let counts = CountSums.window(means: means, deviations: deviations, reach: reach)
        return try N.choose(t.probs, { $0 > 0 }, entropyBySum(inside, over: counts), .constant(0))
    }
    public static func mean<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try t.totalCount * t.probs / (1 - t.probs)
    }
    public static func variance<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try t.totalCount * t.probs / N.square(1 - t.probs)
    }
    /// The counts; only 0 at p = 0.
    public static func support(_ t: Parameters) -> ClosedRange<Double> { 0...(t.probs > 0 ? Double.infinity : 0) }
}

extension ParameterValues where F == NegativeBinomialFamily {
    public var totalCount: N { first }
    public var probs: N { second }
}

public typealias NegativeBinomial = ScalarDistribution<NegativeBinomialFamily>

/// With one total_count r: T = x, η = log probs, A = −r log(1 − e^η); probs of 0 is the edge.
extension NegativeBinomialFamily: ExponentialFamilyForm {
    public static func naturalParameters(_ t: Parameters) -> [Double]? {
        t.probs > 0 ? [Foundation.log(t.probs)] : nil
    }

    public static func logPartition(_ eta: [Double], base t: Parameters) -> Double {
        eta[0] < 0 ? -t.totalCount * Foundation.log(-Foundation.expm1(eta[0])) : .infinity
    }

    public static func sharesBase(_ a: Parameters, _ b: Parameters) -> Bool {
        a.totalCount == b.totalCount
    }
}
