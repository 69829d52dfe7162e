import Foundation

/// Vectorized `exp` and `log` over 8 doubles at a time, accurate to about one ulp.
///
/// glibc's scalar `exp`/`log` cost 5–10 ns per element here, three times NumPy's
/// SIMD versions. These kernels use the classic reductions: for `exp`,
/// x = n·ln2 + r with |r| ≤ ln2/2 and a degree-13 Taylor polynomial for e^r;
/// for `log`, x = 2^k·m with m ∈ [√2/2, √2) and fdlibm's minimax polynomial in
/// s = (m−1)/(m+1). Vectors holding anything outside the plain range (nan, inf,
/// zero, negatives and subnormals for `log`; |x| > 708 for `exp`) go through the
/// scalar libm functions, so every edge case keeps libm's answer.
public enum VectorMath {
    public typealias Vector = SIMD8<Double>

    /// e^x for each lane.
    @inlinable @inline(__always)
    public static func exp(_ x: Vector) -> Vector {
        let limit = Vector(repeating: 708)
        guard all(x .<= limit) && all(x .>= -limit) else { return scalar(x, Foundation.exp) }
        // Adding 1.5·2⁵² rounds x·log2(e) to an integer n held in the low mantissa
        // bits (no generic SIMD rounding or int conversion, which do not vectorize).
        let shifted = Vector(repeating: 0x1.8p52).addingProduct(x, Vector(repeating: 1.4426950408889634))
        let n = shifted - 0x1.8p52
        // r = x − n·ln2, with ln2 split in two so the product is exact.
        var r = x.addingProduct(n, Vector(repeating: -0.6931471803691238))
        r = r.addingProduct(n, Vector(repeating: -1.9082149292705877e-10))
        var p = Vector(repeating: 1.0 / 6_227_020_800)
        p = p * r + (1.0 / 479_001_600)
        p = p * r + (1.0 / 39_916_800)
        p = p * r + (1.0 / 3_628_800)
        p = p * r + (1.0 / 362_880)
        p = p * r + (1.0 / 40_320)
        p = p * r + (1.0 / 5_040)
        p = p * r + (1.0 / 720)
        p = p * r + (1.0 / 120)
        p = p * r + (1.0 / 24)
        p = p * r + (1.0 / 6)
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        // 2ⁿ: the low bits of `shifted` are n; the shift drops the 1.5·2⁵² bits.
        let scale = unsafeBitCast((unsafeBitCast(shifted, to: SIMD8<UInt64>.self) &+ 1023) &<< 52, to: Vector.self)
        return p * scale
    }

    /// log x for each lane.
    @inlinable @inline(__always)
    public static func log(_ x: Vector) -> Vector {
        let smallest = Vector(repeating: Double.leastNormalMagnitude)
        let largest = Vector(repeating: Double.greatestFiniteMagnitude)
        guard all(x .>= smallest) && all(x .<= largest) else { return scalar(x, Foundation.log) }
        // musl's reduction: subtracting the bits of √2/2 makes the exponent field
        // k with x = 2ᵏ·m, m ∈ [√2/2, √2), using integer operations only.
        let bits = unsafeBitCast(x, to: SIMD8<Int64>.self)
        let offset = bits &- 0x3FE6_A09E_667F_3BCD
        let kInt = offset &>> 52
        let m = unsafeBitCast(bits &- (offset & Int64(bitPattern: 0xFFF0_0000_0000_0000)), to: Vector.self)
        // int → double for small k: plant k in the mantissa of 1.5·2⁵².
        let k = unsafeBitCast(kInt &+ 0x4338_0000_0000_0000, to: Vector.self) - 0x1.8p52
        let f = m - 1
        let halfSquare = 0.5 * f * f
        let s = f / (2 + f)
        let z = s * s
        let w = z * z
        let t1 = w * (0.3999999999940941908 + w * (0.2222219843214978396 + w * 0.1531383769920937332))
        let t2 =
            z
            * (0.6666666666666735130 + w
                * (0.2857142874366239149 + w * (0.1818357216161805012 + w * 0.1479819860511658591)))
        let sum = t2 + t1
        let lowPart = s * (halfSquare + sum) + k * 1.90821492927058770002e-10
        return k * 6.93147180369123816490e-01 - ((halfSquare - lowPart) - f)
    }

    @usableFromInline @inline(never)
    static func scalar(_ x: Vector, _ f: (Double) -> Double) -> Vector {
        var out = Vector()
        for i in 0..<8 { out[i] = f(x[i]) }
        return out
    }

    /// Applies a vector function over `count` doubles, 8 at a time; the tail goes
    /// through `tail` one by one.
    @inlinable @inline(__always)
    public static func apply(
        _ input: UnsafePointer<Double>, _ output: UnsafeMutablePointer<Double>, _ range: Range<Int>,
        _ vector: (Vector) -> Vector, _ tail: (Double) -> Double
    ) {
        let source = UnsafeRawPointer(input)
        let target = UnsafeMutableRawPointer(output)
        var i = range.lowerBound
        while i + 8 <= range.upperBound {
            let v = source.loadUnaligned(fromByteOffset: i * 8, as: Vector.self)
            target.storeBytes(of: vector(v), toByteOffset: i * 8, as: Vector.self)
            i += 8
        }
        while i < range.upperBound {
            output[i] = tail(input[i])
            i += 1
        }
    }
}
