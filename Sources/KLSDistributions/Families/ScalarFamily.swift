import Foundation
import KLSDiagnostics
import KLSTensor

/// A family of scalar distributions, described by its formulas at one point.
/// `ScalarDistribution<F>` lifts them to batches with broadcasting, sampling in
/// parallel and the shape rules.
///
/// The density, entropy and moments are written once, generic over the number
/// they compute with (`FormulaNumber`): Doubles here, SIMD lanes in the
/// kernels' tests, traced values for gradients — so a gradient differentiates
/// the very formula the value came from.
public protocol ScalarFamily: Sendable {
    /// The constructor name.
    static var name: String { get }
    /// Parameter names in constructor order.
    static var parameterNames: [String] { get }
    /// What each parameter means, in `parameterNames` order, for help.
    static var parameterMeanings: [String] { get }
    /// Each parameter's default, nil for a required one (all required unless
    /// the family says otherwise).
    static var parameterDefaults: [Double?] { get }
    /// One line of help for the constructor.
    static var summary: String { get }
    /// A constructor call that runs as written.
    static var example: String { get }
    /// Random stream tag, distinct per family.
    static var tag: UInt32 { get }
    /// The error for invalid parameters, or nil when valid.
    static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)?
    /// log p(x) inside the support (`logpdfOutside` covers the rest).
    static func logDensity<N: FormulaNumber>(_ x: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N
    /// The log-density where `logDensity` does not apply — NaN, outside the
    /// support, at an edge where the formula gives 0·∞ — or nil.
    static func logpdfOutside(_ x: Double, _ t: Parameters) -> Double?
    static func cdf(_ x: Double, _ t: Parameters) -> Double
    /// Draw number `index`: families take their variates from a `DrawRandom` (or,
    /// for Normal, the ziggurat) so the draw depends only on seed and index.
    static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double
    static func entropy<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N
    /// The mean (nan where it does not exist, inf where it diverges).
    static func mean<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N
    /// The variance (nan where it does not exist, inf where it diverges).
    static func variance<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N
    static func support(_ t: Parameters) -> ClosedRange<Double>
    static var isDiscrete: Bool { get }
    /// Points inside the support where the density is not smooth (`Distribution.kinks`).
    static func kinks(_ t: Parameters) -> [Double]
}

extension ScalarFamily {
    /// One distribution's parameters as Doubles, named by the family.
    public typealias Parameters = ParameterValues<Self, Double>

    public static var parameterDefaults: [Double?] { parameterNames.map { _ in nil } }
    public static var summary: String { "The \(name) distribution." }
    public static var example: String { "\(name)(\(parameterNames.map { _ in "1" }.joined(separator: ", ")))" }
    public static var isDiscrete: Bool { false }
    public static func support(_ t: Parameters) -> ClosedRange<Double> { -Double.infinity...Double.infinity }
    public static func kinks(_ t: Parameters) -> [Double] { [] }

    /// NaN at NaN, −inf outside the support, nil inside it.
    public static func logpdfOutside(_ x: Double, _ t: Parameters) -> Double? {
        if x.isNaN { return .nan }
        return support(t).contains(x) ? nil : -.infinity
    }

    /// log p(x) anywhere: `logpdfOutside`, else the formula.
    @inline(__always)
    public static func logpdf(_ x: Double, _ t: Parameters) -> Double {
        logpdfOutside(x, t) ?? logDensity(x, t)
    }

    /// Element `i` of each parameter tensor.
    @inline(__always)
    public static func parameters(_ values: [Tensor], at i: Int) -> Parameters {
        let count = values.count
        return Parameters(
            values[0][flat: i], count > 1 ? values[1][flat: i] : 0, count > 2 ? values[2][flat: i] : 0)
    }

    /// One distribution's parameters from its (up to three) numbers, in `parameterNames` order.
    @inline(__always)
    public static func parameters(_ first: Double, _ second: Double, _ third: Double) -> Parameters {
        Parameters(first, second, third)
    }
}

/// A batch of one scalar family, whichever: what lets a caller reach the
/// family's own formulas from `any Distribution`.
public protocol ScalarBatch: Distribution {
    var scalarFamily: any ScalarFamily.Type { get }
}

/// A batch of independent scalar distributions of family `F`, parameters
/// broadcast to the batch shape.
public final class ScalarDistribution<F: ScalarFamily>: ScalarBatch {
    public var family: String { F.name }
    public var scalarFamily: any ScalarFamily.Type { F.self }
    public let batchShape: [Int]
    public var eventShape: [Int] { [] }
    /// Parameters broadcast to `batchShape`, in `F.parameterNames` order.
    public let values: [Tensor]
    public var drawsPerSample: Int { Swift.max(1, values.first?.count ?? 1) }
    public var isDiscrete: Bool { F.isDiscrete }

    /// Broadcasts and validates the parameters.
    @_specialize(exported:false,where F == NormalFamily)
    @_specialize(exported:false,where F == LaplaceFamily)
    @_specialize(exported:false,where F == StudentTFamily)
    @_specialize(exported:false,where F == UniformFamily)
    @_specialize(exported:false,where F == ExponentialFamily)
    @_specialize(exported:false,where F == GammaFamily)
    @_specialize(exported:false,where F == BetaFamily)
    @_specialize(exported:false,where F == LogNormalFamily)
    @_specialize(exported:false,where F == BernoulliFamily)
    public init(_ parameters: [Tensor]) throws(KLSError) {
        var shape: [Int] = []
        for p in parameters { shape = try Shape.broadcast(shape, p.shape) }
        var broadcast: [Tensor] = []
        for p in parameters { broadcast.append(try p.broadcast(to: shape)) }
        batchShape = shape
        values = broadcast
        let count = broadcast.first?.count ?? 1
        if let vectorized = F.self as? any VectorizedFamily.Type,
            withParameterRuns({ runs in vectorized.allValid(runs(0)) })
        {
            return
        }
        for i in 0..<count {
            if let bad = F.validate(theta(i)) {
                throw DistributionError.invalid(F.name, bad.parameter, bad.requirement, bad.value, at: i, shape: shape)
            }
        }
    }

    public var parameters: [(name: String, value: Tensor)] {
        Array(zip(F.parameterNames, values))
    }

    /// The parameters of batch element `i`.
    @inline(__always)
    public func theta(_ i: Int) -> F.Parameters {
        F.parameters(values, at: i)
    }

    var batchCount: Int { values.first?.count ?? 1 }

    public var kinks: [Double] { batchCount == 1 ? F.kinks(theta(0)) : [] }

    /// The family's own formula on `BoundedNumber`s: the value `logpdf` computes
    /// and how far its rounding may have carried it.
    public func boundedLogDensity(at x: Double) throws(KLSError) -> BoundedNumber {
        guard batchCount == 1 else { throw KLSError("internal: a bounded log-density needs one distribution") }
        let t = theta(0)
        if let outside = F.logpdfOutside(x, t) { return BoundedNumber(outside) }
        let bounded = ParameterValues<F, BoundedNumber>(
            BoundedNumber(t.first), BoundedNumber(t.second), BoundedNumber(t.third))
        return F.logDensity(BoundedNumber(x), bounded)
    }

    // Specialised per family: the generic body looks up type metadata for every
    // element (a fifth of the time of a 4096 × 8 batch went there).
    @_specialize(exported:false,where F == NormalFamily)
    @_specialize(exported:false,where F == LaplaceFamily)
    @_specialize(exported:false,where F == StudentTFamily)
    @_specialize(exported:false,where F == UniformFamily)
    @_specialize(exported:false,where F == ExponentialFamily)
    @_specialize(exported:false,where F == GammaFamily)
    @_specialize(exported:false,where F == BetaFamily)
    @_specialize(exported:false,where F == LogNormalFamily)
    @_specialize(exported:false,where F == BernoulliFamily)
    public func sample(_ count: Int?, generator: Philox, start: UInt64) throws(KLSError) -> Tensor {
        let batch = batchCount
        if let vectorized = F.self as? any VectorizedFamily.Type {
            return try withParameterRuns { runs throws(KLSError) in
                try Tensor(shape: outputShape(count)) { out in
                    guard let p = out.baseAddress else { return }
                    Parallel.forEachChunk(out.count, cost: 2) { range in
                        vectorized.sample(
                            generator, start: start &+ UInt64(range.lowerBound), count: range.count,
                            parameters: runs(range.lowerBound), into: p + range.lowerBound)
                    }
                }
            }
        }
        let thetas = (0..<batch).map(theta)
        return try Tensor(shape: outputShape(count)) { out in
            guard let p = out.baseAddress else { return }
            Parallel.forEachChunk(out.count, cost: 16) { range in
                for e in range { p[e] = F.sample(generator, start &+ UInt64(e), thetas[e % batch]) }
            }
        }
    }

    /// Applies `f(x, θ)` with `x` broadcast against the batch.
    @_specialize(exported:false,where F == NormalFamily)
    @_specialize(exported:false,where F == LaplaceFamily)
    @_specialize(exported:false,where F == StudentTFamily)
    @_specialize(exported:false,where F == UniformFamily)
    @_specialize(exported:false,where F == ExponentialFamily)
    @_specialize(exported:false,where F == GammaFamily)
    @_specialize(exported:false,where F == BetaFamily)
    @_specialize(exported:false,where F == LogNormalFamily)
    @_specialize(exported:false,where F == BernoulliFamily)
    func pointwise(_ x: Tensor, _ f: @escaping (Double, F.Parameters) -> Double) throws(KLSError) -> Tensor {
        let shape = try Shape.broadcast(x.shape, batchShape)
        let xs = try x.broadcast(to: shape)
        if Array(shape.suffix(batchShape.count)) == batchShape {
            // The batch is the trailing block of the result: element e uses θ[e % batch].
            let batch = batchCount
            let thetas = (0..<batch).map(theta)
            return try Tensor(shape: shape) { out in
                guard let p = out.baseAddress else { return }
                Parallel.forEachChunk(out.count, cost: 16) { range in
                    for e in range { p[e] = f(xs[flat: e], thetas[e % batch]) }
                }
            }
        }
        var parameters: [Tensor] = []
        for v in values { parameters.append(try v.broadcast(to: shape)) }
        return try Tensor(shape: shape) { out in
            for e in 0..<out.count {
                out[e] = f(xs[flat: e], F.parameters(parameters, at: e))
            }
        }
    }

    public func logpdf(_ x: Tensor) throws(KLSError) -> Tensor {
        guard let vectorized = F.self as? any VectorizedFamily.Type else { return try pointwise(x, F.logpdf) }
        return try vectorLogpdf(x, companion: x) { x, _, count, runs, out in
            vectorized.logpdf(x, count: count, parameters: runs, into: out)
        }
    }

    /// `kernel(x, companion, count, runs, out)` over `x` and `companion` (of x's
    /// shape) broadcast against the batch, in parallel chunks; element by element
    /// through `F.logpdf` when the batch is not the trailing block of the result.
    func vectorLogpdf(
        _ x: Tensor, companion: Tensor,
        _ kernel: (UnsafePointer<Double>, UnsafePointer<Double>, Int, ParameterRuns, UnsafeMutablePointer<Double>) ->
            Void
    ) throws(KLSError) -> Tensor {
        let shape = try Shape.broadcast(x.shape, batchShape)
        guard Array(shape.suffix(batchShape.count)) == batchShape else { return try pointwise(x, F.logpdf) }
        // The batch is the trailing block of the result: element e uses batch element e % batch.
        let (xs, cs) = (try x.broadcast(to: shape), try companion.broadcast(to: shape))
        return try withParameterRuns { runs throws(KLSError) in
            try Tensor(shape: shape) { out in
                guard let p = out.baseAddress else { return }
                xs.withBuffer { b in
                    cs.withBuffer { c in
                        guard let source = b.baseAddress, let second = c.baseAddress else { return }
                        Parallel.forEachChunk(out.count, cost: 2) { range in
                            let at = range.lowerBound
                            kernel(source + at, second + at, range.count, runs(at), p + at)
                        }
                    }
                }
            }
        }
    }

    /// Calls `body` with a maker of the parameter runs whose output 0 is element `e`.
    private func withParameterRuns<R, E>(_ body: ((Int) -> ParameterRuns) throws(E) -> R) throws(E) -> R {
        let batch = batchCount
        let pointers = values.map { UnsafePointer($0.storage.pointer) }
        return try withExtendedLifetime(values) { () throws(E) -> R in
            try body { e in ParameterRuns(pointers, batch: batch, phase: e % Swift.max(batch, 1)) }
        }
    }
    public func cdf(_ x: Tensor) throws(KLSError) -> Tensor { try pointwise(x, F.cdf) }

    func perBatch(_ f: (F.Parameters) -> Double) throws(KLSError) -> Tensor {
        try Tensor(shape: batchShape) { out in
            for i in 0..<out.count { out[i] = f(theta(i)) }
        }
    }

    public func entropy() throws(KLSError) -> Tensor { try perBatch(F.entropy) }
    public func mean() throws(KLSError) -> Tensor { try perBatch(F.mean) }
    public func variance() throws(KLSError) -> Tensor { try perBatch(F.variance) }

    public var support: ClosedRange<Double> {
        var low = Double.infinity
        var high = -Double.infinity
        for i in 0..<batchCount {
            let s = F.support(theta(i))
            low = Swift.min(low, s.lowerBound)
            high = Swift.max(high, s.upperBound)
        }
        return low...high
    }
}

/// Constants shared by the Gaussian formulas.
enum Gaussian {
    static let logSqrtTwoPi = 0.9189385332046727
    static let sqrtTwo = 1.4142135623730951
}

/// A distribution whose log-density comes from x and log x (`LogArgumentFamily`):
/// a Monte Carlo estimate between two of them computes log x once per draw.
public protocol LogArgumentDensity: Distribution {
    /// `logpdf(x)` given `logOfX`, `VectorMath.log` of x: the same values where x
    /// is positive, finite and normal (as these families' draws are).
    func logpdf(_ x: Tensor, logOfX: Tensor) throws(KLSError) -> Tensor
}

extension ScalarDistribution: LogArgumentDensity where F: LogArgumentFamily {
    public func logpdf(_ x: Tensor, logOfX: Tensor) throws(KLSError) -> Tensor {
        guard logOfX.shape == x.shape else { return try logpdf(x) }
        return try vectorLogpdf(x, companion: logOfX) { x, logX, count, runs, out in
            F.logpdf(x, logX: logX, count: count, parameters: runs, into: out)
        }
    }
}

/// `VectorMath.log` of every element, the last vector padded rather than
/// finished by libm, so each element's log is the one a family's `logpdf`
/// computes for it.
enum ScalarLogs {
    static func of(_ z: Tensor) throws(KLSError) -> Tensor {
        try Tensor(shape: z.shape) { out in
            guard let p = out.baseAddress else { return }
            z.withBuffer { b in
                guard let source = b.baseAddress else { return }
                Parallel.forEachChunk(out.count, cost: 2) { range in
                    var k = range.lowerBound
                    while k < range.upperBound {
                        let lanes = Swift.min(8, range.upperBound - k)
                        VectorMath.store(
                            VectorMath.log(VectorMath.load(source + k, lanes: lanes, padding: 1)), p + k, lanes: lanes)
                        k += 8
                    }
                }
            }
        }
    }
}
