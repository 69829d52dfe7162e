import Foundation
import KLSDiagnostics
import KLSTensor
import RealModule

/// The gamma distribution with shape α and rate β: density ∝ x^(α−1) e^(−βx).
public enum GammaFamily: ScalarFamily {
    public static let name = "Gamma"
    public static let parameterNames = ["shape", "rate"]
    public static let parameterMeanings = ["the shape α > 0 (the mean is α/β)", "the rate β > 0"]
    public static let summary = "Gamma(shape, rate), mean shape/rate."
    public static let example = "Gamma(2, 3)"

    public static let tag: UInt32 = FamilyStream.gamma.tag

    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        if !(t.shape > 0 && t.shape.isFinite) { return ("shape", "finite and > 0", t.shape) }
        if !(t.rate > 0 && t.rate.isFinite) { return ("rate", "finite and > 0", t.rate) }
        return nil
    }

    /// From α = 20 the density is β (βx)^α e^(−βx) / (Γ(α) βx), whose prefix keeps
    /// its digits where α log x, βx and log Γ(α) are each thousands of times the result.
    public static func logDensity<N: FormulaNumber>(_ x: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let y = try t.rate * x
        func prefixed() throws(N.Failure) -> N { try N.log(t.rate) + N.logGammaPrefix(t.shape, y) - N.log(y) }
        func textbook() throws(N.Failure) -> N {
            try t.shape * N.log(t.rate) + (t.shape - 1) * N.log(x) - y - N.lgamma(t.shape)
        }
        let isLarge: (Double) -> Bool = { $0 >= 20 }
        return try N.piecewise(
            t.shape, isLarge, inside: { _ throws(N.Failure) in try prefixed() },
            outside: { _ throws(N.Failure) in try textbook() })
    }

    /// x = 0, where the formula's (α − 1) log x is 0·∞ for α = 1.
    public static func logpdfOutside(_ x: Double, _ t: Parameters) -> Double? {
        if x < 0 || x.isNaN { return x.isNaN ? .nan : -.infinity }
        if x == 0 { return t.shape < 1 ? .infinity : (t.shape == 1 ? Foundation.log(t.rate) : -.infinity) }
        return x.isInfinite ? -.infinity : nil
    }

    public static func cdf(_ x: Double, _ t: Parameters) -> Double {
        SpecialFunctions.regularizedGammaP(t.shape, t.rate * Swift.max(x, 0))
    }

    /// Marsaglia–Tsang with the shape < 1 boost (see `DrawRandom.gamma`).
    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        var random = DrawRandom(generator, index: index, tag: tag)
        return Support.open(random.gamma(t.shape) / t.rate, above: 0)
    }

    public static func entropy<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try N.gammaEntropy(t.shape) - N.log(t.rate)
    }
    public static func mean<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try t.shape / t.rate
    }
    public static func variance<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try t.shape / (t.rate * t.rate)
    }
    public static func support(_ t: Parameters) -> ClosedRange<Double> { 0...Double.infinity }
}

extension ParameterValues where F == GammaFamily {
    public var shape: N { first }
    public var rate: N { second }
}

extension GammaFamily: FirstAttemptFamily {
    static let padding = (1.0, 1.0, 1.0)

    /// Eight draws at a time (`FirstAttemptFamily`).
    public static func sample(
        _ generator: Philox, start: UInt64, count: Int, parameters: ParameterRuns,
        into out: UnsafeMutablePointer<Double>
    ) {
        sampleByFirstAttempts(generator, start: start, count: count, parameters: parameters, into: out)
    }

    /// Marsaglia–Tsang's first attempts; shapes below 1 are rejected lanes.
    @inline(__always)
    static func firstAttempt(
        _ words: inout VectorGamma, _ shape: VectorMath.Vector, _ rate: VectorMath.Vector, _: VectorMath.Vector
    ) -> (VectorMath.Vector, VectorGamma.Mask) {
        let (g, accepted) = words.gamma(shape)
        let value = g / rate
        let lowest = VectorMath.Vector(repeating: .leastNormalMagnitude)
        return (VectorMath.select(value .< lowest, lowest, value), accepted)
    }

    /// Vectors whose x are positive and finite and whose shapes are below the
    /// Stirling regime take α log β − log Γ(α) (once per distinct vector of
    /// parameters) + (α − 1) log x − βx; others go element by element.
    public static func logpdf(
        _ x: UnsafePointer<Double>, count: Int, parameters: ParameterRuns, into out: UnsafeMutablePointer<Double>
    ) {
        var cache = ConstantCache()
        parameters.map(x, count: count, into: out, padding: (1, 1, 1, 1)) { x, shape, rate, _ in
            density(x, nil, shape, rate, &cache)
        }
    }
}

extension GammaFamily: LogArgumentFamily {
    public static func logpdf(
        _ x: UnsafePointer<Double>, logX: UnsafePointer<Double>, count: Int, parameters: ParameterRuns,
        into out: UnsafeMutablePointer<Double>
    ) {
        var cache = ConstantCache()
        parameters.map(x, logX, count: count, into: out, padding: (1, 1, 1, 1)) { x, logX, shape, rate, _ in
            density(x, logX, shape, rate, &cache)
        }
    }

    /// The log-density of eight lanes, from log x when given.
    @inline(__always)
    static func density(
        _ x: VectorMath.Vector, _ logX: VectorMath.Vector?, _ shape: VectorMath.Vector, _ rate: VectorMath.Vector,
        _ cache: inout ConstantCache
    ) -> VectorMath.Vector {
        guard VectorMath.all((x .> 0) .& (x .< .infinity) .& (shape .< 20)) else {
            var value = VectorMath.Vector()
            for l in 0..<8 { value[l] = logpdf(x[l], Parameters(shape[l], rate[l], 0)) }
            return value
        }
        let constant = cache.value(shape, rate, lanes: { $0 * Foundation.log($1) - Double.logGamma($0) })
        return constant + (shape - 1) * (logX ?? VectorMath.log(x)) - rate * x
    }
}

/// ε is the family's own draw, differentiated implicitly in both parameters.
extension GammaFamily: OwnDrawsFamily {
    public static let implicitParameters = [0, 1]
    /// dx/dα = (dx/dα at rate 1)/β, dx/dβ = −x/β.
    public static func implicitSlopes(_ epsilon: Double, _ t: Parameters) -> [Double] {
        [ImplicitReparameterisation.gammaShape(t.rate * epsilon, t.shape) / t.rate, -epsilon / t.rate]
    }
}

extension GammaFamily: ClosedFormKLFamily {
    /// (αq−αp)ψ(αq) − lnΓ(αq) + lnΓ(αp) + αp(ln βq − ln βp) + αq(βp − βq)/βq, as the
    /// log Γ gap (exact for large shapes) and −αq·r(ρ) − (αp − αq)·log(1 + ρ), ρ = βp/βq − 1.
    public static func kl<N: FormulaNumber>(_ q: ParameterValues<Self, N>, _ p: ParameterValues<Self, N>) throws(N
        .Failure) -> N
    {
        let rates = try q.shape * N.log1pMinusRatio(p.rate, q.rate) + (p.shape - q.shape) * N.logRatio(p.rate, q.rate)
        return try N.logGammaGap(q.shape, p.shape) - rates
    }
}

public typealias Gamma = ScalarDistribution<GammaFamily>

/// T = (log x, x), η = (shape − 1, −rate), A = log Γ(η₁ + 1) − (η₁ + 1) log(−η₂).
extension GammaFamily: ExponentialFamilyForm {
    public static func naturalParameters(_ t: Parameters) -> [Double]? {
        [t.shape - 1, -t.rate]
    }

    public static func logPartition(_ eta: [Double], base t: Parameters) -> Double {
        eta[0] > -1 && eta[1] < 0 ? Double.lgamma(eta[0] + 1) - (eta[0] + 1) * Foundation.log(-eta[1]) : .infinity
    }
}
