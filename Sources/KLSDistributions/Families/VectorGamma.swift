import Foundation
import KLSTensor

/// `DrawRandom`'s polar normal and Marsaglia–Tsang gamma for eight draws at
/// once, from the words each draw's supply hands out (word k is word k mod 2
/// of the draw's Philox block `(index, tag, k/2)`), following each lane's own
/// position in its supply. Up to three polar attempts are made per normal (each
/// is accepted with probability π/4: one lane in 4.7 needs a second, one in 22
/// a third, the third only computed when some lane needs it); lanes needing
/// more, or rejected by v ≤ 0 or by both the squeeze and the logarithmic test,
/// are flagged, and the family draws them again with the scalar sampler from
/// their start — so every draw depends on its index alone, never on chunking.
struct VectorGamma {
    typealias Vector = VectorMath.Vector
    typealias Mask = SIMDMask<SIMD8<Int64>>

    let generator: Philox
    let first: UInt64
    let tag: UInt32
    /// Words 0 ..< 2·attempts of the eight supplies, computed as needed: enough
    /// for two gammas (Beta), or a normal and a gamma (StudentT), of up to three
    /// polar attempts each.
    var words = InlineArray<16, SIMD8<UInt64>>(repeating: .zero)
    var attempts = 0

    /// The supplies of draws `first ..< first + 8` in the stream `tag`.
    init(_ generator: Philox, first: UInt64, tag: UInt32) {
        self.generator = generator
        self.first = first
        self.tag = tag
    }

    /// Word `offset[l] + k` of lane l's supply (all offsets below 16 − k).
    @inline(__always)
    mutating func word(_ offset: SIMD8<Int64>, _ k: Int) -> SIMD8<UInt64> {
        var (low, high) = (offset[0], offset[0])
        for l in 1..<8 { (low, high) = (Swift.min(low, offset[l]), Swift.max(high, offset[l])) }
        let needed = Swift.min((Int(high) + k) / 2 + 1, 8)
        while attempts < needed {
            let (a, b) = generator.words8(first: first, stream: tag, attempt: UInt32(attempts))
            words[2 * attempts] = a
            words[2 * attempts + 1] = b
            attempts += 1
        }
        if low == high { return words[Swift.min(Int(low) + k, 15)] }
        var out = SIMD8<UInt64>()
        for l in 0..<8 { out[l] = words[Swift.min(Int(offset[l]) + k, 15)][l] }
        return out
    }

    /// A polar-method normal from each lane's words at `offset`: the value,
    /// where it was accepted, and the offset after the words it took.
    @inline(__always)
    mutating func normal(at offset: SIMD8<Int64>) -> (Vector, Mask, SIMD8<Int64>) {
        let (x1, accepted1) = Self.polar(word(offset, 0), word(offset, 1))
        let (x2, accepted2) = Self.polar(word(offset, 2), word(offset, 3))
        var value = VectorMath.select(accepted1, x1, x2)
        var accepted = accepted1 .| accepted2
        // A mask lane is −1 where true: 4 words for two attempts, 2 for one.
        var next = offset &+ 4 &+ 2 &* unsafeBitCast(accepted1, to: SIMD8<Int64>.self)
        let third = .!accepted .& (offset .<= 10)
        if any(third) {
            let (x3, accepted3) = Self.polar(word(offset, 4), word(offset, 5))
            value = VectorMath.select(accepted, value, x3)
            next = next &- 2 &* unsafeBitCast(third, to: SIMD8<Int64>.self)
            accepted .|= third .& accepted3
        }
        return (value, accepted, next)
    }

    /// Gamma(shape, 1), shape ≥ 1, from each lane's words at `offset`: the
    /// value, where the first attempt accepted it (by the squeeze or, for the
    /// few lanes it misses, by the logarithmic test, as the scalar sampler
    /// does), and the offset after.
    @inline(__always)
    mutating func gamma(_ shape: Vector, at offset: SIMD8<Int64>) -> (Vector, Mask, SIMD8<Int64>) {
        let (x, normalAccepted, afterNormal) = normal(at: offset)
        let d = shape - 1.0 / 3
        let v = 1 + 1 / (9 * d).squareRoot() * x
        let cube = v * v * v
        let u = VectorMath.openUnit(word(afterNormal, 0))
        var passed = u .< 1 - 0.0331 * x * x * x * x
        let usable = normalAccepted .& (v .> 0) .& (shape .>= 1) .& (afterNormal .<= 15)
        if any(usable .& .!passed) {
            // Lanes with v ≤ 0 give nan here and stay rejected.
            let safe = VectorMath.select(usable, cube, Vector(repeating: 1))
            passed .|= VectorMath.log(u) .< 0.5 * x * x + d * (1 - safe + VectorMath.log(safe))
        }
        return (d * cube, usable .& passed, afterNormal &+ 1)
    }

    /// One polar attempt from words `a`, `b`, and whether (u, v) fell in the disc.
    @inline(__always)
    static func polar(_ a: SIMD8<UInt64>, _ b: SIMD8<UInt64>) -> (Vector, Mask) {
        let u = 2 * VectorMath.unit(a) - 1
        let v = 2 * VectorMath.unit(b) - 1
        let s = u * u + v * v
        let accepted = (s .> 0) .& (s .< 1)
        let safe = VectorMath.select(accepted, s, Vector(repeating: 0.5))
        return (u * (-2 * VectorMath.log(safe) / safe).squareRoot(), accepted)
    }
}
