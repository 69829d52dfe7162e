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
            Parallel.forEachChunk(out.count, cost: 8) { range in
                for i in range {
                    let index = start &+ UInt64(i)
                    let (a, b) = generator.words(index: index >> 1, stream: 0, attempt: 0)
                    p[i] = Philox.unit(index & 1 == 0 ? a : b)
                }
            }
        }
    }
}
