import Foundation
import Testing

@testable import KLSTensor

/// `BoundedNumber`'s running bound covers the rounding error actually made,
/// against values from mpmath at 40 digits, without being uselessly loose.
@Suite struct BoundedNumberTests {
    /// Σ 1/k for k ≤ 1000 = H₁₀₀₀ (mpmath's harmonic(1000)).
    @Test func aLongSumStaysWithinItsBound() {
        var sum = BoundedNumber(0)
        for k in 1...1000 { sum = sum + 1 / BoundedNumber(Double(k)) }
        let error = abs(sum.value - 7.485_470_860_550_344_912_656_518)
        #expect(error <= sum.error)
        #expect(sum.error < 1e-12)
    }

    /// The textbook Gamma density a log b + (a − 1) log x − bx − log Γ(a) adds
    /// terms of ~100 that cancel to a few units: the bound follows them.
    @Test func cancellingTermsStayWithinTheirBound() {
        let (a, b) = (30.0, 0.566_894_750_488_818_2)
        let references = [
            (20.0, -12.746_146_575_630_486_053_8), (53.25, -3.196_696_629_352_929_690_61),
            (100, -11.424_027_154_147_031_190_4),
        ]
        for (x, truth) in references {
            let (shape, rate, point) = (BoundedNumber(a), BoundedNumber(b), BoundedNumber(x))
            let value =
                shape * BoundedNumber.log(rate) + (shape - 1) * BoundedNumber.log(point) - rate * point
                - BoundedNumber.lgamma(shape)
            let error = abs(value.value - truth)
            #expect(error <= value.error, "at \(x): \(value.value) ± \(value.error), truth \(truth)")
            // Far above the result's own ulp: the terms' rounding, not the result's, sets it.
            #expect(value.error > 10 * truth.ulp)
        }
    }

    /// An input's error propagates through each function's derivative.
    @Test func errorsPropagateThroughDerivatives() {
        let x = BoundedNumber(2, error: 1e-10)
        #expect(abs(BoundedNumber.log(x).error - 0.5e-10) < 1e-12)
        #expect(abs(BoundedNumber.exp(x).error - exp(2) * 1e-10) < 1e-12)
        #expect(abs(BoundedNumber.square(x).error - 4e-10) < 1e-12)
        let unbounded = BoundedNumber(1) / BoundedNumber(0, error: 1e-3)
        #expect(unbounded.value == .infinity && unbounded.error == .infinity)
    }
}
