import Foundation
import KLSDiagnostics
import KLSTensor

/// The uniform distribution on [low, high].
public enum UniformFamily: ScalarFamily {
    public static let name = "Uniform"
    public static let parameterNames = ["low", "high"]
    public static let parameterMeanings = ["the lower end", "the upper end, > low"]
    public static let summary = "Uniform on [low, high]."
    public static let example = "Uniform(0, 2)"

    public static let tag: UInt32 = FamilyStream.uniform.tag

    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        if !t.low.isFinite { return ("low", "finite", t.low) }
        if !(t.high.isFinite && t.high > t.low) { return ("high", "finite and > low", t.high) }
        return nil
    }

    public static func logDensity<N: FormulaNumber>(_ x: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try -N.log(t.high - t.low)
    }

    public static func cdf(_ x: Double, _ t: Parameters) -> Double {
        Swift.min(1, Swift.max(0, (x - t.low) / (t.high - t.low)))
    }

    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        t.low + (t.high - t.low) * Philox.unit(generator.singleWord(index: index, stream: tag))
    }

    public static func entropy<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try N.log(t.high - t.low)
    }
    public static func mean<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try (t.low + t.high) / 2
    }
    public static func variance<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try (t.high - t.low) * (t.high - t.low) / 12
    }
    public static func support(_ t: Parameters) -> ClosedRange<Double> { t.low...t.high }
}

extension ParameterValues where F == UniformFamily {
    public var low: N { first }
    public var high: N { second }
}

extension UniformFamily: InverseCDFFamily {
    public static let padding = (0.0, 1.0, 0.0)

    @inline(__always)
    public static func inverseCDF(
        _ words: SIMD8<UInt64>, _ low: VectorMath.Vector, _ high: VectorMath.Vector, _: VectorMath.Vector
    ) -> VectorMath.Vector {
        low + (high - low) * VectorMath.unit(words)
    }

    public static func logpdf(
        _ x: UnsafePointer<Double>, count: Int, parameters: ParameterRuns, into out: UnsafeMutablePointer<Double>
    ) {
        var cache = ConstantCache()
        parameters.map(x, count: count, into: out, padding: (0, 0, 1, 0)) { x, low, high, _ in
            let inside = (x .>= low) .& (x .<= high)
            let logWidth = cache.value(low, high) { a, b in VectorMath.log(b - a) }
            let value = VectorMath.select(inside, -logWidth, VectorMath.Vector(repeating: -.infinity))
            return VectorMath.select(x .== x, value, x)
        }
    }
}

extension UniformFamily: ReparameterisedFamily {
    public static func standard(_ parameters: [Tensor], shape: [Int]) throws(KLSError) -> any Distribution {
        try constant([0, 1], shape: shape)
    }
    public static func pathwiseDraw<N: FormulaNumber>(_ epsilon: N, _ t: ParameterValues<Self, N>) throws(N.Failure)
        -> N
    { try t.low + (t.high - t.low) * epsilon }
}

extension UniformFamily: ClosedFormKLFamily {
    /// log((hp−lp)/(hq−lq)) when q's support lies inside p's, else inf.
    public static func kl<N: FormulaNumber>(_ q: ParameterValues<Self, N>, _ p: ParameterValues<Self, N>) throws(N
        .Failure) -> N
    {
        let value = try N.log(p.high - p.low) - N.log(q.high - q.low)
        let below = try N.choose(p.high - q.high, { $0 >= 0 }, value, .constant(.infinity))
        return try N.choose(q.low - p.low, { $0 >= 0 }, below, .constant(.infinity))
    }
}

public typealias Uniform = ScalarDistribution<UniformFamily>
