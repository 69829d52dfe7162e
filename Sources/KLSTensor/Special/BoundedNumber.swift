import Foundation
import RealModule

/// A Double with a bound on the rounding error made computing it: running error
/// analysis (Higham, *Accuracy and Stability of Numerical Algorithms*, §3.3).
/// Evaluating a family's formula with it — the very formula `logpdf` evaluates
/// on Doubles, operation for operation — gives the value and how far rounding
/// may have carried it from the exact result of the same formula. `kl_quad`
/// integrates that bound so its error estimate covers the integrand's own
/// rounding: a log-density such as Gamma(30)'s adds terms of ~100 that cancel
/// to ~1, and where q ≈ p the integrand q·(log q − log p) is all rounding.
///
/// Each operation adds the propagated input errors (first order, through the
/// derivative) and its own rounding: u = 2⁻⁵³ relative for + − × ÷ and √,
/// 2u for libm's logarithms and exponentials, more for the special functions
/// (their accuracy as measured against mpmath). Parameters and constants enter
/// exact. The bound is an estimate of the worst case, not a proof: it assumes
/// first-order propagation and the special functions' measured accuracy.
public struct BoundedNumber: FormulaNumber, Sendable {
    public typealias Failure = Never

    /// The value, as the Double formula computes it.
    public var value: Double
    /// A bound on |value − the formula's value in exact arithmetic|.
    public var error: Double

    public init(_ value: Double, error: Double = 0) {
        self.value = value
        self.error = error
    }

    /// The unit roundoff, 2⁻⁵³.
    public static let unitRoundoff = Double.ulpOfOne / 2
    static let u = unitRoundoff

    /// `value` with its own rounding of `relative`·u added to `propagated`.
    @inline(__always)
    static func rounded(_ value: Double, _ propagated: Double, _ relative: Double = 1) -> BoundedNumber {
        BoundedNumber(value, error: propagated + relative * u * Swift.abs(value))
    }

    /// The error of a function with derivative bounded by `slope` near x, rounded
    /// to within `ulps` of max(|value|, `floor`).
    @inline(__always)
    static func function(
        _ value: Double, slope: Double, _ x: BoundedNumber, ulps: Double, floor: Double = 0
    ) -> BoundedNumber {
        BoundedNumber(value, error: Swift.abs(slope) * x.error + ulps * u * Swift.max(Swift.abs(value), floor))
    }

    public static func + (a: Self, b: Self) -> Self { rounded(a.value + b.value, a.error + b.error) }
    public static func - (a: Self, b: Self) -> Self { rounded(a.value - b.value, a.error + b.error) }
    public static func * (a: Self, b: Self) -> Self {
        rounded(
            a.value * b.value, Swift.abs(a.value) * b.error + Swift.abs(b.value) * a.error + a.error * b.error)
    }
    public static func / (a: Self, b: Self) -> Self {
        let quotient = a.value / b.value
        let margin = Swift.abs(b.value) - b.error
        guard margin > 0 else { return BoundedNumber(quotient, error: .infinity) }
        return rounded(quotient, (a.error + Swift.abs(quotient) * b.error) / margin)
    }
    public static func + (a: Self, b: Double) -> Self { a + BoundedNumber(b) }
    public static func - (a: Self, b: Double) -> Self { a - BoundedNumber(b) }
    public static func * (a: Self, b: Double) -> Self { a * BoundedNumber(b) }
    public static func / (a: Self, b: Double) -> Self { a / BoundedNumber(b) }
    public static func + (a: Double, b: Self) -> Self { BoundedNumber(a) + b }
    public static func - (a: Double, b: Self) -> Self { BoundedNumber(a) - b }
    public static func * (a: Double, b: Self) -> Self { BoundedNumber(a) * b }
    public static func / (a: Double, b: Self) -> Self { BoundedNumber(a) / b }
    public static prefix func - (a: Self) -> Self { BoundedNumber(-a.value, error: a.error) }

    public static func constant(_ c: Double) -> Self { BoundedNumber(c) }
    public var plainValues: [Double] { [value] }

    /// 1/|x| near x, or infinity when the error reaches 0.
    static func inverseDistance(_ x: Double, _ error: Double) -> Double {
        Swift.abs(x) > error ? 1 / (Swift.abs(x) - error) : .infinity
    }

    public static func log(_ x: Self) -> Self {
        function(Foundation.log(x.value), slope: inverseDistance(x.value, x.error), x, ulps: 2)
    }
    public static func log1p(_ x: Self) -> Self {
        function(Foundation.log1p(x.value), slope: inverseDistance(1 + x.value, x.error), x, ulps: 2)
    }
    public static func exp(_ x: Self) -> Self {
        let value = Foundation.exp(x.value)
        return BoundedNumber(value, error: value * Foundation.expm1(x.error) + 2 * u * value)
    }
    public static func expm1(_ x: Self) -> Self {
        let value = Foundation.expm1(x.value)
        return BoundedNumber(
            value, error: Foundation.exp(x.value) * Foundation.expm1(x.error) + 2 * u * Swift.abs(value))
    }
    public static func sqrt(_ x: Self) -> Self {
        let value = x.value.squareRoot()
        let propagated = value > 0 ? x.error / (2 * value) : x.error.squareRoot()
        return rounded(value, propagated)
    }
    public static func abs(_ x: Self) -> Self { BoundedNumber(Swift.abs(x.value), error: x.error) }
    public static func square(_ x: Self) -> Self { x * x }
    public static func lgamma(_ x: Self) -> Self {
        function(Double.logGamma(x.value), slope: SpecialFunctions.digamma(x.value), x, ulps: 4, floor: 1)
    }
    public static func digamma(_ x: Self) -> Self {
        function(SpecialFunctions.digamma(x.value), slope: SpecialFunctions.trigamma(x.value), x, ulps: 8, floor: 1)
    }
    public static func cos(_ x: Self) -> Self { function(Foundation.cos(x.value), slope: 1, x, ulps: 2, floor: 1) }
    public static func versine(_ x: Self) -> Self {
        function(Double.versine(x.value), slope: Foundation.sin(x.value), x, ulps: 4)
    }
    public static func logBesselI0(_ x: Self) -> Self {
        function(Double.logBesselI0(x.value), slope: 1, x, ulps: 4, floor: 1)
    }
    public static func besselRatio(_ x: Self) -> Self {
        function(Double.besselRatio(x.value), slope: 0.5, x, ulps: 4)
    }
    public static func log1pMinus(_ t: Self) -> Self {
        let slope = t.value / (1 + t.value)
        return function(SpecialFunctions.log1pMinus(t.value), slope: slope, t, ulps: 4, floor: 0)
            .addingRounding(Swift.abs(t.value) < 0.5 ? 0 : 2 * u * Swift.abs(t.value))
    }
    public static func expm1Minus(_ t: Self) -> Self {
        let slope = Foundation.expm1(t.value)
        return function(SpecialFunctions.expm1Minus(t.value), slope: slope, t, ulps: 4)
            .addingRounding(Swift.abs(t.value) < 0.25 ? 0 : 2 * u * (Swift.abs(t.value) + Swift.abs(slope)))
    }

    /// The same value with `extra` more possible rounding.
    func addingRounding(_ extra: Double) -> BoundedNumber { BoundedNumber(value, error: error + extra) }

    public static func logGammaGap(_ x: Self, _ y: Self) -> Self { logGammaGap(x, y, difference: y - x) }
    public static func logGammaGap(_ x: Self, _ y: Self, difference: Self) -> Self {
        let value = SpecialFunctions.logGammaGap(x.value, y.value, difference: difference.value)
        let slopeY = SpecialFunctions.digammaDifference(x.value, y.value, difference: difference.value)
        let slopeX = difference.value * SpecialFunctions.trigamma(x.value)
        let propagated = Swift.abs(slopeY) * Swift.max(y.error, difference.error) + Swift.abs(slopeX) * x.error
        return BoundedNumber(value, error: propagated + 16 * u * Swift.abs(value))
    }
    public static func digammaDifference(_ x: Self, _ y: Self, difference: Self) -> Self {
        let value = SpecialFunctions.digammaDifference(x.value, y.value, difference: difference.value)
        let propagated = SpecialFunctions.trigamma(y.value) * y.error + SpecialFunctions.trigamma(x.value) * x.error
        return BoundedNumber(value, error: propagated + 16 * u * Swift.abs(value))
    }
    public static func logBesselI0Gap(_ x: Self, _ y: Self) -> Self {
        let value = ModifiedBessel.logI0Gap(x.value, y.value)
        let ratio = Double.besselRatio(x.value)
        let propagated =
            Swift.abs(Double.besselRatio(y.value) - ratio) * y.error
            + Swift.abs(y.value - x.value) * 0.5 * x.error
        return BoundedNumber(value, error: propagated + 16 * u * Swift.abs(value))
    }
    public static func logBeta(_ a: Self, _ b: Self) -> Self {
        let c = a.value + b.value
        let slopeA = SpecialFunctions.digammaDifference(c, a.value)
        let slopeB = SpecialFunctions.digammaDifference(c, b.value)
        let value = SpecialFunctions.logBeta(a.value, b.value)
        return BoundedNumber(
            value,
            error: Swift.abs(slopeA) * a.error + Swift.abs(slopeB) * b.error + 8 * u * Swift.max(Swift.abs(value), 1))
    }
    public static func logGammaPrefix(_ a: Self, _ x: Self) -> Self {
        let value = SpecialFunctions.logGammaPrefix(a.value, x.value)
        let slopeA = Foundation.log(x.value) - SpecialFunctions.digamma(a.value)
        let slopeX = a.value / x.value - 1
        // Below the Stirling threshold the terms a log x, x and log Γ(a) are added as they are.
        let terms =
            a.value < SpecialFunctions.stirlingThreshold
            ? Swift.abs(a.value * Foundation.log(x.value)) + Swift.abs(x.value) + Swift.abs(Double.logGamma(a.value))
            : Swift.abs(value) + Foundation.log(a.value)
        return BoundedNumber(value, error: Swift.abs(slopeA) * a.error + Swift.abs(slopeX) * x.error + 8 * u * terms)
    }
    public static func logBetaPrefix(_ x: Self, _ a: Self, _ b: Self) -> Self {
        let value = SpecialFunctions.logBetaPrefix(x.value, a.value, b.value)
        let c = a.value + b.value
        let logX = Foundation.log(x.value)
        let log1mX = Foundation.log1p(-x.value)
        let slopeA = logX - SpecialFunctions.digammaDifference(c, a.value)
        let slopeB = log1mX - SpecialFunctions.digammaDifference(c, b.value)
        let slopeX = a.value / x.value - b.value / (1 - x.value)
        let terms =
            Swift.min(a.value, b.value) < SpecialFunctions.stirlingThreshold
            ? Swift.abs(a.value * logX) + Swift.abs(b.value * log1mX)
                + Swift.abs(SpecialFunctions.logBeta(a.value, b.value))
            : Swift.abs(value) + Foundation.log(c)
        let propagated = Swift.abs(slopeA) * a.error + Swift.abs(slopeB) * b.error + Swift.abs(slopeX) * x.error
        return BoundedNumber(value, error: propagated + 8 * u * terms)
    }
    public static func gammaEntropy(_ a: Self) -> Self {
        let slope = 1 + (1 - a.value) * SpecialFunctions.trigamma(a.value)
        return function(SpecialFunctions.gammaEntropy(a.value), slope: slope, a, ulps: 16, floor: 1)
    }
    public static func betaEntropy(_ a: Self, _ b: Self) -> Self {
        let c = a.value + b.value
        let slopeA = (c - 2) * SpecialFunctions.trigamma(c) - (a.value - 1) * SpecialFunctions.trigamma(a.value)
        let slopeB = (c - 2) * SpecialFunctions.trigamma(c) - (b.value - 1) * SpecialFunctions.trigamma(b.value)
        let value = SpecialFunctions.betaEntropy(a.value, b.value)
        return BoundedNumber(
            value,
            error: Swift.abs(slopeA) * a.error + Swift.abs(slopeB) * b.error
                + 16 * u * Swift.max(Swift.abs(value), 1))
    }

    public static func choose(_ condition: Self, _ test: (Double) -> Bool, _ a: Self, _ b: Self) -> Self {
        test(condition.value) ? a : b
    }
    public static func branches(_ condition: Self, _ test: (Double) -> Bool) -> FormulaBranches {
        test(condition.value) ? .all : .none
    }
}
