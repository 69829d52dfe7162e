import Foundation
import KLSTensor

/// The exponential distribution with density rate·e^(−rate·x) on x ≥ 0.
public enum ExponentialFamily: ScalarFamily {
    public static let name = "Exponential"
    public static let parameterNames = ["rate"]
    public static let parameterMeanings = ["the rate λ > 0 (the mean is 1/λ)"]
    public static let summary = "Exponential(rate) on x ≥ 0, mean 1/rate."
    public static let example = "Exponential(2)"

    /// One distribution's parameters, by name.
    public struct Parameters: Sendable {
        public var rate: Double
    }

    @inline(__always)
    public static func parameters(_ values: [Tensor], at i: Int) -> Parameters {
        Parameters(rate: values[0][flat: i])
    }
    public static let tag: UInt32 = FamilyStream.exponential.tag

    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        t.rate > 0 && t.rate.isFinite ? nil : ("rate", "finite and > 0", t.rate)
    }

    public static func logpdf(_ x: Double, _ t: Parameters) -> Double {
        x >= 0 ? Foundation.log(t.rate) - t.rate * x : -.infinity
    }
    public static func cdf(_ x: Double, _ t: Parameters) -> Double { x > 0 ? -Foundation.expm1(-t.rate * x) : 0 }

    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        -Foundation.log(Philox.openUnit(generator.singleWord(index: index, stream: tag))) / t.rate
    }

    public static func entropy(_ t: Parameters) -> Double { 1 - Foundation.log(t.rate) }
    public static func mean(_ t: Parameters) -> Double { 1 / t.rate }
    public static func variance(_ t: Parameters) -> Double { 1 / (t.rate * t.rate) }
    public static func support(_ t: Parameters) -> ClosedRange<Double> { 0...Double.infinity }
}

extension ExponentialFamily: InverseCDFFamily {
    public static func parameters(_ first: Double, _ second: Double, _ third: Double) -> Parameters {
        Parameters(rate: first)
    }

    public static let padding = (1.0, 1.0, 1.0)

    @inline(__always)
    public static func inverseCDF(
        _ words: SIMD8<UInt64>, _ rate: VectorMath.Vector, _: VectorMath.Vector, _: VectorMath.Vector
    ) -> VectorMath.Vector {
        -VectorMath.log(VectorMath.openUnit(words)) / rate
    }

    public static func logpdf(
        _ x: UnsafePointer<Double>, count: Int, parameters: ParameterRuns, into out: UnsafeMutablePointer<Double>
    ) {
        var cache = ConstantCache()
        parameters.map(x, count: count, into: out, padding: (0, 1, 1, 1)) { x, rate, _, _ in
            let logRate = cache.value(rate, rate) { r, _ in VectorMath.log(r) }
            return VectorMath.select(x .>= 0, logRate - rate * x, VectorMath.Vector(repeating: -.infinity))
        }
    }
}

public typealias Exponential = ScalarDistribution<ExponentialFamily>
