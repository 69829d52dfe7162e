import Foundation
import KLSTensor

/// The Laplace distribution with density exp(−|x − loc|/scale) / (2 scale).
public enum LaplaceFamily: ScalarFamily {
    public static let name = "Laplace"
    public static let parameterNames = ["loc", "scale"]
    public static let tag: UInt32 = FamilyStream.laplace.tag

    public static func validate(_ t: Theta) -> (parameter: String, requirement: String, value: Double)? {
        if !t.a.isFinite { return ("loc", "finite", t.a) }
        if !(t.b > 0 && t.b.isFinite) { return ("scale", "finite and > 0", t.b) }
        return nil
    }

    public static func logpdf(_ x: Double, _ t: Theta) -> Double { -Swift.abs(x - t.a) / t.b - Foundation.log(2 * t.b) }

    public static func cdf(_ x: Double, _ t: Theta) -> Double {
        let z = (x - t.a) / t.b
        return z < 0 ? 0.5 * Foundation.exp(z) : 1 - 0.5 * Foundation.exp(-z)
    }

    /// Inverse CDF of a uniform on (−½, ½).
    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Theta) -> Double {
        var random = DrawRandom(generator, index: index, tag: tag)
        let u = random.openUniform() - 0.5
        return t.a - t.b * (u < 0 ? -1 : 1) * Foundation.log1p(-2 * Swift.abs(u))
    }

    public static func entropy(_ t: Theta) -> Double { 1 + Foundation.log(2 * t.b) }
    public static func mean(_ t: Theta) -> Double { t.a }
    public static func variance(_ t: Theta) -> Double { 2 * t.b * t.b }
}

public typealias Laplace = ScalarDistribution<LaplaceFamily>
