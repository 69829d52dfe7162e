import Foundation
import KLSTensor
import RealModule

/// Student's t with `df` degrees of freedom, location and scale.
public enum StudentTFamily: ScalarFamily {
    public static let name = "StudentT"
    public static let parameterNames = ["df", "loc", "scale"]
    public static let summary = "Student's t with df degrees of freedom."
    public static let example = "StudentT(3, loc=0, scale=1)"
    public static let parameterDefaults: [Double?] = [nil, 0, 1]

    /// One distribution's parameters, by name.
    public struct Parameters: Sendable {
        public var df: Double
        public var loc: Double
        public var scale: Double
    }

    @inline(__always)
    public static func parameters(_ values: [Tensor], at i: Int) -> Parameters {
        Parameters(df: values[0][flat: i], loc: values[1][flat: i], scale: values[2][flat: i])
    }
    public static let tag: UInt32 = FamilyStream.studentT.tag

    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        if !(t.df > 0) || t.df.isNaN { return ("df", "> 0", t.df) }
        if !t.loc.isFinite { return ("loc", "finite", t.loc) }
        if !(t.scale > 0 && t.scale.isFinite) { return ("scale", "finite and > 0", t.scale) }
        return nil
    }

    public static func logpdf(_ x: Double, _ t: Parameters) -> Double {
        let nu = t.df
        let z = (x - t.loc) / t.scale
        return Double.logGamma((nu + 1) / 2) - Double.logGamma(nu / 2) - 0.5 * Foundation.log(nu * Double.pi)
            - Foundation.log(t.scale) - (nu + 1) / 2 * Foundation.log1p(z * z / nu)
    }

    public static func cdf(_ x: Double, _ t: Parameters) -> Double {
        let nu = t.df
        let z = (x - t.loc) / t.scale
        if z.isInfinite { return z > 0 ? 1 : 0 }
        let tail = 0.5 * SpecialFunctions.regularizedBeta(nu / (nu + z * z), nu / 2, 0.5)
        return z > 0 ? 1 - tail : tail
    }

    /// A normal over the square root of a scaled chi-square.
    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        var random = DrawRandom(generator, index: index, tag: tag)
        let z = random.normal()
        let chiSquare = 2 * random.gamma(t.df / 2)
        return t.loc + t.scale * z / (chiSquare / t.df).squareRoot()
    }

    public static func entropy(_ t: Parameters) -> Double {
        let nu = t.df
        return (nu + 1) / 2 * (SpecialFunctions.digamma((nu + 1) / 2) - SpecialFunctions.digamma(nu / 2))
            + 0.5 * Foundation.log(nu) + SpecialFunctions.logBeta(nu / 2, 0.5) + Foundation.log(t.scale)
    }

    public static func mean(_ t: Parameters) -> Double { t.df > 1 ? t.loc : .nan }

    public static func variance(_ t: Parameters) -> Double {
        if t.df > 2 { return t.scale * t.scale * t.df / (t.df - 2) }
        return t.df > 1 ? .infinity : .nan
    }
}

public typealias StudentT = ScalarDistribution<StudentTFamily>
