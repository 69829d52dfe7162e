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

    /// The four 32-bit output words for counter `(c0, c1, c2, c3)`.
    @inlinable @inline(__always)
    public func block(_ c0: UInt32, _ c1: UInt32, _ c2: UInt32, _ c3: UInt32) -> (UInt32, UInt32, UInt32, UInt32) {
        var x0 = c0, x1 = c1, x2 = c2, x3 = c3
        var k0 = key0, k1 = key1
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
        let (a, b, c, d) = block(UInt32(truncatingIfNeeded: index), UInt32(truncatingIfNeeded: index >> 32), stream, attempt)
        return (UInt64(a) | UInt64(b) << 32, UInt64(c) | UInt64(d) << 32)
    }

    /// A double in [0, 1) from the top 53 bits of a word.
    @inlinable @inline(__always)
    public static func unit(_ word: UInt64) -> Double {
        Double(word >> 11) * 0x1p-53
    }
}
