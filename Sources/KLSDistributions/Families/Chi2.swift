import Foundation
import KLSDiagnostics
import KLSTensor

/// The chi-squared distribution with df degrees of freedom: Gamma(df/2, rate ½),
/// whose formulas it uses.
public enum Chi2Family: ScalarFamily {
    public static let name = "Chi2"
    public static let parameterNames = ["df"]
    public static let parameterMeanings = ["the degrees of freedom > 0 (need not be whole)"]
    public static let summary = "Chi2(df): the sum of df squared standard normals, Gamma(df/2, 1/2)."
    public static let example = "Chi2(3)"
    public static let tag = FamilyStream.named(name)

    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        t.df > 0 && t.df.isFinite ? nil : ("df", "finite and > 0", t.df)
    }

    public static func logDensity<N: FormulaNumber>(_ x: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try GammaFamily.logDensity(x, general(t))
    }
    public static func logpdfOutside(_ x: Double, _ t: Parameters) -> Double? {
        GammaFamily.logpdfOutside(x, general(t))
    }
    public static func cdf(_ x: Double, _ t: Parameters) -> Double { GammaFamily.cdf(x, general(t)) }

    /// Twice a Gamma(df/2, 1) draw (Marsaglia–Tsang).
    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        var random = DrawRandom(generator, index: index, tag: tag)
        return Support.open(2 * random.gamma(t.df / 2), above: 0)
    }

    public static func entropy<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try GammaFamily.entropy(general(t))
    }
    public static func mean<N: FormulaNumber>(_ t: ParameterValues<Self, N>) -> N { t.df }
    public static func variance<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try 2 * t.df
    }
    public static func support(_ t: Parameters) -> ClosedRange<Double> { 0...Double.infinity }
}

extension ParameterValues where F == Chi2Family {
    public var df: N { first }
}

/// ε is the family's own draw, differentiated implicitly in df.
extension Chi2Family: OwnDrawsFamily {
    public static let implicitParameters = [0]
    /// x = 2g for g ~ Gamma(df/2, 1): dx/d(df) = 2 · ½ · dg/dα.
    public static func implicitSlopes(_ epsilon: Double, _ t: Parameters) -> [Double] {
        [ImplicitReparameterisation.gammaShape(epsilon / 2, t.df / 2)]
    }
}

extension Chi2Family: SpecialCaseFamily {
    public typealias General = GammaFamily
    /// Gamma(df/2, ½): every Gamma closed form applies to a Chi2, as in PyTorch.
    public static func general<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure)
        -> ParameterValues<GammaFamily, N>
    { .init(try t.df * 0.5, .constant(0.5), .constant(0)) }
}

extension Chi2Family: ClosedFormKLFamily {
    public static func kl<N: FormulaNumber>(_ q: ParameterValues<Self, N>, _ p: ParameterValues<Self, N>) throws(N
        .Failure) -> N
    { try GammaFamily.kl(general(q), general(p)) }
}

public typealias Chi2 = ScalarDistribution<Chi2Family>

/// Gamma(df/2, ½): T = log x (x's coefficient, −½, is the base's), η = df/2 − 1,
/// A = log Γ(η + 1) + (η + 1) log 2.
extension Chi2Family: ExponentialFamilyForm {
    public static func naturalParameters(_ t: Parameters) -> [Double]? {
        [t.df / 2 - 1]
    }

    public static func logPartition(_ eta: [Double], base t: Parameters) -> Double {
        eta[0] > -1 ? Double.lgamma(eta[0] + 1) + (eta[0] + 1) * Foundation.log(2.0) : .infinity
    }
}
