import Foundation

/// Standard normal draws by the 256-layer ziggurat (Marsaglia & Tsang 2000), fed
/// by Philox so that draw `i` depends only on the seed and `i`.
///
/// Draws come in pairs: the two 64-bit words of Philox block `i/2` are the first
/// candidates of draws `i` (even) and `i+1` (odd). The ~1.2% of candidates that
/// fall in a wedge or the tail take further words from blocks whose attempt tag
/// is private to that draw, so a rejection never shifts another draw.
public enum NormalSampler {
    /// The Philox stream tag reserved for normal draws.
    public static let streamTag: UInt32 = 1

    static let tailStart = 3.6541528853610088

    /// Standard normal draw number `index` of `generator`.
    @inlinable public static func draw(_ generator: Philox, index: UInt64) -> Double {
        let (w0, w1) = generator.words(index: index >> 1, stream: streamTag, attempt: 0)
        let word = index & 1 == 0 ? w0 : w1
        if let x = fastPath(word) { return x }
        return slowPath(generator, index: index, first: word)
    }

    /// The rectangle test that accepts ~98.8% of candidates.
    @inlinable @inline(__always)
    static func fastPath(_ word: UInt64) -> Double? {
        let layer = Int(word & 0xFF)
        let u = Philox.unit(word)
        let x = u * layerX[layer]
        guard x < layerX[layer + 1] else { return nil }
        return word & 0x100 == 0 ? x : -x
    }

    /// Wedges and the tail; rare, so kept out of line.
    @usableFromInline @inline(never)
    static func slowPath(_ generator: Philox, index: UInt64, first: UInt64) -> Double {
        var extra = ExtraWords(generator: generator, index: index)
        var word = first
        while true {
            let layer = Int(word & 0xFF)
            let negative = word & 0x100 != 0
            let x = Philox.unit(word) * layerX[layer]
            if x < layerX[layer + 1] { return negative ? -x : x }
            if layer == 0 {
                // Tail beyond R (Marsaglia 1964): exponential proposals.
                while true {
                    let a = -Foundation.log1p(-Philox.unit(extra.next())) / tailStart
                    let b = -Foundation.log1p(-Philox.unit(extra.next()))
                    if 2 * b >= a * a { return negative ? -(tailStart + a) : tailStart + a }
                }
            }
            let y = layerY[layer] + Philox.unit(extra.next()) * (layerY[layer + 1] - layerY[layer])
            if y < Foundation.exp(-0.5 * x * x) { return negative ? -x : x }
            word = extra.next()
        }
    }

    /// The private supply of extra words for one draw: blocks
    /// `(index/2, attempt = 1 + parity + 2j)` for j = 0, 1, …
    struct ExtraWords {
        let generator: Philox
        let pair: UInt64
        var attempt: UInt32
        var buffered: UInt64? = nil

        init(generator: Philox, index: UInt64) {
            self.generator = generator
            self.pair = index >> 1
            self.attempt = 1 + UInt32(index & 1)
        }

        mutating func next() -> UInt64 {
            if let word = buffered {
                buffered = nil
                return word
            }
            let (a, b) = generator.words(index: pair, stream: NormalSampler.streamTag, attempt: attempt)
            attempt &+= 2
            buffered = b
            return a
        }
    }
}
