import Foundation
import KLSDiagnostics
import KLSTensor

/// The binomial distribution: successes in n trials of probability p,
/// P(k) = C(n, k) pᵏ (1 − p)ⁿ⁻ᵏ on k = 0…n (PyTorch's total_count, probs).
public enum BinomialFamily: ScalarFamily {
    public static let name = "Binomial"
    public static let parameterNames = ["total_count", "probs"]
    public static let parameterMeanings = [
        "the number of trials n, a whole number ≥ 0", "the success probability p in [0, 1]",
    ]
    public static let summary = "Binomial(total_count, probs): successes in total_count trials, mean n·p."
    public static let example = "Binomial(10, 0.3)"
    public static let tag = FamilyStream.named(name)
    public static let isDiscrete = true

    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        let n = t.totalCount
        if !(n >= 0 && n <= 0x1p53 && n == n.rounded(.down)) {
            return ("total_count", "a whole number from 0 to 2^53", n)
        }
        return t.probs >= 0 && t.probs <= 1 ? nil : ("probs", "in [0, 1]", t.probs)
    }

    /// Beta(k + 1, n − k + 1)'s density at p, less log(n + 1): its careful form
    /// keeps its digits for large n, where log C(n, k) and the powers nearly cancel.
    public static func logDensity<N: FormulaNumber>(_ x: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let shapes = ParameterValues<BetaFamily, N>(try x + 1, try t.totalCount - x + 1, .constant(0))
        return try BetaFamily.logDensity(t.probs, shapes) - N.log(t.totalCount + 1)
    }

    /// −inf off 0…n; at p = 0 or 1 all the mass is at 0 or n.
    public static func logpdfOutside(_ x: Double, _ t: Parameters) -> Double? {
        if x.isNaN { return .nan }
        guard x >= 0, x <= t.totalCount, x == x.rounded(.down) else { return -.infinity }
        if t.probs == 0 { return x == 0 ? 0 : -.infinity }
        if t.probs == 1 { return x == t.totalCount ? 0 : -.infinity }
        return nil
    }

    /// I_(1−p)(n − ⌊x⌋, ⌊x⌋ + 1), the regularised incomplete beta function.
    public static func cdf(_ x: Double, _ t: Parameters) -> Double {
        guard x >= 0 else { return 0 }
        let k = x.rounded(.down)
        guard k < t.totalCount else { return x.isNaN ? .nan : 1 }
        if t.probs == 0 || t.probs == 1 { return t.probs == 0 ? 1 : 0 }
        return SpecialFunctions.regularizedBeta(1 - t.probs, t.totalCount - k, k + 1)
    }

    /// Inversion when n·min(p, 1 − p) < 10, BTRS above (`DrawRandom.binomial`).
    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        var random = DrawRandom(generator, index: index, tag: tag)
        return random.binomial(t.totalCount, t.probs)
    }

    /// The counts holding the mass of each distribution given.
    static func counts<N: FormulaNumber>(_ t: ParameterValues<Self, N>) -> ClosedRange<Int> {
        let (n, p) = (t.totalCount.plainValues, t.probs.plainValues)
        let count = Swift.max(n.count, p.count)
        let means = (0..<count).map { i in n[i % n.count] * p[i % p.count] }
        let deviations = (0..<count).map { i in (means[i] * (1 - p[i % p.count])).squareRoot() }
        let window = CountSums.window(means: means, deviations: deviations)
        return window.clamped(to: 0...Int(Swift.min(n.max() ?? 0, Double(window.upperBound))))
    }

    /// x where p is strictly inside (0, 1), else ½: what each formula's unused branch computes with.
    static func interior<N: FormulaNumber>(_ p: N) throws(N.Failure) -> N {
        try N.choose(p, { $0 > 0 && $0 < 1 }, p, .constant(0.5))
    }

    /// −Σ P(k) log P(k) over the counts that carry mass; 0 at p = 0 or 1.
    public static func entropy<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let inside = ParameterValues<Self, N>(t.totalCount, try interior(t.probs), .constant(0))
        var sum = N.constant(0)
        for k in counts(inside) {
            let logMass = try logDensity(N.constant(Double(k)), inside)
            let term = try N.exp(logMass) * logMass
            sum = try sum - N.choose(t.totalCount, { $0 >= Double(k) }, term, .constant(0))
        }
        return try N.choose(t.probs, { $0 > 0 && $0 < 1 }, sum, .constant(0))
    }
    public static func mean<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try t.totalCount * t.probs
    }
    public static func variance<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try t.totalCount * t.probs * (1 - t.probs)
    }
    public static func support(_ t: Parameters) -> ClosedRange<Double> { 0...t.totalCount }
}

extension ParameterValues where F == BinomialFamily {
    public var totalCount: N { first }
    public var probs: N { second }
}

extension BinomialFamily: ClosedFormKLFamily {
    /// n KL(Bernoulli(q)‖Bernoulli(p)) for equal counts; for nq < np the sum
    /// over q's counts 0…nq (PyTorch refuses these); inf for nq > np, where q
    /// has mass p has not.
    public static func kl<N: FormulaNumber>(_ q: ParameterValues<Self, N>, _ p: ParameterValues<Self, N>) throws(N
        .Failure) -> N
    {
        let (qb, pb) = (ParameterValues<BernoulliFamily, N>([q.probs]), ParameterValues<BernoulliFamily, N>([p.probs]))
        let equal = try N.choose(q.totalCount, { $0 > 0 }, q.totalCount * BernoulliFamily.kl(qb, pb), .constant(0))
        let gap = try q.totalCount - p.totalCount
        return try N.choose(gap, { $0 == 0 }, equal, N.choose(gap, { $0 < 0 }, fewerCounts(q, p), .constant(.infinity)))
    }

    /// nq < np: the sum over q's counts when both probabilities are inside (0, 1);
    /// −log p(m) when q is a point mass at m (p = 0 or 1); for a point-mass p,
    /// 0 or inf as q's mass lies on p's one count or not.
    static func fewerCounts<N: FormulaNumber>(_ q: ParameterValues<Self, N>, _ p: ParameterValues<Self, N>)
        throws(N.Failure) -> N
    {
        let other = ParameterValues<Self, N>(p.totalCount, try interior(p.probs), .constant(0))
        let atPoint = try -logDensity(q.probs * q.totalCount, other)
        let pInside = try N.choose(q.probs, { $0 > 0 && $0 < 1 }, klOverCounts(q, p), atPoint)
        // p all at 0 (probs 0): q must be all at 0 too; p all at np > nq: q never is.
        let qAtZero = try N.choose(q.probs, { $0 == 0 }, .constant(0), .constant(.infinity))
        let pAtZero = try N.choose(q.totalCount, { $0 == 0 }, .constant(0), qAtZero)
        let pPoint = try N.choose(p.probs, { $0 == 0 }, pAtZero, .constant(.infinity))
        return try N.choose(p.probs, { $0 > 0 && $0 < 1 }, pInside, pPoint)
    }

    /// Σ over q's counts of q(k) (log q(k) − log p(k)), each log-mass −inf where it is 0.
    static func klOverCounts<N: FormulaNumber>(_ q: ParameterValues<Self, N>, _ p: ParameterValues<Self, N>)
        throws(N.Failure) -> N
    {
        let inside = ParameterValues<Self, N>(q.totalCount, try interior(q.probs), .constant(0))
        let other = ParameterValues<Self, N>(p.totalCount, try interior(p.probs), .constant(0))
        var sum = N.constant(0)
        for k in counts(inside) {
            let count = N.constant(Double(k))
            let (logQ, logP) = (try logDensity(count, inside), try logDensity(count, other))
            let term = try N.exp(logQ) * (logQ - logP)
            sum = try sum + N.choose(q.totalCount, { $0 >= Double(k) }, term, .constant(0))
        }
        return sum
    }
}

public typealias Binomial = ScalarDistribution<BinomialFamily>

/// With one total_count n: T = x, η = logit probs, A = n log(1 + e^η); probs of 0 or 1 is the edge.
extension BinomialFamily: ExponentialFamilyForm {
    public static func naturalParameters(_ t: Parameters) -> [Double]? {
        t.probs > 0 && t.probs < 1 ? [Foundation.log(t.probs) - Foundation.log1p(-t.probs)] : nil
    }

    public static func logPartition(_ eta: [Double], base t: Parameters) -> Double {
        t.totalCount
            * (eta[0] > 0
                ? eta[0] + Foundation.log1p(Foundation.exp(-eta[0])) : Foundation.log1p(Foundation.exp(eta[0])))
    }

    public static func sharesBase(_ a: Parameters, _ b: Parameters) -> Bool {
        a.totalCount == b.totalCount
    }
}
