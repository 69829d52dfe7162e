import Foundation
import KLSDiagnostics
import KLSTensor

/// The normal distribution N(mean, std²).
public enum NormalFamily: ScalarFamily {
    public static let name = "Normal"
    public static let parameterNames = ["mean", "std"]
    public static let parameterMeanings = ["the mean", "the standard deviation, > 0"]

    public static let tag: UInt32 = NormalSampler.streamTag

    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        if !t.mean.isFinite { return ("mean", "finite", t.mean) }
        if !(t.std > 0 && t.std.isFinite) { return ("std", "finite and > 0", t.std) }
        return nil
    }

    public static func logDensity<N: FormulaNumber>(_ x: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let z = try (x - t.mean) / t.std
        return try -0.5 * z * z - N.log(t.std) - Gaussian.logSqrtTwoPi
    }

    public static func cdf(_ x: Double, _ t: Parameters) -> Double { SpecialFunctions.normalCDF((x - t.mean) / t.std) }

    /// The ziggurat draw of the same index, so `sample(Normal(0, 1), seed=s)`
    /// equals `randn(seed=s)`.
    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        t.mean + t.std * NormalSampler.draw(generator, index: index)
    }

    public static func entropy<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try 0.5 + Gaussian.logSqrtTwoPi + N.log(t.std)
    }
    public static func mean<N: FormulaNumber>(_ t: ParameterValues<Self, N>) -> N { t.mean }
    public static func variance<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try t.std * t.std
    }
}

extension ParameterValues where F == NormalFamily {
    public var mean: N { first }
    public var std: N { second }
}

extension NormalFamily: VectorizedFamily {
    /// Standard draws for the whole stretch (the ziggurat's SIMD fill), then
    /// mean + std · ε run by run: the same numbers as `sample(_:_:_:)`.
    public static func sample(
        _ generator: Philox, start: UInt64, count: Int, parameters: ParameterRuns,
        into out: UnsafeMutablePointer<Double>
    ) {
        NormalSampler.fill(generator, start: start, count: count, into: out)
        let (mean, std) = (parameters[0], parameters[1])
        parameters.forEachRun(count) { offset, element, length in
            for k in 0..<length { out[offset + k] = mean[element + k] + std[element + k] * out[offset + k] }
        }
    }

    public static func allValid(_ parameters: ParameterRuns) -> Bool {
        var valid = SIMDMask<SIMD8<Int64>>(repeating: true)
        var k = 0
        while k < parameters.batch {
            let (m, s) = (parameters.load(0, k), parameters.load(1, k, padding: 1))
            // m − m is 0 for finite m, nan for ±inf and nan.
            let finite = m - m .== 0
            valid .&= finite .& (s .> 0) .& (s .< .infinity)
            k += 8
        }
        return VectorMath.all(valid)
    }

    /// −(x − m)²/(2s²) − log s − log √(2π), eight lanes at a time; log s is
    /// recomputed only when the std vector changes (a shared std, or a small
    /// batch under many draws, pays for it once per call).
    public static func logpdf(
        _ x: UnsafePointer<Double>, count: Int, parameters: ParameterRuns, into out: UnsafeMutablePointer<Double>
    ) {
        var cache = ConstantCache()
        parameters.map(x, count: count, into: out, padding: (0, 0, 1, 1)) { x, mean, std, _ in
            let logStd = cache.value(std, std) { s, _ in VectorMath.log(s) }
            let z = (x - mean) / std
            return (-0.5 * z * z - logStd) - Gaussian.logSqrtTwoPi
        }
    }
}

extension NormalFamily: ReparameterisedFamily {
    public static func standard(_ parameters: [Tensor], shape: [Int]) throws(KLSError) -> any Distribution {
        try constant([0, 1], shape: shape)
    }
    public static func pathwiseDraw<N: FormulaNumber>(_ epsilon: N, _ t: ParameterValues<Self, N>) throws(N.Failure)
        -> N
    { try t.mean + t.std * epsilon }
}

extension NormalFamily: ClosedFormKLFamily {
    public static func kl<N: FormulaNumber>(_ q: ParameterValues<Self, N>, _ p: ParameterValues<Self, N>) throws(N
        .Failure) -> N
    {
        try GaussianKL.scalar(q.mean, q.std, p.mean, p.std)
    }
}

public typealias Normal = ScalarDistribution<NormalFamily>
