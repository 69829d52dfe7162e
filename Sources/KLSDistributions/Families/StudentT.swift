import Foundation
import KLSTensor
import RealModule

/// Student's t with `df` degrees of freedom, location and scale.
public enum StudentTFamily: ScalarFamily {
    public static let name = "StudentT"
    public static let parameterNames = ["df", "loc", "scale"]
    public static let tag: UInt32 = FamilyStream.studentT.tag

    public static func validate(_ t: Theta) -> (parameter: String, requirement: String, value: Double)? {
        if !(t.a > 0) || t.a.isNaN { return ("df", "> 0", t.a) }
        if !t.b.isFinite { return ("loc", "finite", t.b) }
        if !(t.c > 0 && t.c.isFinite) { return ("scale", "finite and > 0", t.c) }
        return nil
    }

    public static func logpdf(_ x: Double, _ t: Theta) -> Double {
        let nu = t.a
        let z = (x - t.b) / t.c
        return Double.logGamma((nu + 1) / 2) - Double.logGamma(nu / 2) - 0.5 * Foundation.log(nu * Double.pi)
            - Foundation.log(t.c) - (nu + 1) / 2 * Foundation.log1p(z * z / nu)
    }

    public static func cdf(_ x: Double, _ t: Theta) -> Double {
        let nu = t.a
        let z = (x - t.b) / t.c
        if z.isInfinite { return z > 0 ? 1 : 0 }
        let tail = 0.5 * SpecialFunctions.regularizedBeta(nu / (nu + z * z), nu / 2, 0.5)
        return z > 0 ? 1 - tail : tail
    }

    /// A normal over the square root of a scaled chi-square.
    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Theta) -> Double {
        var random = DrawRandom(generator, index: index, tag: tag)
        let z = random.normal()
        let chiSquare = 2 * random.gamma(t.a / 2)
        return t.b + t.c * z / (chiSquare / t.a).squareRoot()
    }

    public static func entropy(_ t: Theta) -> Double {
        let nu = t.a
        return (nu + 1) / 2 * (SpecialFunctions.digamma((nu + 1) / 2) - SpecialFunctions.digamma(nu / 2))
            + 0.5 * Foundation.log(nu) + SpecialFunctions.logBeta(nu / 2, 0.5) + Foundation.log(t.c)
    }

    public static func mean(_ t: Theta) -> Double { t.a > 1 ? t.b : .nan }

    public static func variance(_ t: Theta) -> Double {
        if t.a > 2 { return t.c * t.c * t.a / (t.a - 2) }
        return t.a > 1 ? .infinity : .nan
    }
}

public typealias StudentT = ScalarDistribution<StudentTFamily>
