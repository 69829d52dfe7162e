import Foundation
import KLSTensor

/// The Laplace distribution with density exp(−|x − loc|/scale) / (2 scale).
public enum LaplaceFamily: ScalarFamily {
    public static let name = "Laplace"
    public static let parameterNames = ["loc", "scale"]
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

    /// Inverse CDF of a uniform on (−½, ½).
    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        var random = DrawRandom(generator, index: index, tag: tag)
        let u = random.openUniform() - 0.5
        return t.loc - t.scale * (u < 0 ? -1 : 1) * Foundation.log1p(-2 * Swift.abs(u))
    }

    public static func entropy(_ t: Parameters) -> Double { 1 + Foundation.log(2 * t.scale) }
    public static func mean(_ t: Parameters) -> Double { t.loc }
    public static func variance(_ t: Parameters) -> Double { 2 * t.scale * t.scale }
}

public typealias Laplace = ScalarDistribution<LaplaceFamily>
