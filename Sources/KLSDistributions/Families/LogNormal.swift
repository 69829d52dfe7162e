import Foundation
import KLSDiagnostics
import KLSTensor

/// The log-normal distribution: exp of N(mu, sigma²).
public enum LogNormalFamily: ScalarFamily {
    public static let name = "LogNormal"
    public static let parameterNames = ["mu", "sigma"]
    public static let parameterMeanings = ["the mean of log x", "the standard deviation of log x, > 0"]
    public static let summary = "exp of Normal(mu, sigma)."
    public static let example = "LogNormal(0, 0.5)"

    public static let tag: UInt32 = NormalSampler.streamTag

    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        if !t.mu.isFinite { return ("mu", "finite", t.mu) }
        if !(t.sigma > 0 && t.sigma.isFinite) { return ("sigma", "finite and > 0", t.sigma) }
        return nil
    }

    public static func logDensity<N: FormulaNumber>(_ x: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let logX = try N.log(x)
        let z = try (logX - t.mu) / t.sigma
        return try -0.5 * z * z - N.log(t.sigma) - Gaussian.logSqrtTwoPi - logX
    }

    public static func logpdfOutside(_ x: Double, _ t: Parameters) -> Double? {
        x > 0 ? nil : (x.isNaN ? .nan : -.infinity)
    }

    public static func cdf(_ x: Double, _ t: Parameters) -> Double {
        x > 0 ? SpecialFunctions.normalCDF((Foundation.log(x) - t.mu) / t.sigma) : 0
    }

    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        Support.open(Foundation.exp(t.mu + t.sigma * NormalSampler.draw(generator, index: index)), above: 0)
    }

    public static func entropy<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try t.mu + 0.5 + Gaussian.logSqrtTwoPi + N.log(t.sigma)
    }
    public static func mean<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try N.exp(t.mu + t.sigma * t.sigma / 2)
    }
    public static func variance<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try N.expm1(t.sigma * t.sigma) * N.exp(2 * t.mu + t.sigma * t.sigma)
    }
    public static func support(_ t: Parameters) -> ClosedRange<Double> { 0...Double.infinity }
}

extension ParameterValues where F == LogNormalFamily {
    public var mu: N { first }
    public var sigma: N { second }
}

extension LogNormalFamily: VectorizedFamily {
    /// exp of the Normal kernel's draws, kept above 0 like `sample(_:_:_:)`.
    public static func sample(
        _ generator: Philox, start: UInt64, count: Int, parameters: ParameterRuns,
        into out: UnsafeMutablePointer<Double>
    ) {
        NormalFamily.sample(generator, start: start, count: count, parameters: parameters, into: out)
        parameters.map(out, count: count, into: out, padding: (0, 0, 1, 0)) { x, _, _, _ in
            let y = VectorMath.exp(x)
            let (lowest, highest) = (
                VectorMath.Vector(repeating: .leastNormalMagnitude), Double.greatestFiniteMagnitude
            )
            let above = VectorMath.select(y .< lowest, lowest, y)
            return VectorMath.select(above .> highest, VectorMath.Vector(repeating: highest), above)
        }
    }

    public static func logpdf(
        _ x: UnsafePointer<Double>, count: Int, parameters: ParameterRuns, into out: UnsafeMutablePointer<Double>
    ) {
        var cache = ConstantCache()
        parameters.map(x, count: count, into: out, padding: (1, 0, 1, 0)) { x, mu, sigma, _ in
            density(x, VectorMath.log(x), mu, sigma, &cache)
        }
    }
}

extension LogNormalFamily: LogArgumentFamily {
    public static func logpdf(
        _ x: UnsafePointer<Double>, logX: UnsafePointer<Double>, count: Int, parameters: ParameterRuns,
        into out: UnsafeMutablePointer<Double>
    ) {
        var cache = ConstantCache()
        parameters.map(x, logX, count: count, into: out, padding: (1, 0, 1, 0)) { x, logX, mu, sigma, _ in
            density(x, logX, mu, sigma, &cache)
        }
    }

    /// The log-density of eight lanes from x and log x.
    @inline(__always)
    static func density(
        _ x: VectorMath.Vector, _ logX: VectorMath.Vector, _ mu: VectorMath.Vector, _ sigma: VectorMath.Vector,
        _ cache: inout ConstantCache
    ) -> VectorMath.Vector {
        let z = (logX - mu) / sigma
        let logSigma = cache.value(sigma, sigma) { s, _ in VectorMath.log(s) }
        let value = -0.5 * z * z - logSigma - Gaussian.logSqrtTwoPi - logX
        // x ≤ 0 has no density; nan stays nan.
        return VectorMath.select(x .<= 0, VectorMath.Vector(repeating: -.infinity), value)
    }
}

extension LogNormalFamily: ReparameterisedFamily {
    /// ε is standard normal: the draw is exp(μ + σε).
    public static func standard(_ parameters: [Tensor], shape: [Int]) throws(KLSError) -> any Distribution {
        try NormalFamily.constant([0, 1], shape: shape)
    }
    public static func pathwiseDraw<N: FormulaNumber>(_ epsilon: N, _ t: ParameterValues<Self, N>) throws(N.Failure)
        -> N
    { try N.exp(t.mu + t.sigma * epsilon) }
}

extension LogNormalFamily: ClosedFormKLFamily {
    /// That of the two normals of log x.
    public static func kl<N: FormulaNumber>(_ q: ParameterValues<Self, N>, _ p: ParameterValues<Self, N>) throws(N
        .Failure) -> N
    {
        try GaussianKL.scalar(q.mu, q.sigma, p.mu, p.sigma)
    }
}

public typealias LogNormal = ScalarDistribution<LogNormalFamily>

/// T = (log x, (log x)²), η = (μ/σ², −1/(2σ²)), A = −η₁²/(4η₂) − ½ log(−2η₂).
extension LogNormalFamily: ExponentialFamilyForm {
    public static func naturalParameters(_ t: Parameters) -> [Double]? {
        [t.mu / (t.sigma * t.sigma), -0.5 / (t.sigma * t.sigma)]
    }

    public static func logPartition(_ eta: [Double], base t: Parameters) -> Double {
        eta[1] < 0 ? -eta[0] * eta[0] / (4 * eta[1]) - 0.5 * Foundation.log(-2 * eta[1]) : .infinity
    }
}
