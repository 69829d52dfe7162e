import Foundation
import KLSTensor

/// The uniform distribution on [low, high].
public enum UniformFamily: ScalarFamily {
    public static let name = "Uniform"
    public static let parameterNames = ["low", "high"]
    public static let parameterMeanings = ["the lower end", "the upper end, > low"]
    public static let summary = "Uniform on [low, high]."
    public static let example = "Uniform(0, 2)"

    /// One distribution's parameters, by name.
    public struct Parameters: Sendable {
        public var low: Double
        public var high: Double
    }

    @inline(__always)
    public static func parameters(_ values: [Tensor], at i: Int) -> Parameters {
        Parameters(low: values[0][flat: i], high: values[1][flat: i])
    }
    public static let tag: UInt32 = FamilyStream.uniform.tag

    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        if !t.low.isFinite { return ("low", "finite", t.low) }
        if !(t.high.isFinite && t.high > t.low) { return ("high", "finite and > low", t.high) }
        return nil
    }

    public static func logpdf(_ x: Double, _ t: Parameters) -> Double {
        x >= t.low && x <= t.high ? -Foundation.log(t.high - t.low) : -.infinity
    }

    public static func cdf(_ x: Double, _ t: Parameters) -> Double {
        Swift.min(1, Swift.max(0, (x - t.low) / (t.high - t.low)))
    }

    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        t.low + (t.high - t.low) * Philox.unit(generator.singleWord(index: index, stream: tag))
    }

    public static func entropy(_ t: Parameters) -> Double { Foundation.log(t.high - t.low) }
    public static func mean(_ t: Parameters) -> Double { (t.low + t.high) / 2 }
    public static func variance(_ t: Parameters) -> Double { (t.high - t.low) * (t.high - t.low) / 12 }
    public static func support(_ t: Parameters) -> ClosedRange<Double> { t.low...t.high }
}

extension UniformFamily: InverseCDFFamily {
    public static func parameters(_ first: Double, _ second: Double, _ third: Double) -> Parameters {
        Parameters(low: first, high: second)
    }

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
            return VectorMath.select(inside, -logWidth, VectorMath.Vector(repeating: -.infinity))
        }
    }
}

public typealias Uniform = ScalarDistribution<UniformFamily>
