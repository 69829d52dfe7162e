import Foundation
import RealModule

/// A number a family's formulas compute with: `Double` for one element, SIMD
/// lanes (`VectorMath.Vector`) for eight, and `KLSGradient`'s `TracedNumber`, a
/// tensor that may be traced, so that a gradient follows the same formula. In
/// the spirit of swift-numerics' `Real`: a formula is written once, generic
/// over `N`, and each use instantiates it.
///
/// Every operation throws `Failure`: `Never` for the plain numbers (so a call
/// with Doubles needs no `try` and costs nothing), a shape or tape error for
/// traced values. Constants enter as `Double` on either side of an operator.
///
/// The special functions from `log1pMinus` on are the cancellation-free forms
/// densities, entropies and closed-form KLs are written with; Doubles use
/// `SpecialFunctions`' careful versions, and a number type without its own
/// gets the textbook composition (the same value in exact arithmetic, the same
/// derivative).
public protocol FormulaNumber {
    associatedtype Failure: Error

    static func + (a: Self, b: Self) throws(Failure) -> Self
    static func - (a: Self, b: Self) throws(Failure) -> Self
    static func * (a: Self, b: Self) throws(Failure) -> Self
    static func / (a: Self, b: Self) throws(Failure) -> Self
    static func + (a: Self, b: Double) throws(Failure) -> Self
    static func - (a: Self, b: Double) throws(Failure) -> Self
    static func * (a: Self, b: Double) throws(Failure) -> Self
    static func / (a: Self, b: Double) throws(Failure) -> Self
    static func + (a: Double, b: Self) throws(Failure) -> Self
    static func - (a: Double, b: Self) throws(Failure) -> Self
    static func * (a: Double, b: Self) throws(Failure) -> Self
    static func / (a: Double, b: Self) throws(Failure) -> Self
    static prefix func - (a: Self) throws(Failure) -> Self

    /// The constant `c` (a scalar, broadcasting against anything).
    static func constant(_ c: Double) -> Self
    /// The plain numbers (a traced value's, without its tape): what a formula
    /// whose length depends on its parameters — a sum over a count's support —
    /// reads to size its loop. Never a branch the derivative would miss.
    var plainValues: [Double] { get }

    static func log(_ x: Self) throws(Failure) -> Self
    static func log1p(_ x: Self) throws(Failure) -> Self
    static func exp(_ x: Self) throws(Failure) -> Self
    static func expm1(_ x: Self) throws(Failure) -> Self
    static func sqrt(_ x: Self) throws(Failure) -> Self
    static func abs(_ x: Self) throws(Failure) -> Self
    static func square(_ x: Self) throws(Failure) -> Self
    static func lgamma(_ x: Self) throws(Failure) -> Self
    static func digamma(_ x: Self) throws(Failure) -> Self
    static func cos(_ x: Self) throws(Failure) -> Self

    /// log(1 + t) − t.
    static func log1pMinus(_ t: Self) throws(Failure) -> Self
    /// eᵗ − 1 − t.
    static func expm1Minus(_ t: Self) throws(Failure) -> Self
    /// lgamma(y) − lgamma(x) − (y − x) ψ(x).
    static func logGammaGap(_ x: Self, _ y: Self) throws(Failure) -> Self
    /// The same, given y − x exactly (y and x may be rounded sums, as a Beta's a + b).
    static func logGammaGap(_ x: Self, _ y: Self, difference: Self) throws(Failure) -> Self
    /// ψ(y) − ψ(x), given y − x exactly.
    static func digammaDifference(_ x: Self, _ y: Self, difference: Self) throws(Failure) -> Self
    /// log B(a, b) = lgamma(a) + lgamma(b) − lgamma(a + b).
    static func logBeta(_ a: Self, _ b: Self) throws(Failure) -> Self
    /// a log x − x − lgamma(a).
    static func logGammaPrefix(_ a: Self, _ x: Self) throws(Failure) -> Self
    /// a log x + b log(1 − x) − log B(a, b).
    static func logBetaPrefix(_ x: Self, _ a: Self, _ b: Self) throws(Failure) -> Self
    /// The entropy of Gamma(a, 1): a + lgamma(a) + (1 − a) ψ(a).
    static func gammaEntropy(_ a: Self) throws(Failure) -> Self
    /// The entropy of Beta(a, b): log B(a, b) − (a − 1)ψ(a) − (b − 1)ψ(b) + (a + b − 2)ψ(a + b).
    static func betaEntropy(_ a: Self, _ b: Self) throws(Failure) -> Self
    /// log I₀(x) for x ≥ 0 (`ModifiedBessel`).
    static func logBesselI0(_ x: Self) throws(Failure) -> Self
    /// I₁(x)/I₀(x) for x ≥ 0 (`ModifiedBessel`).
    static func besselRatio(_ x: Self) throws(Failure) -> Self
    /// log I₀(y) − log I₀(x) − (y − x)·I₁(x)/I₀(x) for x, y ≥ 0 (`ModifiedBessel.logI0Gap`).
    static func logBesselI0Gap(_ x: Self, _ y: Self) throws(Failure) -> Self
    /// 1 − cos x, keeping its digits for small x (2 sin²(x/2)).
    static func versine(_ x: Self) throws(Failure) -> Self
    /// log1p(z²/ν) for ν > 0, for every z (`FormulaNumber+Ratios`).
    static func log1pSquareOver(_ z: Self, _ nu: Self) throws(Failure) -> Self

    /// `a` where `test` holds for the plain value of `condition`, else `b`,
    /// element by element; a gradient follows the branch taken. (Both
    /// branches are computed: Swift 6.3 cannot lower a witness taking
    /// closures that throw `Never`.)
    static func choose(_ condition: Self, _ test: (Double) -> Bool, _ a: Self, _ b: Self) throws(Failure) -> Self
    /// Whether `test` holds for every plain value of `condition`, for none, or
    /// for some: a formula with two branches computes only the one taken when
    /// all its elements agree, and both (joined by `choose`) only when they do not.
    static func branches(_ condition: Self, _ test: (Double) -> Bool) -> FormulaBranches
}

/// Which branch of a formula the elements of a number take (`FormulaNumber.branches`).
public enum FormulaBranches {
    case all, none, mixed
}

extension FormulaNumber {
    public static func log1pMinus(_ t: Self) throws(Failure) -> Self { try log1p(t) - t }

    public static func expm1Minus(_ t: Self) throws(Failure) -> Self { try expm1(t) - t }

    public static func logGammaGap(_ x: Self, _ y: Self) throws(Failure) -> Self {
        try lgamma(y) - lgamma(x) - (y - x) * digamma(x)
    }

    public static func logBesselI0Gap(_ x: Self, _ y: Self) throws(Failure) -> Self {
        try logBesselI0(y) - logBesselI0(x) - (y - x) * besselRatio(x)
    }

    public static func versine(_ x: Self) throws(Failure) -> Self { try 1 - cos(x) }

    public static func digammaDifference(_ x: Self, _ y: Self, difference: Self) throws(Failure) -> Self {
        try digamma(y) - digamma(x)
    }

    public static func logGammaGap(_ x: Self, _ y: Self, difference: Self) throws(Failure) -> Self {
        try lgamma(y) - lgamma(x) - difference * digamma(x)
    }

    public static func logBeta(_ a: Self, _ b: Self) throws(Failure) -> Self {
        try lgamma(a) + lgamma(b) - lgamma(a + b)
    }

    public static func logGammaPrefix(_ a: Self, _ x: Self) throws(Failure) -> Self {
        try a * log(x) - x - lgamma(a)
    }

    public static func logBetaPrefix(_ x: Self, _ a: Self, _ b: Self) throws(Failure) -> Self {
        try a * log(x) + b * log1p(-x) - logBeta(a, b)
    }

    public static func gammaEntropy(_ a: Self) throws(Failure) -> Self {
        try a + lgamma(a) + (1 - a) * digamma(a)
    }

    public static func betaEntropy(_ a: Self, _ b: Self) throws(Failure) -> Self {
        let total = try a + b
        let shifts = try (a - 1) * digamma(a) + (b - 1) * digamma(b)
        return try logBeta(a, b) - shifts + (total - 2) * digamma(total)
    }
}

extension Double: FormulaNumber {
    public typealias Failure = Never

    @inline(__always) public static func constant(_ c: Double) -> Double { c }
    public var plainValues: [Double] { [self] }
    @inline(__always) public static func log(_ x: Double) -> Double { Foundation.log(x) }
    @inline(__always) public static func log1p(_ x: Double) -> Double { Foundation.log1p(x) }
    @inline(__always) public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inline(__always) public static func expm1(_ x: Double) -> Double { Foundation.expm1(x) }
    @inline(__always) public static func sqrt(_ x: Double) -> Double { x.squareRoot() }
    @inline(__always) public static func abs(_ x: Double) -> Double { Swift.abs(x) }
    @inline(__always) public static func square(_ x: Double) -> Double { x * x }
    @inline(__always) public static func lgamma(_ x: Double) -> Double { Double.logGamma(x) }
    @inline(__always) public static func digamma(_ x: Double) -> Double { SpecialFunctions.digamma(x) }
    @inline(__always) public static func cos(_ x: Double) -> Double { Foundation.cos(x) }
    /// One branch of `ModifiedBessel`'s formula, not both.
    public static func logBesselI0(_ x: Double) -> Double {
        x < ModifiedBessel.crossover ? ModifiedBessel.logI0Series(x) : ModifiedBessel.logI0Asymptotic(x)
    }
    public static func besselRatio(_ x: Double) -> Double {
        x < ModifiedBessel.crossover ? ModifiedBessel.ratioSeries(x) : ModifiedBessel.ratioAsymptotic(x)
    }
    public static func logBesselI0Gap(_ x: Double, _ y: Double) -> Double { ModifiedBessel.logI0Gap(x, y) }
    public static func versine(_ x: Double) -> Double {
        let half = Foundation.sin(0.5 * x)
        return 2 * half * half
    }
    @inline(__always) public static func log1pMinus(_ t: Double) -> Double { SpecialFunctions.log1pMinus(t) }
    @inline(__always) public static func expm1Minus(_ t: Double) -> Double { SpecialFunctions.expm1Minus(t) }
    @inline(__always) public static func logGammaGap(_ x: Double, _ y: Double) -> Double {
        SpecialFunctions.logGammaGap(x, y)
    }
    @inline(__always) public static func logGammaGap(_ x: Double, _ y: Double, difference: Double) -> Double {
        SpecialFunctions.logGammaGap(x, y, difference: difference)
    }
    public static func digammaDifference(_ x: Double, _ y: Double, difference: Double) -> Double {
        SpecialFunctions.digammaDifference(x, y, difference: difference)
    }
    public static func logBeta(_ a: Double, _ b: Double) -> Double { SpecialFunctions.logBeta(a, b) }
    public static func logGammaPrefix(_ a: Double, _ x: Double) -> Double { SpecialFunctions.logGammaPrefix(a, x) }
    public static func logBetaPrefix(_ x: Double, _ a: Double, _ b: Double) -> Double {
        SpecialFunctions.logBetaPrefix(x, a, b)
    }
    public static func gammaEntropy(_ a: Double) -> Double { SpecialFunctions.gammaEntropy(a) }
    public static func betaEntropy(_ a: Double, _ b: Double) -> Double { SpecialFunctions.betaEntropy(a, b) }

    @inline(__always)
    public static func choose(_ condition: Double, _ test: (Double) -> Bool, _ a: Double, _ b: Double) -> Double {
        test(condition) ? a : b
    }
    @inline(__always)
    public static func branches(_ condition: Double, _ test: (Double) -> Bool) -> FormulaBranches {
        test(condition) ? .all : .none
    }
}

/// Eight lanes at once, with the kernels' own `VectorMath` functions where
/// they exist (so a generic formula and a hand-written kernel agree bit for
/// bit) and lane-by-lane libm otherwise.
extension SIMD8: FormulaNumber where Scalar == Double {
    public typealias Failure = Never

    @inline(__always) public static func constant(_ c: Double) -> SIMD8<Double> { SIMD8(repeating: c) }
    public var plainValues: [Double] { (0..<8).map { self[$0] } }
    @inline(__always) public static func log(_ x: SIMD8<Double>) -> SIMD8<Double> { VectorMath.log(x) }
    @inline(__always) public static func log1p(_ x: SIMD8<Double>) -> SIMD8<Double> { VectorMath.log1p(x) }
    @inline(__always) public static func exp(_ x: SIMD8<Double>) -> SIMD8<Double> { VectorMath.exp(x) }
    @inline(__always) public static func expm1(_ x: SIMD8<Double>) -> SIMD8<Double> { VectorMath.expm1(x) }
    @inline(__always) public static func sqrt(_ x: SIMD8<Double>) -> SIMD8<Double> { x.squareRoot() }
    @inline(__always) public static func abs(_ x: SIMD8<Double>) -> SIMD8<Double> { VectorMath.abs(x) }
    @inline(__always) public static func square(_ x: SIMD8<Double>) -> SIMD8<Double> { x * x }
    public static func lgamma(_ x: SIMD8<Double>) -> SIMD8<Double> { lanes(x, Double.lgamma) }
    public static func digamma(_ x: SIMD8<Double>) -> SIMD8<Double> { lanes(x, Double.digamma) }
    public static func cos(_ x: SIMD8<Double>) -> SIMD8<Double> { lanes(x, Foundation.cos) }
    public static func logBesselI0(_ x: SIMD8<Double>) -> SIMD8<Double> { lanes(x, Double.logBesselI0) }
    public static func besselRatio(_ x: SIMD8<Double>) -> SIMD8<Double> { lanes(x, Double.besselRatio) }
    public static func logBesselI0Gap(_ x: SIMD8<Double>, _ y: SIMD8<Double>) -> SIMD8<Double> {
        lanes(x, y) { ModifiedBessel.logI0Gap($0, $1) }
    }
    public static func versine(_ x: SIMD8<Double>) -> SIMD8<Double> { lanes(x, Double.versine) }
    public static func digammaDifference(
        _ x: SIMD8<Double>, _ y: SIMD8<Double>, difference: SIMD8<Double>
    ) -> SIMD8<Double> {
        lanes(x, y, difference) { SpecialFunctions.digammaDifference($0, $1, difference: $2) }
    }
    public static func log1pMinus(_ t: SIMD8<Double>) -> SIMD8<Double> { lanes(t, Double.log1pMinus) }
    public static func logGammaGap(_ x: SIMD8<Double>, _ y: SIMD8<Double>) -> SIMD8<Double> {
        lanes(x, y) { SpecialFunctions.logGammaGap($0, $1) }
    }
    public static func logGammaGap(
        _ x: SIMD8<Double>, _ y: SIMD8<Double>, difference: SIMD8<Double>
    ) -> SIMD8<Double> {
        lanes(x, y, difference) { SpecialFunctions.logGammaGap($0, $1, difference: $2) }
    }
    /// The far form computed only when a lane needs it, chosen by a mask.
    @inline(__always) public static func log1pSquareOver(_ z: SIMD8<Double>, _ nu: SIMD8<Double>) -> SIMD8<Double> {
        let u = z * z / nu
        let near = VectorMath.log1p(u)
        let far = u .>= SIMD8(repeating: 1e200)
        guard VectorMath.any(far) else { return near }
        let logs = 2 * VectorMath.log(VectorMath.abs(z)) - VectorMath.log(nu) + VectorMath.log1p(nu / (z * z))
        return VectorMath.select(far, logs, near)
    }
    public static func choose(
        _ condition: SIMD8<Double>, _ test: (Double) -> Bool, _ a: SIMD8<Double>, _ b: SIMD8<Double>
    ) -> SIMD8<Double> {
        var out = b
        for i in 0..<8 where test(condition[i]) { out[i] = a[i] }
        return out
    }

    public static func branches(_ condition: SIMD8<Double>, _ test: (Double) -> Bool) -> FormulaBranches {
        let count = (0..<8).filter { test(condition[$0]) }.count
        return count == 8 ? .all : (count == 0 ? .none : .mixed)
    }

    private static func lanes(_ x: SIMD8<Double>, _ f: (Double) -> Double) -> SIMD8<Double> {
        var out = x
        for i in 0..<8 { out[i] = f(x[i]) }
        return out
    }

    private static func lanes(
        _ x: SIMD8<Double>, _ y: SIMD8<Double>, _ z: SIMD8<Double> = .zero, _ f: (Double, Double, Double) -> Double
    ) -> SIMD8<Double> {
        var out = x
        for i in 0..<8 { out[i] = f(x[i], y[i], z[i]) }
        return out
    }

    private static func lanes(
        _ x: SIMD8<Double>, _ y: SIMD8<Double>, _ f: (Double, Double) -> Double
    ) -> SIMD8<Double> {
        lanes(x, y) { a, b, _ in f(a, b) }
    }
}
