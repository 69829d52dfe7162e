import Foundation
import KLSDiagnostics
import KLSTensor

/// The Cauchy distribution: density 1 / (π scale (1 + z²)), z = (x − loc)/scale.
/// It has no mean and no variance (PyTorch reports nan and inf).
public enum CauchyFamily: ScalarFamily {
    public static let name = "Cauchy"
    public static let parameterNames = ["loc", "scale"]
    public static let parameterMeanings = ["the location: the median", "the scale > 0: half the interquartile range"]
    public static let summary = "Cauchy(loc, scale): heavy tails, no mean or variance."
    public static let example = "Cauchy(0, 1)"
    public static let tag = FamilyStream.named(name)

    public static func logDensity<N: FormulaNumber>(_ x: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let z = try (x - t.loc) / t.scale
        return try -N.log(Double.pi * t.scale) - N.log1pSquareOver(z, .constant(1))
    }

    /// ½ + atan(z)/π, written as atan(1/|z|)/π in the far tail below the
    /// median, where ½ + atan(z)/π cancels.
    public static func cdf(_ x: Double, _ t: Parameters) -> Double {
        let z = (x - t.loc) / t.scale
        return z < -1 ? Foundation.atan(-1 / z) / Double.pi : 0.5 + Foundation.atan(z) / Double.pi
    }

    /// loc + scale · tan(π(u − ½)).
    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        let u = Philox.openUnit(generator.singleWord(index: index, stream: tag))
        return t.loc + t.scale * Foundation.tan(Double.pi * (u - 0.5))
    }

    public static func entropy<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try N.log(4 * Double.pi * t.scale)
    }
    public static func mean<N: FormulaNumber>(_ t: ParameterValues<Self, N>) -> N { .constant(.nan) }
    public static func variance<N: FormulaNumber>(_ t: ParameterValues<Self, N>) -> N { .constant(.infinity) }
}

extension ParameterValues where F == CauchyFamily {
    public var loc: N { first }
    public var scale: N { second }
}

extension CauchyFamily: LocationScaleFamily {}

extension CauchyFamily: ClosedFormKLFamily {
    /// log(((sq + sp)² + (μq − μp)²) / (4 sq sp)) (Chyzak & Nielsen 2019), as
    /// log1p of ((sq − sp)² + (μq − μp)²)/(4 sq sp), which keeps its digits when
    /// q ≈ p — each difference divided by 2√sq √sp before it is squared; where
    /// that sum overflows, as 2 log hypot(sq + sp, μq − μp) − log 4 − log sq − log sp.
    public static func kl<N: FormulaNumber>(_ q: ParameterValues<Self, N>, _ p: ParameterValues<Self, N>) throws(N
        .Failure) -> N
    {
        let mean = try 2 * N.sqrt(q.scale) * N.sqrt(p.scale)
        let (spread, shift) = (try (q.scale - p.scale) / mean, try (q.loc - p.loc) / mean)
        let sum = try N.square(spread) + N.square(shift)
        let fits: (Double) -> Bool = { $0 < 1e300 }
        func logs() throws(N.Failure) -> N {
            let hypot = try N.logHypot(q.scale + p.scale, N.abs(q.loc - p.loc))
            return try 2 * hypot - N.log(.constant(4)) - N.log(q.scale) - N.log(p.scale)
        }
        return try N.piecewise(sum, fits, standIn: 0, inside: N.log1p, outside: { _ throws(N.Failure) in try logs() })
    }
}

public typealias Cauchy = ScalarDistribution<CauchyFamily>
