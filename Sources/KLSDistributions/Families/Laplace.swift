import Foundation
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

    /// One distribution's parameters, by name.
    public struct Parameters: Sendable {
        public var loc: Double
        public var scale: Double
    }

    @inline(__always)
    public static func parameters(_ values: [Tensor], at i: Int) -> Parameters {
        Parameters(loc: values[0][flat: i], scale: values[1][flat: i])
    }
    public static let tag: UInt32 = FamilyStream.laplace.tag

    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        if !t.loc.isFinite { return ("loc", "finite", t.loc) }
        if !(t.scale > 0 && t.scale.isFinite) { return ("scale", "finite and > 0", t.scale) }
        return nil
    }

    public static func logpdf(_ x: Double, _ t: Parameters) -> Double {
        -Swift.abs(x - t.loc) / t.scale - Foundation.log(2 * t.scale)
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

    public static func entropy(_ t: Parameters) -> Double { 1 + Foundation.log(2 * t.scale) }
    public static func mean(_ t: Parameters) -> Double { t.loc }
    public static func variance(_ t: Parameters) -> Double { 2 * t.scale * t.scale }
}

extension LaplaceFamily: InverseCDFFamily {
    public static func parameters(_ first: Double, _ second: Double, _ third: Double) -> Parameters {
        Parameters(loc: first, scale: second)
    }

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

public typealias Laplace = ScalarDistribution<LaplaceFamily>
