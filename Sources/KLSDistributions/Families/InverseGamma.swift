import Foundation
import KLSDiagnostics
import KLSTensor

/// The inverse-gamma distribution: 1/X for X ~ Gamma(concentration α, rate β),
/// density β^α x^(−α−1) e^(−β/x) / Γ(α) on x > 0 (PyTorch's parameters).
public enum InverseGammaFamily: ScalarFamily {
    public static let name = "InverseGamma"
    public static let parameterNames = ["concentration", "rate"]
    public static let parameterMeanings = ["the shape α > 0", "the rate β > 0 of the gamma it inverts (a scale here)"]
    public static let summary = "InverseGamma(concentration, rate): 1/Gamma(concentration, rate), mean rate/(α − 1)."
    public static let example = "InverseGamma(3, 2)"
    public static let tag = FamilyStream.named(name)

    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        if !(t.concentration > 0 && t.concentration.isFinite) {
            return ("concentration", "finite and > 0", t.concentration)
        }
        if !(t.rate > 0 && t.rate.isFinite) { return ("rate", "finite and > 0", t.rate) }
        return nil
    }

    /// The gamma it inverts.
    static func gamma<N: FormulaNumber>(_ t: ParameterValues<Self, N>) -> ParameterValues<GammaFamily, N> {
        .init(t.concentration, t.rate, .constant(0))
    }

    /// Gamma(α, β)'s log-density at 1/x, less 2 log x (the Jacobian).
    public static func logDensity<N: FormulaNumber>(_ x: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try GammaFamily.logDensity(1 / x, gamma(t)) - 2 * N.log(x)
    }
    public static func logpdfOutside(_ x: Double, _ t: Parameters) -> Double? {
        if x.isNaN { return .nan }
        // Where 1/x overflows the density is e^(−β/x) = 0 (the gamma formula would give inf − inf).
        return x <= 0 || x.isInfinite || (1 / x).isInfinite ? -.infinity : nil
    }
    /// Q(α, β/x), the gamma's upper tail at 1/x.
    public static func cdf(_ x: Double, _ t: Parameters) -> Double {
        x > 0 ? SpecialFunctions.regularizedGammaQ(t.concentration, t.rate / x) : 0
    }

    /// α + log β + log Γ(α) − (1 + α) ψ(α): Gamma(α, 1)'s entropy + log β − 2 ψ(α).
    public static func entropy<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try N.gammaEntropy(t.concentration) + N.log(t.rate) - 2 * N.digamma(t.concentration)
    }
    /// β/(α − 1) for α > 1.
    public static func mean<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try N.choose(t.concentration, { $0 > 1 }, t.rate / (t.concentration - 1), .constant(.infinity))
    }
    /// β² / ((α − 1)² (α − 2)) for α > 2.
    public static func variance<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let finite = try N.square(t.rate / (t.concentration - 1)) / (t.concentration - 2)
        return try N.choose(t.concentration, { $0 > 2 }, finite, .constant(.infinity))
    }
    public static func support(_ t: Parameters) -> ClosedRange<Double> { 0...Double.infinity }
}

extension ParameterValues where F == InverseGammaFamily {
    public var concentration: N { first }
    public var rate: N { second }
}

extension InverseGammaFamily: NoiseDrivenFamily {
    /// ε ~ Gamma(α, 1) (Marsaglia–Tsang), differentiated implicitly in α: the draw is β/ε.
    public static func noise(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        var random = DrawRandom(generator, index: index, tag: tag)
        return Support.open(random.gamma(t.concentration), above: 0)
    }
    public static func pathwiseDraw<N: FormulaNumber>(_ epsilon: N, _ t: ParameterValues<Self, N>) throws(N.Failure)
        -> N
    { try t.rate / epsilon }
    public static let implicitParameters = [0]
    public static func implicitSlopes(_ epsilon: Double, _ t: Parameters) -> [Double] {
        [ImplicitReparameterisation.gammaShape(epsilon, t.concentration)]
    }
}

extension InverseGammaFamily: ClosedFormKLFamily {
    /// That of the gammas they invert: KL is unchanged by x ↦ 1/x.
    public static func kl<N: FormulaNumber>(_ q: ParameterValues<Self, N>, _ p: ParameterValues<Self, N>) throws(N
        .Failure) -> N
    { try GammaFamily.kl(gamma(q), gamma(p)) }
}

public typealias InverseGamma = ScalarDistribution<InverseGammaFamily>

/// T = (log x, 1/x), η = (−concentration − 1, −rate), A = log Γ(α) − α log β
/// with α = −η₁ − 1, β = −η₂.
extension InverseGammaFamily: ExponentialFamilyForm {
    public static func naturalParameters(_ t: Parameters) -> [Double]? {
        [-t.concentration - 1, -t.rate]
    }

    public static func logPartition(_ eta: [Double], base t: Parameters) -> Double {
        -eta[0] - 1 > 0 && eta[1] < 0
            ? Double.lgamma(-eta[0] - 1) - (-eta[0] - 1) * Foundation.log(-eta[1]) : .infinity
    }
}
