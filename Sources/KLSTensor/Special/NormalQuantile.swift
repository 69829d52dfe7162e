import Foundation

/// The standard normal quantile Φ⁻¹(u) by Wichura's AS 241 (PPND16, Applied
/// Statistics 37, 1988): a rational function of u − ½ in the centre
/// (|u − ½| ≤ 0.425) and of r = √(−log min(u, 1 − u)) in the tails (r ≤ 5,
/// and beyond), good to about 1e-16 relative. Written once over a generic
/// evaluation of the three branches, so the eight-lane form (what a Sobol
/// sampler maps its points through) gives the scalar one's doubles.
/// Φ⁻¹(0) = −∞, Φ⁻¹(1) = +∞, nan outside [0, 1].
public enum NormalQuantile {
    static let centre = [
        3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125,
        45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727,
    ]
    static let centreDenominator = [
        1, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077, 21213.794301586595867,
        39307.89580009271061, 28729.085735721942674, 5226.495278852854561,
    ]
    static let near = [
        1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504,
        1.27045825245236838258, 0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4,
    ]
    static let nearDenominator = [
        1, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455, 0.14810397642748007459,
        0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9,
    ]
    static let far = [
        6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123,
        0.026532189526576123093, 0.0012426609473880784386, 2.71155556874348757815e-5,
        2.01033439929228813265e-7,
    ]
    static let farDenominator = [
        1, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525, 7.868691311456132591e-4,
        1.8463183175100546818e-5, 1.4215117583164458887e-7, 2.04426310338993978564e-15,
    ]

    /// Σ cₖ xᵏ (k < 8) by Horner's rule, the coefficients read once into a
    /// tuple so the loop unrolls into eight fused steps.
    @inline(__always)
    static func polynomial(_ c: (Double, Double, Double, Double, Double, Double, Double, Double), _ x: SIMD8<Double>)
        -> SIMD8<Double>
    {
        var sum = SIMD8(repeating: c.7)
        sum = sum * x + SIMD8(repeating: c.6)
        sum = sum * x + SIMD8(repeating: c.5)
        sum = sum * x + SIMD8(repeating: c.4)
        sum = sum * x + SIMD8(repeating: c.3)
        sum = sum * x + SIMD8(repeating: c.2)
        sum = sum * x + SIMD8(repeating: c.1)
        return sum * x + SIMD8(repeating: c.0)
    }

    typealias Coefficients = (Double, Double, Double, Double, Double, Double, Double, Double)

    static func tuple(_ c: [Double]) -> Coefficients { (c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]) }

    static let tables = (
        tuple(centre), tuple(centreDenominator), tuple(near), tuple(nearDenominator), tuple(far),
        tuple(farDenominator)
    )

    /// Φ⁻¹ of each lane.
    public static func of(_ u: SIMD8<Double>) -> SIMD8<Double> {
        let q = u - 0.5
        let r2 = 0.180625 - q * q
        let t = tables
        let central = q * polynomial(t.0, r2) / polynomial(t.1, r2)
        let tail = VectorMath.select(q .< 0, u, 1 - u)
        let r = VectorMath.squareRoot(-VectorMath.log(tail))
        let nearValue = polynomial(t.2, r - 1.6) / polynomial(t.3, r - 1.6)
        let farValue = polynomial(t.4, r - 5) / polynomial(t.5, r - 5)
        var tails = VectorMath.select(r .<= 5, nearValue, farValue)
        tails = VectorMath.select(q .< 0, -tails, tails)
        var value = VectorMath.select(VectorMath.abs(q) .<= 0.425, central, tails)
        // The edges and non-probabilities (the log's own answers at 0 would be right; these say it).
        value = VectorMath.select(u .== 0, SIMD8(repeating: -.infinity), value)
        value = VectorMath.select(u .== 1, SIMD8(repeating: .infinity), value)
        return VectorMath.select((u .< 0) .| (u .> 1) .| (u .!= u), SIMD8(repeating: .nan), value)
    }

    /// Φ⁻¹(u): the lanes' formula on one number.
    public static func of(_ u: Double) -> Double { of(SIMD8(repeating: u))[0] }

    /// Φ⁻¹ of `count` numbers in place, eight at a time, on every core.
    public static func apply(_ x: UnsafeMutablePointer<Double>, count: Int) {
        let base = Unchecked(x)
        Parallel.forEachChunk(count / 8, cost: 64) { range in
            applySerially(base.value + range.lowerBound * 8, count: range.count * 8)
        }
        let done = count / 8 * 8
        applySerially(x + done, count: count - done)
    }

    /// Φ⁻¹ of `count` numbers in place on the calling thread.
    static func applySerially(_ x: UnsafeMutablePointer<Double>, count: Int) {
        var k = 0
        while k + 8 <= count {
            let v = UnsafeRawPointer(x + k).loadUnaligned(as: SIMD8<Double>.self)
            UnsafeMutableRawPointer(x + k).storeBytes(of: of(v), as: SIMD8<Double>.self)
            k += 8
        }
        if k < count {
            var rest = SIMD8<Double>(repeating: 0.5)
            for i in k..<count { rest[i - k] = x[i] }
            let mapped = of(rest)
            for i in k..<count { x[i] = mapped[i - k] }
        }
    }
}
