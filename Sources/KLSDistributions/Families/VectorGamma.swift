import CVectorMath
import Foundation
import KLSTensor

/// `DrawRandom`'s ziggurat normal and Marsaglia–Tsang gamma for eight draws at
/// once, from the words each draw's supply hands out (word k is word k mod 2
/// of the draw's Philox block `(index, tag, k/2)`).
///
/// Only first attempts are made here: a normal from one word that passes the
/// ziggurat's rectangle test (99.6% of them), a gamma from such a normal and one
/// uniform that pass the squeeze or the logarithmic test. Every lane accepted so
/// far has taken the same words, so all lanes read the same word of their
/// supplies; a lane rejected anywhere (a wedge or the tail, v ≤ 0, both tests
/// failed, shape < 1) is flagged, and the family draws it again with the scalar
/// sampler from its start — so every draw depends on its index alone, never on
/// chunking.
struct VectorGamma {
    typealias Vector = VectorMath.Vector
    typealias Mask = VectorMath.Mask

    let generator: Philox
    let first: UInt64
    let tag: UInt32
    /// `NormalSampler.layerPairs`.
    let table: UnsafePointer<SIMD2<Double>>
    /// Words 0 ..< 2·blocks of the eight supplies: up to four, enough for two
    /// gammas (Beta) or a normal and a gamma (StudentT).
    var words = InlineArray<4, SIMD8<UInt64>>(repeating: .zero)
    var blocks = 0
    /// The word every accepted lane reads next.
    var position = 0

    /// The supplies of draws `first ..< first + 8` in the stream `tag`; `table`
    /// is `NormalSampler.layerPairs`.
    init(_ generator: Philox, first: UInt64, tag: UInt32, table: UnsafePointer<SIMD2<Double>>) {
        self.generator = generator
        self.first = first
        self.tag = tag
        self.table = table
    }

    /// The next word of every lane's supply, and whether there was one (a fifth
    /// word is never needed by the families here; its lanes would be flagged).
    @inline(__always)
    mutating func next() -> (SIMD8<UInt64>, Bool) {
        guard position < 4 else { return (.zero, false) }
        if position == 2 * blocks {
            let (a, b) = generator.words8(first: first, stream: tag, attempt: UInt32(blocks))
            words[2 * blocks] = a
            words[2 * blocks + 1] = b
            blocks += 1
        }
        position += 1
        return (words[position - 1], true)
    }

    /// A standard normal from each lane's next word, and where the ziggurat's
    /// rectangle test accepted it.
    @inline(__always)
    mutating func normal() -> (Vector, Mask) {
        let (word, present) = next()
        let (x, accepted) = NormalSampler.rectangle(word, table)
        return (x, present ? accepted : Mask(repeating: false))
    }

    /// Gamma(shape, 1), shape ≥ 1, from each lane's next two words: the value
    /// and where the first attempt accepted it (by the squeeze or, for the few
    /// lanes it misses, by the logarithmic test, as the scalar sampler does).
    @inline(__always)
    mutating func gamma(_ shape: Vector) -> (Vector, Mask) {
        let (x, normalAccepted) = normal()
        let (word, present) = next()
        let u = VectorMath.openUnit(word)
        var accepted = SIMD8<Int64>()
        // The arithmetic and its masks in C (CVectorMath's `kls_gamma_attempt`).
        let value = withUnsafeMutablePointer(to: &accepted) { lanes in
            kls_gamma_attempt(
                x, unsafeBitCast(normalAccepted, to: SIMD8<Int>.self), u, shape,
                UnsafeMutableRawPointer(lanes).assumingMemoryBound(to: Int64.self))
        }
        return (value, present ? unsafeBitCast(accepted, to: Mask.self) : Mask(repeating: false))
    }
}
