import Foundation
import KLSDiagnostics
import KLSTensor
import RealModule

/// Student's t with `df` degrees of freedom, location and scale.
public enum StudentTFamily: ScalarFamily {
    public static let name = "StudentT"
    public static let parameterNames = ["df", "loc", "scale"]
    public static let parameterMeanings = [
        "the degrees of freedom ν > 0 (heavier tails as ν falls; Normal as ν → ∞)", "the location: the median",
        "the scale > 0",
    ]
    public static let summary = "Student's t with df degrees of freedom."
    public static let example = "StudentT(3, loc=0, scale=1)"
    public static let parameterDefaults: [Double?] = [nil, 0, 1]

    public static let tag: UInt32 = FamilyStream.studentT.tag

    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        if !(t.df > 0) || t.df.isNaN { return ("df", "> 0", t.df) }
        if !t.loc.isFinite { return ("loc", "finite", t.loc) }
        if !(t.scale > 0 && t.scale.isFinite) { return ("scale", "finite and > 0", t.scale) }
        return nil
    }

    /// Degrees of freedom from which the large-df series replace the exact
    /// formulas, whose terms cancel (the series' first omitted term is below
    /// 1e-20 relative there).
    static let largeDF = 1e3
    /// From here the cdf's expansion in 1/ν replaces the incomplete beta, which
    /// loses digits as ν grows (5e-7 relative at 1e9, nonsense at 1e15).
    static let largeDFForCDF = 1e5

    /// log Γ((ν+1)/2) − log Γ(ν/2) − ½ log(νπ), the density's constant. For large
    /// ν the difference of log-gammas is ½ log x − 1/8x + 1/192x³ + 1/640x⁵ −
    /// 17/14336x⁷ with x = ν/2 (checked against mpmath at 80 digits).
    static func logNormalizer<N: FormulaNumber>(_ nu: N) throws(N.Failure) -> N {
        func exact() throws(N.Failure) -> N {
            try N.lgamma((nu + 1) / 2) - N.lgamma(nu / 2) - 0.5 * N.log(nu * Double.pi)
        }
        func series() throws(N.Failure) -> N {
            let inverse = try 2 / nu
            let square = try inverse * inverse
            let inner = try 1.0 / 640 - square * (17.0 / 14336)
            let middle = try 1.0 / 192 + square * inner
            return try -Gaussian.logSqrtTwoPi + inverse * (-1.0 / 8 + square * middle)
        }
        let isLarge: (Double) -> Bool = { $0 >= largeDF }
        return try N.piecewise(
            nu, isLarge, inside: { _ throws(N.Failure) in try series() },
            outside: { _ throws(N.Failure) in try exact() })
    }

    public static func logDensity<N: FormulaNumber>(_ x: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let z = try (x - t.loc) / t.scale
        return try logNormalizer(t.df) - N.log(t.scale) - (t.df + 1) / 2 * N.log1pSquareOver(z, t.df)
    }

    public static func cdf(_ x: Double, _ t: Parameters) -> Double {
        let nu = t.df
        let z = (x - t.loc) / t.scale
        if z.isInfinite { return z > 0 ? 1 : 0 }
        if nu >= largeDFForCDF { return largeDFCDF(z, nu) }
        let tail =
            z * z / nu < 1e200
            ? 0.5 * SpecialFunctions.regularizedBeta(nu / (nu + z * z), nu / 2, 0.5)
            : farTail(z, nu)
        return z > 0 ? 1 - tail : tail
    }

    /// ½ I_x(ν/2, ½) for x = ν/(ν + z²) < 1e-200, where x itself may underflow:
    /// in log space, log x = log ν − 2 log|z| − log1p(ν/z²), by the first two
    /// terms of I_x(a, b) = x^a/(a B(a, b)) · (1 + a(1 − b) x/(a + 1) + O(x²)).
    static func farTail(_ z: Double, _ nu: Double) -> Double {
        let a = nu / 2
        let logX = Foundation.log(nu) - 2 * Foundation.log(Swift.abs(z)) - Foundation.log1p(nu / (z * z))
        let series = Foundation.log1p(a * 0.5 * Foundation.exp(logX) / (a + 1))
        return 0.5 * Foundation.exp(a * logX - Foundation.log(a) - Double.logBeta(a, 0.5) + series)
    }

    /// F(z) = Φ(z) − φ(z)(z³ + z)/4ν − φ(z)(3z⁷ − 7z⁵ − 5z³ − 3z)/96ν² + O(ν⁻³), the
    /// expansion of the t cdf about the normal (coefficients checked against
    /// mpmath's hypergeometric form at 80 digits).
    static func largeDFCDF(_ z: Double, _ nu: Double) -> Double {
        let density = Foundation.exp(-0.5 * z * z) / (2 * Double.pi).squareRoot()
        let z2 = z * z
        let first = (z2 * z + z) / 4
        let second = z * (((3 * z2 - 7) * z2 - 5) * z2 - 3) / 96
        return SpecialFunctions.normalCDF(z) - density * (first + second / nu) / nu
    }

    /// A normal over the square root of a scaled chi-square.
    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        var random = DrawRandom(generator, index: index, tag: tag)
        let z = random.normal()
        let chiSquare = 2 * random.gamma(t.df / 2)
        return t.loc + t.scale * z / (chiSquare / t.df).squareRoot()
    }

    /// For large ν, ½(1 + log 2π) + 1/ν + 1/4ν² − 1/6ν³ − 1/8ν⁴ + log scale (fitted
    /// and checked against mpmath at 80 digits: 2e-16 relative at ν = 1000).
    public static func entropy<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let nu = t.df
        let inverse = try 1 / nu
        let series = try inverse * (1 + inverse * (0.25 - inverse * (1.0 / 6 + inverse / 8)))
        let large = try 0.5 + Gaussian.logSqrtTwoPi + series
        let (half, halfPlus) = (try nu / 2, try (nu + 1) / 2)
        let spread = try N.digamma(halfPlus) - N.digamma(half)
        let exact = try halfPlus * spread + 0.5 * N.log(nu) + N.logBeta(half, .constant(0.5))
        return try N.choose(nu, { $0 >= largeDF }, large, exact) + N.log(t.scale)
    }

    public static func mean<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try N.choose(t.df, { $0 > 1 }, t.loc, .constant(.nan))
    }

    public static func variance<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let finite = try t.scale * t.scale * t.df / (t.df - 2)
        let beyond = try N.choose(t.df, { $0 > 1 }, .constant(.infinity), .constant(.nan))
        return try N.choose(t.df, { $0 > 2 }, finite, beyond)
    }
}

extension ParameterValues where F == StudentTFamily {
    public var df: N { first }
    public var loc: N { second }
    public var scale: N { third }
}

extension StudentTFamily: FirstAttemptFamily {
    /// Eight draws at a time (`FirstAttemptFamily`).
    public static func sample(
        _ generator: Philox, start: UInt64, count: Int, parameters: ParameterRuns,
        into out: UnsafeMutablePointer<Double>
    ) {
        sampleByFirstAttempts(generator, start: start, count: count, parameters: parameters, into: out)
    }

    /// loc + scale·Z/√(χ²/ν) from the ziggurat normal and Marsaglia–Tsang's first
    /// attempts for χ²/2, eight draws at a time; ν below 2 and rejected lanes go
    /// through `sample(_:_:_:)`.
    @inline(__always)
    static func firstAttempt(
        _ words: inout VectorGamma, _ nu: VectorMath.Vector, _ loc: VectorMath.Vector, _ scale: VectorMath.Vector
    ) -> (VectorMath.Vector, VectorGamma.Mask) {
        let (z, acceptedZ) = words.normal()
        let (g, acceptedG) = words.gamma(nu / 2)
        return (loc + scale * z / VectorMath.squareRoot(2 * g / nu), acceptedZ .& acceptedG)
    }

    static let padding = (4.0, 0.0, 1.0)

    /// The constant log Γ((ν+1)/2) − log Γ(ν/2) − ½ log(νπ) − log scale is
    /// computed once per distinct (ν, scale) vector, not per element.
    public static func logpdf(
        _ x: UnsafePointer<Double>, count: Int, parameters: ParameterRuns, into out: UnsafeMutablePointer<Double>
    ) {
        var cache = ConstantCache()
        parameters.map(x, count: count, into: out, padding: (0, 1, 0, 1)) { x, nu, loc, scale in
            let constant = cache.value(nu, scale, lanes: { logNormalizer($0) - Foundation.log($1) })
            let z = (x - loc) / scale
            return constant - (nu + 1) / 2 * SIMD8.log1pSquareOver(z, nu)
        }
    }
}

extension StudentTFamily: ReparameterisedFamily {
    /// ε ~ StudentT(df, 0, 1), differentiated implicitly in df; the draw is loc + scale·ε.
    public static func standard(_ parameters: [Tensor], shape: [Int]) throws(KLSError) -> any Distribution {
        try ScalarDistribution<Self>([
            try parameters[0].broadcast(to: shape), try Tensor(repeating: 0, shape: shape),
            try Tensor(repeating: 1, shape: shape),
        ])
    }
    public static func pathwiseDraw<N: FormulaNumber>(_ epsilon: N, _ t: ParameterValues<Self, N>) throws(N.Failure)
        -> N
    { try t.loc + t.scale * epsilon }
    public static let implicitParameters = [0]
    public static func implicitSlopes(_ epsilon: Double, _ t: Parameters) -> [Double] {
        [ImplicitReparameterisation.studentT(epsilon, t.df)]
    }
}

public typealias StudentT = ScalarDistribution<StudentTFamily>
