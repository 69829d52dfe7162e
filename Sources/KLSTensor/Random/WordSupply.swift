/// A private supply of random words for one draw: the two 64-bit words of the
/// Philox blocks `(index, stream, attempt)` for attempt = first, first + step,
/// …, handed out one at a time. Every sampler that needs a variable number of
/// variates per draw takes them from one of these, so a draw depends only on
/// the seed and its own index, never on what other draws consumed.
public struct WordSupply {
    let generator: Philox
    let index: UInt64
    let stream: UInt32
    var attempt: UInt32
    let step: UInt32
    var buffered: UInt64? = nil

    /// Words of blocks `(index, stream, first)`, `(index, stream, first + step)`, ….
    public init(_ generator: Philox, index: UInt64, stream: UInt32, first: UInt32 = 0, step: UInt32 = 1) {
        self.generator = generator
        self.index = index
        self.stream = stream
        self.attempt = first
        self.step = step
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        if let word = buffered {
            buffered = nil
            return word
        }
        let (a, b) = generator.words(index: index, stream: stream, attempt: attempt)
        attempt &+= step
        buffered = b
        return a
    }
}
