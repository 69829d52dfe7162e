import Foundation
import KLSDiagnostics
import KLSTensor

/// The Laplace distribution with density exp(−|x − loc|/scale) / (2 scale).
public enum LaplaceFamily: ScalarFamily {
    public static let name = "Laplace"
    public static let parameterNames = ["loc", "scale"]
    public static let parameterMeanings = [
        "the location: the median", "the scale b > 0 (the standard deviation is b√2)",
    ]
    public static let summary = "Laplace(loc, scale): density e^(−|x−loc|/scale)/(2 scale)."
    public static let example = "Laplace(0, 1)"

    public static let tag: UInt32 = FamilyStream.laplace.tag

    public static func logDensity<N: FormulaNumber>(_ x: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try -N.abs(x - t.loc) / t.scale - N.log(2 * t.scale)
    }

    public static func cdf(_ x: Double, _ t: Parameters) -> Double {
        let z = (x - t.loc) / t.scale
        return z < 0 ? 0.5 * Foundation.exp(z) : 1 - 0.5 * Foundation.exp(-z)
    }

    /// Inverse CDF of a uniform u on (0, 1): loc + scale · log 2u below ½,
    /// loc − scale · log 2(1 − u) above (2u and 1 − u are exact, so each tail
    /// keeps full relative precision with one log).
    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        let u = Philox.openUnit(generator.singleWord(index: index, stream: tag))
        return u < 0.5 ? t.loc + t.scale * Foundation.log(2 * u) : t.loc - t.scale * Foundation.log(2 * (1 - u))
    }

    public static func entropy<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try 1 + N.log(2 * t.scale)
    }

    /// The peak, where the density's slope jumps.
    public static func kinks(_ t: Parameters) -> [Double] { [t.loc] }
    public static func mean<N: FormulaNumber>(_ t: ParameterValues<Self, N>) -> N { t.loc }
    public static func variance<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try 2 * N.square(t.scale)
    }
}

extension ParameterValues where F == LaplaceFamily {
    public var loc: N { first }
    public var scale: N { second }
}

extension LaplaceFamily: InverseCDFFamily {
    public static let padding = (0.0, 1.0, 0.0)

    /// The inverse cdf of `sample(_:_:_:)`.
    @inline(__always)
    public static func inverseCDF(
        _ words: SIMD8<UInt64>, _ loc: VectorMath.Vector, _ scale: VectorMath.Vector, _: VectorMath.Vector
    ) -> VectorMath.Vector {
        let u = VectorMath.openUnit(words)
        let low = u .< 0.5
        let magnitude = VectorMath.log(2 * VectorMath.select(low, u, 1 - u))
        return loc + scale * VectorMath.select(low, magnitude, -magnitude)
    }

    public static func logpdf(
        _ x: UnsafePointer<Double>, count: Int, parameters: ParameterRuns, into out: UnsafeMutablePointer<Double>
    ) {
        var cache = ConstantCache()
        parameters.map(x, count: count, into: out, padding: (0, 0, 1, 0)) { x, loc, scale, _ in
            -VectorMath.abs(x - loc) / scale - cache.value(scale, scale) { s, _ in VectorMath.log(2 * s) }
        }
    }
}

extension LaplaceFamily: LocationScaleFamily {}

extension LaplaceFamily: ClosedFormKLFamily {
    /// log(bp/bq) + |μq−μp|/bp + (bq/bp)·e^(−|μq−μp|/bq) − 1, written as
    /// −r(ρ − 1) + ρ·(e^(−δ) − 1 + δ) with ρ = bq/bp, δ = d/bq, r(t) = log(1+t) − t:
    /// no cancellation when q ≈ p (`log1pMinusRatio`, `expm1Minus`).
    public static func kl<N: FormulaNumber>(_ q: ParameterValues<Self, N>, _ p: ParameterValues<Self, N>) throws(N
        .Failure) -> N
    {
        let d = try N.abs(q.loc - p.loc)
        let ratio = try q.scale / p.scale
        let spread = try -N.log1pMinusRatio(q.scale, p.scale)
        // δ may overflow where bq is tiny: far from 0, the two terms apart (no cancellation there).
        let shift = try d / q.scale
        let small = { (x: Double) in x < 0.25 }
        // ρ may overflow where δ is 0 and the term with it: 0, not ∞·0.
        func near(_ x: N) throws(N.Failure) -> N {
            try N.choose(x, { $0 > 0 }, ratio * N.expm1Minus(-x), .constant(0))
        }
        let far = { () throws(N.Failure) -> N in try d / p.scale + ratio * N.expm1(-shift) }
        return try spread
            + N.piecewise(shift, small, standIn: 0, inside: near, outside: { _ throws(N.Failure) in try far() })
    }
}

public typealias Laplace = ScalarDistribution<LaplaceFamily>

/// With one loc: T = |x − loc|, η = −1/scale, A = log(−2/η).
extension LaplaceFamily: ExponentialFamilyForm {
    public static func naturalParameters(_ t: Parameters) -> [Double]? {
        [-1 / t.scale]
    }

    public static func logPartition(_ eta: [Double], base t: Parameters) -> Double {
        eta[0] < 0 ? Foundation.log(-2 / eta[0]) : .infinity
    }

    public static func sharesBase(_ a: Parameters, _ b: Parameters) -> Bool {
        a.loc == b.loc
    }
}
