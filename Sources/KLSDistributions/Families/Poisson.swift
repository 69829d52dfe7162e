import Foundation
import KLSDiagnostics
import KLSTensor

/// The Poisson distribution on the counts 0, 1, 2, …: P(k) = λᵏ e^(−λ)/k!.
public enum PoissonFamily: ScalarFamily {
    public static let name = "Poisson"
    public static let parameterNames = ["rate"]
    public static let parameterMeanings = ["the rate λ ≥ 0: the mean and the variance"]
    public static let summary = "Poisson(rate): counts 0, 1, 2, … with mean and variance rate."
    public static let example = "Poisson(3.5)"
    public static let tag = FamilyStream.named(name)
    public static let isDiscrete = true

    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        t.rate >= 0 && t.rate.isFinite ? nil : ("rate", "finite and ≥ 0", t.rate)
    }

    /// k log λ − λ − log k!: Gamma(k + 1, 1)'s density at λ, whose careful form
    /// keeps its digits for large counts, where the three terms nearly cancel.
    public static func logDensity<N: FormulaNumber>(_ x: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try GammaFamily.logDensity(t.rate, .init(x + 1, .constant(1), .constant(0)))
    }

    /// −inf off the counts; at rate 0 all the mass is at 0 (where k log λ is 0·∞).
    public static func logpdfOutside(_ x: Double, _ t: Parameters) -> Double? {
        if x.isNaN { return .nan }
        guard x >= 0, x.isFinite, x == x.rounded(.down) else { return -.infinity }
        return t.rate == 0 ? (x == 0 ? 0 : -.infinity) : nil
    }

    /// Q(⌊x⌋ + 1, λ), the upper regularised gamma function.
    public static func cdf(_ x: Double, _ t: Parameters) -> Double {
        guard x >= 0 else { return 0 }
        guard x.isFinite else { return x.isNaN ? .nan : 1 }
        return t.rate == 0 ? 1 : SpecialFunctions.regularizedGammaQ(x.rounded(.down) + 1, t.rate)
    }

    /// Inversion below rate 10, PTRS above (`DrawRandom.poisson`).
    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        var random = DrawRandom(generator, index: index, tag: tag)
        return random.poisson(t.rate)
    }

    /// Where the sum over counts gives way to the asymptotic series.
    static let largeRate = 1e4

    /// −Σ P(k) log P(k) up to rate 10⁴; above, ½ log(2πeλ) − 1/(12λ) − 1/(24λ²) −
    /// 19/(360λ³) (the terms after it are below 10⁻¹⁶ there); 0 at rate 0. Each
    /// branch gets a stand-in rate where it is not taken, so it stays finite.
    public static func entropy<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let rates = t.rate.plainValues.map { Swift.min($0, largeRate) }
        let counts = CountSums.window(means: rates, deviations: rates.map { $0.squareRoot() })
        let small = try N.choose(t.rate, { $0 > 0 && $0 <= largeRate }, t.rate, .constant(1))
        let large = try N.choose(t.rate, { $0 <= largeRate }, .constant(largeRate), t.rate)
        let summed = try entropyBySum(ParameterValues<Self, N>(small, .constant(0), .constant(0)), over: counts)
        let inverse = try 1 / large
        var series: N = try inverse * (19.0 / 360) + 1.0 / 24
        series = try inverse * series + 1.0 / 12
        series = try inverse * series
        let spread: N = try N.log(large * (2 * Double.pi * M_E))
        let asymptotic = try 0.5 * spread - series
        let positive = try N.choose(t.rate, { $0 <= largeRate }, summed, asymptotic)
        return try N.choose(t.rate, { $0 > 0 }, positive, .constant(0))
    }

    public static func mean<N: FormulaNumber>(_ t: ParameterValues<Self, N>) -> N { t.rate }
    public static func variance<N: FormulaNumber>(_ t: ParameterValues<Self, N>) -> N { t.rate }
    /// The counts; only 0 at rate 0.
    public static func support(_ t: Parameters) -> ClosedRange<Double> { 0...(t.rate > 0 ? Double.infinity : 0) }
}

extension ParameterValues where F == PoissonFamily {
    public var rate: N { first }
}

extension PoissonFamily: ClosedFormKLFamily {
    /// λq log(λq/λp) − λq + λp = λp ((1 + t) log(1 + t) − t), t = λq/λp − 1, as
    /// λp ((1 + t)·log1pMinus(t) + t²): no cancellation when λq ≈ λp (and the
    /// first form, with a careful logarithm, for ratios far from 1).
    public static func kl<N: FormulaNumber>(_ q: ParameterValues<Self, N>, _ p: ParameterValues<Self, N>) throws(N
        .Failure) -> N
    {
        // Stand-ins keep the formula finite where its branch is not taken: λq = 0 gives λp, λp = 0 gives inf.
        let (zeroQ, zeroP) = (try N.choose(q.rate, { $0 > 0 }, q.rate, .constant(1)), try positive(p.rate))
        let general = try positiveKL(zeroQ, zeroP)
        let fromZero = try N.choose(q.rate, { $0 > 0 }, general, p.rate)
        let toZero = try N.choose(q.rate, { $0 > 0 }, .constant(.infinity), .constant(0))
        return try N.choose(p.rate, { $0 > 0 }, fromZero, toZero)
    }

    /// The KL for positive rates: near λq = λp by t, elsewhere (a ratio from
    /// ½ to 1e±300) as λq·log(λq/λp) − λq + λp, its logarithm `logRatio`'s.
    static func positiveKL<N: FormulaNumber>(_ q: N, _ p: N) throws(N.Failure) -> N {
        let t = try (q - p) / p
        func near(_ t: N) throws(N.Failure) -> N { try p * ((1 + t) * N.log1pMinus(t) + t * t) }
        let far = { () throws(N.Failure) -> N in try q * N.logRatio(q, p) - q + p }
        return try N.piecewise(t, N.isNearOne, standIn: 0, inside: near, outside: { _ throws(N.Failure) in try far() })
    }

    /// x, or 1 where x is 0.
    static func positive<N: FormulaNumber>(_ x: N) throws(N.Failure) -> N {
        try N.choose(x, { $0 > 0 }, x, .constant(1))
    }
}

extension PoissonFamily: CrossFamilyKLFamily {
    /// Bernoulli against Poisson, PyTorch's one finite cross pair of counts:
    /// −H(q) + λ − q log λ (E_q[log p] = q log λ − λ, as log 0! = log 1! = 0).
    static let crossFamilyKL: [KLRegistry.Entry] = [
        crossRule(BernoulliFamily.self, PoissonFamily.self) { q, p in
            -BernoulliFamily.entropy(q) + p.rate - (q.p > 0 ? q.p * Foundation.log(p.rate) : 0)
        }
    ]
}

public typealias Poisson = ScalarDistribution<PoissonFamily>

/// T = x, η = log rate, A = e^η; a rate of 0 is the edge.
extension PoissonFamily: ExponentialFamilyForm {
    public static func naturalParameters(_ t: Parameters) -> [Double]? {
        t.rate > 0 ? [Foundation.log(t.rate)] : nil
    }

    public static func logPartition(_ eta: [Double], base t: Parameters) -> Double {
        Foundation.exp(eta[0])
    }
}
