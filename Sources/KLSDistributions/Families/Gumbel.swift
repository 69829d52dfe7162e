import Foundation
import KLSDiagnostics
import KLSTensor

/// The Gumbel (type-I extreme value) distribution: density e^(−(z + e^(−z)))/scale,
/// z = (x − loc)/scale — the law of the maximum of many light-tailed draws.
public enum GumbelFamily: ScalarFamily {
    public static let name = "Gumbel"
    public static let parameterNames = ["loc", "scale"]
    public static let parameterMeanings = ["the location: the mode", "the scale > 0"]
    public static let summary = "Gumbel(loc, scale): the extreme-value law, mean loc + γ·scale."
    public static let example = "Gumbel(0, 1)"
    public static let tag = FamilyStream.named(name)

    public static func logDensity<N: FormulaNumber>(_ x: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let z = try (x - t.loc) / t.scale
        return try -(z + N.exp(-z)) - N.log(t.scale)
    }

    public static func cdf(_ x: Double, _ t: Parameters) -> Double {
        Foundation.exp(-Foundation.exp(-(x - t.loc) / t.scale))
    }

    /// loc − scale · log(−log u).
    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        let u = Philox.openUnit(generator.singleWord(index: index, stream: tag))
        return t.loc - t.scale * Foundation.log(-Foundation.log(u))
    }

    public static func entropy<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try N.log(t.scale) + (1 + SpecialFunctions.eulerGamma)
    }
    public static func mean<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try t.loc + SpecialFunctions.eulerGamma * t.scale
    }
    public static func variance<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try Double.pi * Double.pi / 6 * N.square(t.scale)
    }
}

extension ParameterValues where F == GumbelFamily {
    public var loc: N { first }
    public var scale: N { second }
}

extension GumbelFamily: LocationScaleFamily {}

extension GumbelFamily: ClosedFormKLFamily {
    /// With ρ = sq/sp and δ = (μq − μp)/sp (PyTorch's `_kl_gumbel_gumbel`):
    /// −log ρ + δ + γ(ρ − 1) + e^(−δ) Γ(1 + ρ) − 1.
    public static func kl<N: FormulaNumber>(_ q: ParameterValues<Self, N>, _ p: ParameterValues<Self, N>) throws(N
        .Failure) -> N
    {
        let ratio = try q.scale / p.scale
        let shift = try (q.loc - p.loc) / p.scale
        let tail = try N.exp(N.lgamma(ratio + 1) - shift)
        return try -N.log(ratio) + shift + SpecialFunctions.eulerGamma * (ratio - 1) + tail - 1
    }
}

public typealias Gumbel = ScalarDistribution<GumbelFamily>
