import CVectorMath
import Foundation

/// Vectorized `exp`, `log`, `log1p`, `expm1` and `tanh` over 8 doubles at a
/// time, accurate to about one ulp.
///
/// glibc's scalar `exp`/`log` cost 5–10 ns per element here, three times NumPy's
/// SIMD versions. These kernels use the classic reductions: for `exp`,
/// x = (16k + j)·ln2/16 + r with |r| ≤ ln2/32, a 16-entry table of 2^(j/16)
/// (CVectorMath's `ExpTable.h`, with each entry's rounding error) and a degree-7
/// Taylor polynomial for e^r − 1 (measured within 0.54 ulp);
/// for `log`, x = 2^k·z with z ∈ [0.6875, 1.375), a table of 128 points c of
/// that range (CVectorMath's `LogTable.h`) and a degree-9 Taylor polynomial for
/// log(z/c), as in ARM's optimized-routines (no division). Vectors holding anything
/// outside the plain range (nan, inf, zero, negatives and subnormals for `log`;
/// |x| > 708 for `exp`) go through the scalar libm functions, so every edge case
/// keeps libm's answer. `expm1` sums its Taylor series where |x| < 1 (where
/// e^x − 1 would cancel) and takes e^x − 1 elsewhere; `tanh` is Cephes's
/// rational below 0.625 and 1 − 2/(e^2|x| + 1) above, the sign restored.
/// `exp`'s, `log`'s and `tanh`'s arithmetic is in C (CVectorMath.h), where clang
/// compiles blends, clamps, bit operations and table gathers on 8 lanes to single
/// AVX-512 instructions.
public enum VectorMath {
    public typealias Vector = SIMD8<Double>

    /// e^x for each lane: CVectorMath's `kls_exp8` (its kernel where |x| ≤ 708,
    /// else libm lane by lane).
    @inlinable @inline(__always)
    public static func exp(_ x: Vector) -> Vector {
        kls_exp8(x)
    }

    /// log x for each lane: CVectorMath's `kls_log8` (its kernel where x is a
    /// positive normal number, else libm lane by lane).
    @inlinable @inline(__always)
    public static func log(_ x: Vector) -> Vector {
        kls_log8(x)
    }

    /// log(1 + y) for each lane: log u for u = 1 + y rounded, plus (y − (u − 1))/u,
    /// the part of y that rounding u lost (so small y keep full precision).
    /// Lanes where u is not a positive normal number (y ≤ −1, inf, nan, and y
    /// below −1 + 2⁻¹⁰²²) go through libm, like `log`'s.
    @inlinable @inline(__always)
    public static func log1p(_ y: Vector) -> Vector {
        let u = 1 + y
        let smallest = Vector(repeating: Double.leastNormalMagnitude)
        let largest = Vector(repeating: Double.greatestFiniteMagnitude)
        guard all(u .>= smallest) && all(u .<= largest) else { return scalar(y, Foundation.log1p) }
        return log(u) + (y - (u - 1)) / u
    }

    /// e^x − 1 for each lane.
    @inlinable @inline(__always)
    public static func expm1(_ x: Vector) -> Vector {
        guard all(x .<= 708) else { return scalar(x, Foundation.expm1) }
        // Below −50, e^x − 1 rounds to −1: clamping keeps such lanes on the vector path.
        let clamped = select(x .< -50, Vector(repeating: -50), x)
        // x + x²·Σ xᵏ⁻²/k! for k = 2 … 19 (the rest is below 3e-19 of the sum when
        // |x| < 1): the sum by Estrin's scheme (a chain of 5 steps, not 18), and
        // the leading x added last, so that rounding the sum costs under an ulp.
        let x = clamped
        let x2 = x * x
        let x4 = x2 * x2
        let x8 = x4 * x4
        func pair(_ a: Double, _ b: Double) -> Vector { Vector(repeating: a).addingProduct(x, Vector(repeating: b)) }
        let q0 = pair(1.0 / 2, 1.0 / 6).addingProduct(x2, pair(1.0 / 24, 1.0 / 120))
        let q1 = pair(1.0 / 720, 1.0 / 5_040).addingProduct(x2, pair(1.0 / 40_320, 1.0 / 362_880))
        let q2 = pair(1.0 / 3_628_800, 1.0 / 39_916_800).addingProduct(x2, pair(1.0 / 479_001_600, 1.0 / 6_227_020_800))
        let q3 = pair(1.0 / 87_178_291_200, 1.0 / 1_307_674_368_000).addingProduct(
            x2, pair(1.0 / 20_922_789_888_000, 1.0 / 355_687_428_096_000))
        let high = q2.addingProduct(x4, q3).addingProduct(
            x8, pair(1.0 / 6_402_373_705_728_000, 1.0 / 121_645_100_408_832_000))
        let series = x.addingProduct(x2, q0.addingProduct(x4, q1).addingProduct(x8, high))
        let direct = exp(clamped) - 1
        let magnitude = unsafeBitCast(unsafeBitCast(clamped, to: SIMD8<UInt64>.self) & ~signBit, to: Vector.self)
        return select(magnitude .>= 1, direct, series)
    }

    /// tanh x for each lane: CVectorMath's `kls_tanh8`, whose blends and
    /// clamps compile to single instructions (Swift's mask code for them went
    /// through 128-bit pieces, at four times the cost).
    @inlinable @inline(__always)
    public static func tanh(_ x: Vector) -> Vector {
        guard all(x .== x) else { return scalar(x, Foundation.tanh) }
        return kls_tanh8(x)
    }

    /// The correctly rounded square root of each lane, as `Double.squareRoot()`
    /// gives it, in vector instructions (`SIMD8<Double>.squareRoot()` goes lane
    /// by lane, a branch each).
    @inlinable @inline(__always)
    public static func squareRoot(_ x: Vector) -> Vector {
        kls_sqrt8(x)
    }

    /// A lane-wise condition on vectors, as comparisons of them give.
    public typealias Mask = SIMDMask<SIMD8<Int64>>

    /// True when every lane of `mask` holds. The standard library's `all` reduces
    /// through a generic `max` that is not inlined (a call and a lane-by-lane
    /// loop each time, measured at a tenth of a gamma draw); this is two ANDs.
    @inlinable @inline(__always)
    public static func all(_ mask: Mask) -> Bool {
        let bits = unsafeBitCast(mask, to: SIMD8<UInt64>.self)
        let half = bits.lowHalf & bits.highHalf
        let quarter = half.lowHalf & half.highHalf
        return quarter[0] & quarter[1] != 0
    }

    /// True when some lane of `mask` holds (see `all`).
    @inlinable @inline(__always)
    public static func any(_ mask: Mask) -> Bool {
        let bits = unsafeBitCast(mask, to: SIMD8<UInt64>.self)
        let half = bits.lowHalf | bits.highHalf
        let quarter = half.lowHalf | half.highHalf
        return quarter[0] | quarter[1] != 0
    }

    /// `whenTrue` where `condition` holds, else `whenFalse`: a bitwise blend
    /// (the generic `replacing(with:where:)` does not vectorise).
    @inlinable @inline(__always)
    public static func select(
        _ condition: SIMDMask<SIMD8<Int64>>, _ whenTrue: Vector, _ whenFalse: Vector
    ) -> Vector {
        let mask = unsafeBitCast(condition, to: SIMD8<UInt64>.self)
        let bits =
            (unsafeBitCast(whenTrue, to: SIMD8<UInt64>.self) & mask)
            | (unsafeBitCast(whenFalse, to: SIMD8<UInt64>.self) & ~mask)
        return unsafeBitCast(bits, to: Vector.self)
    }

    /// |x| for each lane (the sign bit cleared).
    @inlinable @inline(__always)
    public static func abs(_ x: Vector) -> Vector {
        unsafeBitCast(unsafeBitCast(x, to: SIMD8<UInt64>.self) & ~signBit, to: Vector.self)
    }

    /// Philox.unit of each word: its top 53 bits times 2⁻⁵³, the same doubles.
    @inlinable @inline(__always)
    public static func unit(_ words: SIMD8<UInt64>) -> Vector {
        bitsAsDouble(words &>> 11) * 0x1p-53
    }

    /// `DrawRandom.openUniform` of each word: (top 53 bits + ½)·2⁻⁵³, in (0, 1).
    @inlinable @inline(__always)
    public static func openUnit(_ words: SIMD8<UInt64>) -> Vector {
        (bitsAsDouble(words &>> 11) + 0.5) * 0x1p-53
    }

    /// Integers below 2⁵³ as doubles, exactly: the two 32-bit halves are each
    /// planted in the mantissa of 2⁵² (no scalarised int → double conversion).
    @inlinable @inline(__always)
    static func bitsAsDouble(_ bits: SIMD8<UInt64>) -> Vector {
        let high = unsafeBitCast((bits &>> 32) | 0x4330_0000_0000_0000, to: Vector.self) - 0x1p52
        let low = unsafeBitCast((bits & 0xFFFF_FFFF) | 0x4330_0000_0000_0000, to: Vector.self) - 0x1p52
        return high * 0x1p32 + low
    }

    /// `lanes` (≤ 8) doubles from `p`, the other lanes `padding`: one vector
    /// load when all eight are there.
    @inlinable @inline(__always)
    public static func load(_ p: UnsafePointer<Double>, lanes: Int, padding: Double = 0) -> Vector {
        if lanes >= 8 { return UnsafeRawPointer(p).loadUnaligned(as: Vector.self) }
        var v = Vector(repeating: padding)
        for i in 0..<Swift.max(lanes, 0) { v[i] = p[i] }
        return v
    }

    /// Stores the first `lanes` (≤ 8) lanes of `v` at `p`.
    @inlinable @inline(__always)
    public static func store(_ v: Vector, _ p: UnsafeMutablePointer<Double>, lanes: Int) {
        if lanes >= 8 {
            UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
            return
        }
        for i in 0..<Swift.max(lanes, 0) { p[i] = v[i] }
    }

    @usableFromInline static let signBit = SIMD8<UInt64>(repeating: 0x8000_0000_0000_0000)

    @usableFromInline @inline(never)
    static func scalar(_ x: Vector, _ f: (Double) -> Double) -> Vector {
        var out = Vector()
        for i in 0..<8 { out[i] = f(x[i]) }
        return out
    }

    /// Applies `F` over `range` of `input`, 8 at a time; the tail goes through
    /// `F.scalar` one by one. Generic rather than over closures: specialised per
    /// function, the kernel is inlined into the loop (through a closure it was a
    /// call per 8 elements, passing each vector in four 128-bit pieces).
    @inlinable @inline(__always)
    public static func apply<F: VectorFunction>(
        _ input: UnsafePointer<Double>, _ output: UnsafeMutablePointer<Double>, _ range: Range<Int>, _: F.Type
    ) {
        let source = UnsafeRawPointer(input)
        let target = UnsafeMutableRawPointer(output)
        var i = range.lowerBound
        while i + 8 <= range.upperBound {
            let v = source.loadUnaligned(fromByteOffset: i * 8, as: Vector.self)
            target.storeBytes(of: F.vector(v), toByteOffset: i * 8, as: Vector.self)
            i += 8
        }
        while i < range.upperBound {
            output[i] = F.scalar(input[i])
            i += 1
        }
    }

    /// The element-wise functions with a vector kernel.
    public enum Exp: VectorFunction {
        public static func vector(_ x: Vector) -> Vector { VectorMath.exp(x) }
        public static func scalar(_ x: Double) -> Double { Foundation.exp(x) }
    }

    /// See `Exp`.
    public enum Log: VectorFunction {
        public static func vector(_ x: Vector) -> Vector { VectorMath.log(x) }
        public static func scalar(_ x: Double) -> Double { Foundation.log(x) }
    }

    /// See `Exp`.
    public enum Expm1: VectorFunction {
        public static func vector(_ x: Vector) -> Vector { VectorMath.expm1(x) }
        public static func scalar(_ x: Double) -> Double { Foundation.expm1(x) }
    }

    /// See `Exp`.
    public enum Log1p: VectorFunction {
        public static func vector(_ x: Vector) -> Vector { VectorMath.log1p(x) }
        public static func scalar(_ x: Double) -> Double { Foundation.log1p(x) }
    }

    /// See `Exp`.
    public enum Tanh: VectorFunction {
        public static func vector(_ x: Vector) -> Vector { VectorMath.tanh(x) }
        public static func scalar(_ x: Double) -> Double { Foundation.tanh(x) }
    }
}

/// A function with an 8-wide kernel and its scalar form for a loop's tail.
public protocol VectorFunction {
    /// The function on 8 lanes.
    static func vector(_ x: VectorMath.Vector) -> VectorMath.Vector
    /// The function on one element.
    static func scalar(_ x: Double) -> Double

}
