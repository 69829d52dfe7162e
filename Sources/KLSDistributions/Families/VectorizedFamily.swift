import KLSTensor

/// A scalar family with kernels over contiguous storage: a run of draws or
/// densities in one call, vectorised, instead of one call per element through
/// `ScalarFamily.sample` / `logpdf`. Results equal the per-element formulas'
/// (draw i still depends only on the seed and i).
///
/// Element k of a call uses batch element `(phase + k) % batch` of each
/// parameter, so a call covers any slice of a `[count] + batch` result.
public protocol VectorizedFamily: ScalarFamily {
    /// Draws `start ..< start + count` of the stream into `out`.
    static func sample(
        _ generator: Philox, start: UInt64, count: Int, parameters: ParameterRuns,
        into out: UnsafeMutablePointer<Double>)
    /// True when every batch element's parameters are valid; false sends the
    /// caller to `validate`, element by element, for the error.
    static func allValid(_ parameters: ParameterRuns) -> Bool
    /// log p(x[k]) into `out[k]` for k < count.
    static func logpdf(
        _ x: UnsafePointer<Double>, count: Int, parameters: ParameterRuns, into out: UnsafeMutablePointer<Double>)
}

/// A family whose log-density is computed from x and log x (Gamma, LogNormal):
/// a Monte Carlo pair of two such families takes one log per draw for both.
public protocol LogArgumentFamily: VectorizedFamily {
    /// log p(x[k]) into `out[k]` for k < count, `logX[k]` being `VectorMath.log`'s
    /// log of x[k] (so the values are `logpdf`'s, bit for bit).
    static func logpdf(
        _ x: UnsafePointer<Double>, logX: UnsafePointer<Double>, count: Int, parameters: ParameterRuns,
        into out: UnsafeMutablePointer<Double>)
}

/// A family drawn by one transform of one uniform word per draw (an inverse
/// cdf), eight draws at a time by `ParameterRuns.draw`.
public protocol InverseCDFFamily: VectorizedFamily {
    /// Eight draws from eight words and the parameters' vectors.
    static func inverseCDF(
        _ words: SIMD8<UInt64>, _ first: VectorMath.Vector, _ second: VectorMath.Vector, _ third: VectorMath.Vector
    ) -> VectorMath.Vector
    /// The parameters of the unused lanes past the last draw (valid ones).
    static var padding: (Double, Double, Double) { get }
}

extension InverseCDFFamily {
    public static func sample(
        _ generator: Philox, start: UInt64, count: Int, parameters: ParameterRuns,
        into out: UnsafeMutablePointer<Double>
    ) {
        parameters.draw(Self.self, generator, start: start, count: count, into: out)
    }
}

extension VectorizedFamily {
    /// `validate` over the batch, straight from storage (no tensors per element).
    public static func allValid(_ parameters: ParameterRuns) -> Bool {
        (0..<parameters.batch).allSatisfy { e in
            validate(self.parameters(parameters, output: e)) == nil
        }
    }

    /// Draws one by one through the per-element sampler: for families whose
    /// samplers reject (Gamma, Beta, StudentT) and have no vector form yet.
    public static func sample(
        _ generator: Philox, start: UInt64, count: Int, parameters: ParameterRuns,
        into out: UnsafeMutablePointer<Double>
    ) {
        for k in 0..<count { out[k] = sample(generator, start &+ UInt64(k), self.parameters(parameters, output: k)) }
    }

    /// The parameters of output `k` of a kernel call, for the per-element formulas.
    static func parameters(_ runs: ParameterRuns, output k: Int) -> Parameters {
        let e = (runs.phase + k) % Swift.max(runs.batch, 1)
        return parameters(runs[0][e], runs[1][e], runs[2][e])
    }
}

/// A family drawn by rejection (Gamma, Beta, StudentT): eight draws at a time
/// from the first attempts of `DrawRandom`'s samplers (`VectorGamma`), the
/// rejected lanes drawn again by `sample(_:_:_:)` from their start, so that a
/// draw depends on its index alone. The attempt is a static function, not a
/// closure, so that it is inlined into the loop (see `InverseCDFFamily`).
protocol FirstAttemptFamily: VectorizedFamily {
    /// Eight draws from the lanes' words and the parameters' vectors, and
    /// which lanes the first attempt accepted.
    static func firstAttempt(
        _ words: inout VectorGamma, _ first: VectorMath.Vector, _ second: VectorMath.Vector,
        _ third: VectorMath.Vector
    ) -> (VectorMath.Vector, VectorGamma.Mask)
    /// The parameters of the unused lanes past the last draw (valid ones).
    static var padding: (Double, Double, Double) { get }
}

extension FirstAttemptFamily {
    /// Draws `start ..< start + count` into `out` (each family's `sample`).
    static func sampleByFirstAttempts(
        _ generator: Philox, start: UInt64, count: Int, parameters: ParameterRuns,
        into out: UnsafeMutablePointer<Double>
    ) {
        NormalSampler.layerPairs.withUnsafeBufferPointer { pairs in
            guard let table = pairs.baseAddress else { return }
            var k = 0
            while k < count {
                let lanes = Swift.min(8, count - k)
                var words = VectorGamma(generator, first: start &+ UInt64(k), tag: tag, table: table)
                let (draw, accepted) = firstAttempt(
                    &words, parameters.vector(0, output: k, lanes: lanes, padding: padding.0),
                    parameters.vector(1, output: k, lanes: lanes, padding: padding.1),
                    parameters.vector(2, output: k, lanes: lanes, padding: padding.2))
                if lanes == 8 && VectorMath.all(accepted) {
                    VectorMath.store(draw, out + k, lanes: 8)
                } else {
                    for l in 0..<lanes {
                        out[k + l] =
                            accepted[l]
                            ? draw[l]
                            : sample(generator, start &+ UInt64(k + l), self.parameters(parameters, output: k + l))
                    }
                }
                k += 8
            }
        }
    }
}

/// Where a kernel finds its parameters: up to three contiguous arrays of
/// `batch` elements, and the batch element its first output uses.
public struct ParameterRuns {
    let first: UnsafePointer<Double>
    let second: UnsafePointer<Double>
    let third: UnsafePointer<Double>
    /// The batch size: parameter arrays hold this many elements.
    public let batch: Int
    /// The batch element of output 0.
    public let phase: Int

    init(_ pointers: [UnsafePointer<Double>], batch: Int, phase: Int) {
        first = pointers[0]
        second = pointers.count > 1 ? pointers[1] : pointers[0]
        third = pointers.count > 2 ? pointers[2] : pointers[0]
        self.batch = batch
        self.phase = phase
    }

    /// Parameter `j` (0, 1 or 2) of batch element `b`.
    @inline(__always)
    subscript(_ j: Int) -> UnsafePointer<Double> { j == 0 ? first : (j == 1 ? second : third) }

    /// Parameter `j` of batch elements `element ..< element + lanes` (lanes ≤ 8),
    /// the other lanes `padding`.
    @inline(__always)
    func load(_ j: Int, _ element: Int, lanes: Int = 8, padding: Double = 0) -> VectorMath.Vector {
        VectorMath.load(self[j] + element, lanes: Swift.min(lanes, batch - element), padding: padding)
    }

    /// Parameter `j` for outputs `k ..< k + lanes` (lanes ≤ 8), other lanes `padding`.
    @inline(__always)
    func vector(_ j: Int, output k: Int, lanes: Int, padding: Double) -> VectorMath.Vector {
        if batch == 1 { return VectorMath.Vector(repeating: self[j][0]) }
        let element = (phase + k) % batch
        if element + lanes <= batch { return VectorMath.load(self[j] + element, lanes: lanes, padding: padding) }
        var v = VectorMath.Vector(repeating: padding)
        for l in 0..<lanes { v[l] = self[j][(element + l) % batch] }
        return v
    }

    /// `out[k] = f(x[k], θ₀, θ₁, θ₂)` for k < count, eight lanes at a time; the
    /// last vector is padded (`padding`: x first, then the parameters), so every
    /// element takes the same arithmetic however the work is cut.
    @inline(__always)
    func map(
        _ x: UnsafePointer<Double>, count: Int, into out: UnsafeMutablePointer<Double>,
        padding: (Double, Double, Double, Double),
        _ f: (VectorMath.Vector, VectorMath.Vector, VectorMath.Vector, VectorMath.Vector) -> VectorMath.Vector
    ) {
        map(x, x, count: count, into: out, padding: padding) { x, _, a, b, c in f(x, a, b, c) }
    }

    /// `map` with a second input: `out[k] = f(x[k], y[k], θ₀, θ₁, θ₂)`, `y`
    /// padded like `x`.
    @inline(__always)
    func map(
        _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, count: Int, into out: UnsafeMutablePointer<Double>,
        padding: (Double, Double, Double, Double),
        _ f: (VectorMath.Vector, VectorMath.Vector, VectorMath.Vector, VectorMath.Vector, VectorMath.Vector) ->
            VectorMath.Vector
    ) {
        var k = 0
        while k < count {
            let lanes = Swift.min(8, count - k)
            let value = f(
                VectorMath.load(x + k, lanes: lanes, padding: padding.0),
                VectorMath.load(y + k, lanes: lanes, padding: padding.0),
                vector(0, output: k, lanes: lanes, padding: padding.1),
                vector(1, output: k, lanes: lanes, padding: padding.2),
                vector(2, output: k, lanes: lanes, padding: padding.3))
            VectorMath.store(value, out + k, lanes: lanes)
            k += 8
        }
    }

    /// Draws `start ..< start + count` of `family` into `out`, one word per
    /// draw in `Philox.singleWord`'s layout, eight at a time.
    @inline(__always)
    func draw<Family: InverseCDFFamily>(
        _ family: Family.Type, _ generator: Philox, start: UInt64, count: Int, into out: UnsafeMutablePointer<Double>
    ) {
        // The transform is a static function, not a closure, so that it is
        // inlined (see `Philox.forEachSingleWords`).
        generator.forEachSingleWords(stream: Family.tag, start: start, count: count) { k, words, lanes in
            VectorMath.store(transform(family, words, output: k, lanes: lanes), out + k, lanes: lanes)
        }
    }

    /// `family`'s draws for outputs `k ..< k + lanes` from their words.
    @inline(__always)
    func transform<Family: InverseCDFFamily>(_ family: Family.Type, _ words: SIMD8<UInt64>, output k: Int, lanes: Int)
        -> VectorMath.Vector
    {
        let padding = Family.padding
        return Family.inverseCDF(
            words, vector(0, output: k, lanes: lanes, padding: padding.0),
            vector(1, output: k, lanes: lanes, padding: padding.1),
            vector(2, output: k, lanes: lanes, padding: padding.2))
    }

    /// Calls `body(offset, element, length)` over the stretches of `0..<count`
    /// whose batch elements are consecutive: outputs `offset ..< offset + length`
    /// use batch elements `element ..< element + length`.
    @inline(__always)
    func forEachRun(_ count: Int, _ body: (Int, Int, Int) -> Void) {
        guard batch > 0 else { return }
        var offset = 0
        var element = phase % batch
        while offset < count {
            let length = Swift.min(count - offset, batch - element)
            body(offset, element, length)
            offset += length
            element = 0
        }
    }
}

/// A per-lane constant of two parameters (log std, a density's normaliser),
/// recomputed only when the parameter vectors change: a shared parameter, or a
/// small batch under many draws, pays for it once per call.
struct ConstantCache {
    var first = VectorMath.Vector(repeating: .nan)
    var second = VectorMath.Vector(repeating: .nan)
    var constant = VectorMath.Vector()

    /// `f(a, b)`, from the last call when a and b are the same vectors.
    @inline(__always)
    mutating func value(
        _ a: VectorMath.Vector, _ b: VectorMath.Vector, _ f: (VectorMath.Vector, VectorMath.Vector) -> VectorMath.Vector
    ) -> VectorMath.Vector {
        // nan never equals itself, so the first call (and nan parameters) computes.
        if VectorMath.any(a .!= first) || VectorMath.any(b .!= second) {
            (first, second, constant) = (a, b, f(a, b))
        }
        return constant
    }

    /// `f` lane by lane, for constants without a vector form (log-gamma).
    @inline(__always)
    mutating func value(
        _ a: VectorMath.Vector, _ b: VectorMath.Vector, lanes f: (Double, Double) -> Double
    ) -> VectorMath.Vector {
        value(a, b) { a, b in
            var result = VectorMath.Vector()
            for l in 0..<8 { result[l] = f(a[l], b[l]) }
            return result
        }
    }
}
