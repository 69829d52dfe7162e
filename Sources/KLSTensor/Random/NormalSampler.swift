import CVectorMath
import Foundation

/// Standard normal draws by a 1024-layer ziggurat (Marsaglia & Tsang 2000), fed
/// by Philox so that draw `i` depends only on the seed and `i`. A 64-bit word
/// holds the layer (bits 0–9), the sign (bit 10) and a 53-bit uniform (bits
/// 11–63); with 1024 layers 99.6% of candidates pass the rectangle test (the
/// mean of x₍ᵢ₊₁₎/xᵢ over the layers, 0.99572).
///
/// Draws come in groups of 16: draws 16g + k (k < 8) take word 0 of Philox block
/// 8g + k and draws 16g + 8 + k take its word 1, so eight blocks computed side by
/// side fill sixteen consecutive draws with two vector stores. The ~0.4% of
/// candidates that fall in a wedge or the tail take further words from blocks
/// whose attempt tag is private to that draw, so a rejection never shifts
/// another draw.
public enum NormalSampler {
    /// The Philox stream tag reserved for normal draws.
    public static let streamTag: UInt32 = 1

    /// Standard normal draw number `index` of `generator`.
    @inlinable public static func draw(_ generator: Philox, index: UInt64) -> Double {
        let word = generator.singleWord(index: index, stream: streamTag)
        if let x = fastPath(word) { return x }
        return slowPath(generator, index: index, first: word)
    }

    /// Draws `start ..< start + count` into `out`, equal to `draw(_:index:)` for
    /// each index: SIMD Philox makes 16 candidates at a time, the rectangle test
    /// runs 8-wide, and the rare rejected lane takes the scalar slow path.
    public static func fill(_ generator: Philox, start: UInt64, count: Int, into out: UnsafeMutablePointer<Double>) {
        var i = 0
        while i < count && (start &+ UInt64(i)) & 15 != 0 {
            out[i] = draw(generator, index: start &+ UInt64(i))
            i += 1
        }
        layerPairs.withUnsafeBufferPointer { table in
            guard let x = table.baseAddress else { return }
            while i + 16 <= count {
                let first = start &+ UInt64(i)
                let (low, high) = generator.words8(first: first >> 1, stream: streamTag, attempt: 0)
                rectangle8(low, x, generator, first, out + i)
                rectangle8(high, x, generator, first &+ 8, out + i + 8)
                i += 16
            }
        }
        while i < count {
            out[i] = draw(generator, index: start &+ UInt64(i))
            i += 1
        }
    }

    /// (xᵢ, xᵢ₊₁) side by side: one 16-byte load per lane fetches both edges.
    public static let layerPairs: [SIMD2<Double>] = (0..<layers).map { SIMD2(layerX[$0], layerX[$0 + 1]) }

    /// The fast path for eight candidates (draws `first ..< first + 8`), stored as
    /// one vector; the rare rejected lanes are then overwritten by the slow path.
    @inline(__always)
    static func rectangle8(
        _ words: SIMD8<UInt64>, _ table: UnsafePointer<SIMD2<Double>>, _ generator: Philox, _ first: UInt64,
        _ out: UnsafeMutablePointer<Double>
    ) {
        let (signed, accepted) = rectangle(words, table)
        UnsafeMutableRawPointer(out).storeBytes(of: signed, as: SIMD8<Double>.self)
        if !VectorMath.all(accepted) {
            for k in 0..<8 where !accepted[k] {
                out[k] = slowPath(generator, index: first &+ UInt64(k), first: words[k])
            }
        }
    }

    /// The rectangle test of eight candidate words at once: each lane's value
    /// and whether the test accepted it (then the value is `fastPath`'s).
    /// `table` is `layerPairs`.
    @inlinable @inline(__always)
    public static func rectangle(_ words: SIMD8<UInt64>, _ table: UnsafePointer<SIMD2<Double>>) -> (
        SIMD8<Double>, VectorMath.Mask
    ) {
        // In C (`kls_rectangle8`): Swift built the vectors lane by lane through the stack.
        var accepted = SIMD8<Int>()
        let signed = withUnsafeMutablePointer(to: &accepted) { lanes in
            kls_rectangle8(
                words, UnsafeRawPointer(table).assumingMemoryBound(to: Double.self),
                UnsafeMutableRawPointer(lanes).assumingMemoryBound(to: Int64.self))
        }
        return (signed, unsafeBitCast(accepted, to: VectorMath.Mask.self))
    }

    /// The rectangle test that accepts 99.6% of candidates.
    @inlinable @inline(__always)
    static func fastPath(_ word: UInt64) -> Double? {
        let layer = Int(word & 0x3FF)
        let u = Philox.unit(word)
        let x = u * layerX[layer]
        guard x < layerX[layer + 1] else { return nil }
        return word & 0x400 == 0 ? x : -x
    }

    /// Wedges and the tail; rare, so kept out of line.
    @usableFromInline @inline(never)
    static func slowPath(_ generator: Philox, index: UInt64, first: UInt64) -> Double {
        var extra = extraWords(generator, index: index)
        return ziggurat(first: first, then: &extra)
    }

    /// A standard normal by the ziggurat from candidate word `first`, taking any
    /// further words (a wedge's height, the tail, a new candidate) from `extra`.
    public static func ziggurat(first: UInt64, then extra: inout WordSupply) -> Double {
        var word = first
        while true {
            let layer = Int(word & 0x3FF)
            let negative = word & 0x400 != 0
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
    /// `(Philox.singleWordBlock(index), attempt = 1 + word + 2j)` for j = 0, 1, …
    static func extraWords(_ generator: Philox, index: UInt64) -> WordSupply {
        WordSupply(
            generator, index: Philox.singleWordBlock(index), stream: streamTag, first: 1 + UInt32((index >> 3) & 1),
            step: 2)
    }
}
