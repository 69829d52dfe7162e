import CVectorMath

/// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
/// SC 2011): a counter-based generator. The output block is a pure function of a
/// 64-bit key and a 128-bit counter, so draw number i of seed s is the same on
/// every machine whatever the chunking or thread count.
public struct Philox: Sendable {
    /// The two key words, from the seed.
    public let key0: UInt32, key1: UInt32

    /// A generator keyed by `seed`.
    public init(seed: UInt64) {
        key0 = UInt32(truncatingIfNeeded: seed)
        key1 = UInt32(truncatingIfNeeded: seed >> 32)
    }

    /// An independent generator for sub-stream `k` (a mixture's components),
    /// keyed by a SplitMix64 hash of this key and `k`.
    public func derived(_ k: Int) -> Philox {
        var z = (UInt64(key1) << 32 | UInt64(key0)) &+ UInt64(truncatingIfNeeded: k &+ 1) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Philox(seed: z ^ (z >> 31))
    }

    /// The four 32-bit output words for counter `(c0, c1, c2, c3)`.
    @inlinable @inline(__always)
    public func block(_ c0: UInt32, _ c1: UInt32, _ c2: UInt32, _ c3: UInt32) -> (UInt32, UInt32, UInt32, UInt32) {
        var x0 = c0
        var x1 = c1
        var x2 = c2
        var x3 = c3
        var k0 = key0
        var k1 = key1
        for _ in 0..<10 {
            let p0 = UInt64(0xD251_1F53) &* UInt64(x0)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(x2)
            let y0 = UInt32(truncatingIfNeeded: p1 >> 32) ^ x1 ^ k0
            let y2 = UInt32(truncatingIfNeeded: p0 >> 32) ^ x3 ^ k1
            x1 = UInt32(truncatingIfNeeded: p1)
            x3 = UInt32(truncatingIfNeeded: p0)
            x0 = y0
            x2 = y2
            k0 &+= 0x9E37_79B9
            k1 &+= 0xBB67_AE85
        }
        return (x0, x1, x2, x3)
    }

    /// The block for a 64-bit counter plus two 32-bit tags, as two 64-bit words.
    @inlinable @inline(__always)
    public func words(index: UInt64, stream: UInt32, attempt: UInt32) -> (UInt64, UInt64) {
        let (a, b, c, d) = block(
            UInt32(truncatingIfNeeded: index), UInt32(truncatingIfNeeded: index >> 32), stream, attempt)
        return (UInt64(a) | UInt64(b) << 32, UInt64(c) | UInt64(d) << 32)
    }

    /// The word of draw `index` in a stream whose draws take one word each:
    /// draws 16g + k (k < 8) take word 0 of block 8g + k (attempt 0) and draws
    /// 16g + 8 + k its word 1, so eight blocks side by side (`words8(first: 8g)`)
    /// make sixteen consecutive draws and no half of a block is wasted.
    @inlinable @inline(__always)
    public func singleWord(index: UInt64, stream: UInt32) -> UInt64 {
        let (a, b) = words(index: Philox.singleWordBlock(index), stream: stream, attempt: 0)
        return (index >> 3) & 1 == 0 ? a : b
    }

    /// Calls `body(k, words, lanes)` over draws `start ..< start + count` in
    /// `singleWord`'s layout, up to eight at a time: `words` holds the words of
    /// draws `start + k ..< start + k + lanes`. Where the draws fill a group of
    /// sixteen they come from one SIMD call; at either end, word by word.
    ///
    /// `body` is called from one place: where a call of it was left out of
    /// line, it received the words as eight scalars, and LLVM then computed
    /// the Philox rounds lane by lane, at a third of the SIMD speed.
    @inlinable @inline(__always)
    public func forEachSingleWords(
        stream: UInt32, start: UInt64, count: Int, _ body: (Int, SIMD8<UInt64>, Int) -> Void
    ) {
        var k = 0
        var pending: SIMD8<UInt64>? = nil
        while k < count {
            let index = start &+ UInt64(k)
            let offset = Int(index & 15)
            let words: SIMD8<UInt64>
            var lanes = 8
            if let high = pending {
                words = high
                pending = nil
            } else if offset == 0 && count - k >= 16 {
                (words, pending) = words8(first: index >> 1, stream: stream, attempt: 0)
            } else {
                // Up to the next group of sixteen (or the end), word by word.
                lanes = Swift.min(8, count - k, offset == 0 ? 8 : 16 - offset)
                words = singleWords(index: index, lanes: lanes, stream: stream)
            }
            body(k, words, lanes)
            k += lanes
        }
    }

    /// `singleWord` of draws `index ..< index + lanes` in the first lanes.
    @inline(never)
    public func singleWords(index: UInt64, lanes: Int, stream: UInt32) -> SIMD8<UInt64> {
        var words = SIMD8<UInt64>()
        for l in 0..<Swift.min(lanes, 8) { words[l] = singleWord(index: index &+ UInt64(l), stream: stream) }
        return words
    }

    /// `Philox.unit(singleWord(index: start + i, stream: stream))` into `out[i]`
    /// for i < count.
    public func fillUnits(stream: UInt32, start: UInt64, count: Int, into out: UnsafeMutablePointer<Double>) {
        forEachSingleWords(stream: stream, start: start, count: count) { k, words, lanes in
            VectorMath.store(VectorMath.unit(words), out + k, lanes: lanes)
        }
    }

    /// The block whose word is draw `index`'s in `singleWord`'s layout.
    @inlinable @inline(__always)
    public static func singleWordBlock(_ index: UInt64) -> UInt64 {
        (index >> 4) << 3 | (index & 7)
    }

    /// Eight consecutive blocks at once: counters `(first + lane, stream, attempt)`
    /// for lanes 0…7, as the two 64-bit words of each. The same numbers as
    /// `words(index:stream:attempt:)`, computed 8-wide by CVectorMath's
    /// `kls_philox8` with 32-bit values in 64-bit lanes, so that each 32×32→64
    /// product is one `vpmuludq` (in C, the round keys stay in registers; the
    /// Swift rounds reloaded them from the stack: `rand` 23% faster).
    @inlinable @inline(__always)
    public func words8(first: UInt64, stream: UInt32, attempt: UInt32) -> (SIMD8<UInt64>, SIMD8<UInt64>) {
        var second = SIMD8<UInt64>()
        let first = withUnsafeMutablePointer(to: &second) { lanes in
            kls_philox8(
                first, stream, attempt, key0, key1, UnsafeMutableRawPointer(lanes).assumingMemoryBound(to: UInt64.self))
        }
        return (first, second)
    }

    /// A double in [0, 1) from the top 53 bits of a word.
    @inlinable @inline(__always)
    public static func unit(_ word: UInt64) -> Double {
        Double(word >> 11) * 0x1p-53
    }

    /// A double in (0, 1), safe to take the log of: (top 53 bits + ½)·2⁻⁵³.
    @inlinable @inline(__always)
    public static func openUnit(_ word: UInt64) -> Double {
        (Double(word >> 11) + 0.5) * 0x1p-53
    }
}
