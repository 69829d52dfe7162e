import Foundation
import KLSDiagnostics
import KLSTensor

/// The exponential distribution with density rate·e^(−rate·x) on x ≥ 0.
public enum ExponentialFamily: ScalarFamily {
    public static let name = "Exponential"
    public static let parameterNames = ["rate"]
    public static let parameterMeanings = ["the rate λ > 0 (the mean is 1/λ)"]
    public static let summary = "Exponential(rate) on x ≥ 0, mean 1/rate."
    public static let example = "Exponential(2)"

    public static let tag: UInt32 = FamilyStream.exponential.tag

    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        t.rate > 0 && t.rate.isFinite ? nil : ("rate", "finite and > 0", t.rate)
    }

    public static func logDensity<N: FormulaNumber>(_ x: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try N.log(t.rate) - t.rate * x
    }
    public static func cdf(_ x: Double, _ t: Parameters) -> Double { x > 0 ? -Foundation.expm1(-t.rate * x) : 0 }

    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        -Foundation.log(Philox.openUnit(generator.singleWord(index: index, stream: tag))) / t.rate
    }

    public static func entropy<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try 1 - N.log(t.rate)
    }
    public static func mean<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N { try 1 / t.rate }
    public static func variance<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try 1 / (t.rate * t.rate)
    }
    public static func support(_ t: Parameters) -> ClosedRange<Double> { 0...Double.infinity }
}

extension ParameterValues where F == ExponentialFamily {
    public var rate: N { first }
}

extension ExponentialFamily: InverseCDFFamily {
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
            // Selecting the outside, not the inside, keeps a NaN x NaN.
            return VectorMath.select(x .< 0, VectorMath.Vector(repeating: -.infinity), logRate - rate * x)
        }
    }
}

extension ExponentialFamily: ReparameterisedFamily {
    public static func standard(_ parameters: [Tensor], shape: [Int]) throws(KLSError) -> any Distribution {
        try constant([1], shape: shape)
    }
    public static func pathwiseDraw<N: FormulaNumber>(_ epsilon: N, _ t: ParameterValues<Self, N>) throws(N.Failure)
        -> N
    { try epsilon / t.rate }
}

extension ExponentialFamily: ClosedFormKLFamily {
    /// log(λq/λp) + λp/λq − 1 = −r(λp/λq − 1), r(t) = log(1+t) − t.
    public static func kl<N: FormulaNumber>(_ q: ParameterValues<Self, N>, _ p: ParameterValues<Self, N>) throws(N
        .Failure) -> N
    { try -N.log1pMinusRatio(p.rate, q.rate) }
}

public typealias Exponential = ScalarDistribution<ExponentialFamily>

/// T = x, η = −rate, A = −log(−η).
extension ExponentialFamily: ExponentialFamilyForm {
    public static func naturalParameters(_ t: Parameters) -> [Double]? {
        [-t.rate]
    }

    public static func logPartition(_ eta: [Double], base t: Parameters) -> Double {
        eta[0] < 0 ? -Foundation.log(-eta[0]) : .infinity
    }
}
