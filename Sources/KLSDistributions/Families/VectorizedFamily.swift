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
