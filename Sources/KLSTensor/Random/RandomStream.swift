import KLSDiagnostics

/// A position in a seeded sequence of draws: the session's generator.
///
/// Calls without `seed=` continue the session stream: each call takes the next
/// `count` draw indices, so `randn(3); randn(3)` gives six different numbers and
/// `seed(1); randn(3); randn(3)` gives the same six every time.
public struct RandomStream: Sendable {
    /// The seed that keys the generator.
    public private(set) var seed: UInt64
    /// The index of the next draw.
    public private(set) var position: UInt64 = 0

    /// A stream at the start of `seed`'s sequence.
    public init(seed: UInt64) {
        self.seed = seed
    }

    /// Restarts at the beginning of `seed`'s sequence.
    public mutating func reseed(_ seed: UInt64) {
        self.seed = seed
        position = 0
    }

    /// Reserves `count` draws and returns the generator and first index to use.
    public mutating func take(_ count: Int) -> (Philox, UInt64) {
        let start = position
        position &+= UInt64(count)
        return (Philox(seed: seed), start)
    }
}

extension Tensor {
    /// Standard normal draws `start, start+1, …` of `generator`, in `shape`.
    public static func normal(shape: [Int], generator: Philox, start: UInt64) throws(KLSError) -> Tensor {
        try Tensor(shape: shape) { out in
            guard let p = out.baseAddress else { return }
            Parallel.forEachChunk(out.count, cost: 8) { range in
                NormalSampler.fill(
                    generator, start: start &+ UInt64(range.lowerBound), count: range.count, into: p + range.lowerBound)
            }
        }
    }

    /// Uniform [0, 1) draws `start, start+1, …` of `generator`, in `shape`.
    public static func uniform(shape: [Int], generator: Philox, start: UInt64) throws(KLSError) -> Tensor {
        try Tensor(shape: shape) { out in
            guard let p = out.baseAddress else { return }
            Parallel.forEachChunk(out.count, cost: 2) { range in
                fillUniform(generator, start: start, range: range, into: p)
            }
        }
    }

    /// Draws `range` of `uniform`: draw i is word i mod 2 of block ⌊i/2⌋. Sixteen
    /// draws from an even index are eight blocks, one SIMD Philox call, their
    /// two words interleaved; the ends go word by word.
    static func fillUniform(_ generator: Philox, start: UInt64, range: Range<Int>, into p: UnsafeMutablePointer<Double>)
    {
        var i = range.lowerBound
        while i < range.upperBound {
            let index = start &+ UInt64(i)
            if index & 1 == 0 && range.upperBound - i >= 16 {
                let (a, b) = generator.words8(first: index >> 1, stream: 0, attempt: 0)
                let (even, odd) = (VectorMath.unit(a), VectorMath.unit(b))
                // Written as vectors: lanes read out one by one would let LLVM
                // compute the Philox rounds lane by lane (see forEachSingleWords).
                let target = UnsafeMutableRawPointer(p + i)
                target.storeBytes(
                    of: SIMD8(even[0], odd[0], even[1], odd[1], even[2], odd[2], even[3], odd[3]),
                    as: SIMD8<Double>.self)
                target.storeBytes(
                    of: SIMD8(even[4], odd[4], even[5], odd[5], even[6], odd[6], even[7], odd[7]),
                    toByteOffset: 64, as: SIMD8<Double>.self)
                i += 16
                continue
            }
            let (a, b) = generator.words(index: index >> 1, stream: 0, attempt: 0)
            p[i] = Philox.unit(index & 1 == 0 ? a : b)
            i += 1
        }
    }
}
