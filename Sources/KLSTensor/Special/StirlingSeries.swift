import Foundation
import RealModule

/// Large-argument forms that keep their digits where the textbook formulas
/// cancel: log Γ(a) and ψ(a) are each ~a log a, while densities, entropies and
/// incomplete-function prefixes built from them are O(1). Each rewrites the
/// combination with Stirling's series so that the large terms cancel exactly,
/// on paper (DiDonato & Morris, "Significant digit computation of the
/// incomplete beta function ratios", ACM TOMS 18, 1992: BRCOMP and BCORR).
extension SpecialFunctions {
    /// Arguments from which the series below are used: their first omitted
    /// terms are below 1e-16 relative there.
    public static let stirlingThreshold = 20.0

    /// log Γ(x) − [(x − ½) log x − x + ½ log 2π], x ≥ 20: the Stirling remainder
    /// 1/12x − 1/360x³ + 1/1260x⁵ − 1/1680x⁷ + 1/1188x⁹.
    public static func stirlingRemainder(_ x: Double) -> Double {
        let s = 1 / (x * x)
        return (1.0 / 12 - s * (1.0 / 360 - s * (1.0 / 1260 - s * (1.0 / 1680 - s / 1188)))) / x
    }

    /// log x − 1/2x − ψ(x), x ≥ 20: 1/12x² − 1/120x⁴ + 1/252x⁶ − 1/240x⁸ + 1/132x¹⁰.
    static func digammaRemainder(_ x: Double) -> Double {
        let s = 1 / (x * x)
        return s * (1.0 / 12 - s * (1.0 / 120 - s * (1.0 / 252 - s * (1.0 / 240 - s / 132))))
    }

    /// log(xᵃ (1 − x)ᵇ / B(a, b)) for 0 < x < 1. From a, b ≥ 20, DiDonato and
    /// Morris's form: with λ = a − (a + b)x,
    /// −a·r(−λ/a) − b·r(λ/b) + ½ log(ab/2π(a + b)) − [Δ(a) + Δ(b) − Δ(a + b)],
    /// r(e) = e − log(1 + e) and Δ the Stirling remainder.
    public static func logBetaPrefix(_ x: Double, _ a: Double, _ b: Double) -> Double {
        guard Swift.min(a, b) >= stirlingThreshold else {
            return a * Foundation.log(x) + b * Foundation.log1p(-x) - logBeta(a, b)
        }
        let c = a + b
        let lambda = a - c * x
        // r(e) by its series near 0; far from the mean, from the ratios x/x₀ and
        // y/y₀ themselves, whose logs 1 + e would lose (as BRCOMP does past |e| = 0.6).
        let e = -lambda / a
        let f = lambda / b
        let u = Swift.abs(e) > 0.6 ? Foundation.log(x * c / a) - e : log1pMinus(e)
        let v = Swift.abs(f) > 0.6 ? Foundation.log1p(-x) + Foundation.log(c / b) - f : log1pMinus(f)
        let deviation = a * u + b * v
        let correction = stirlingRemainder(a) + stirlingRemainder(b) - stirlingRemainder(c)
        return deviation + 0.5 * Foundation.log(a * b / (2 * Double.pi * c)) - correction
    }

    /// The entropy of Gamma(a, 1): a + log Γ(a) + (1 − a)ψ(a). From a ≥ 20,
    /// ½(1 + log 2πa) + Δ(a) − 1/2a + (a − 1)·(log a − 1/2a − ψ(a)).
    public static func gammaEntropy(_ a: Double) -> Double {
        guard a >= stirlingThreshold else { return a + Double.logGamma(a) + (1 - a) * digamma(a) }
        return 0.5 * (1 + Foundation.log(2 * Double.pi * a)) + stirlingRemainder(a) - 0.5 / a
            + (a - 1) * digammaRemainder(a)
    }

    /// The entropy of Beta(a, b): log B(a, b) − (a − 1)ψ(a) − (b − 1)ψ(b) + (a + b − 2)ψ(a + b).
    /// From a, b ≥ 20, with c = a + b: ½ log(2πab/c³) + ½ − 1/2a − 1/2b + 1/c
    /// + Δ(a) + Δ(b) − Δ(c) + (a − 1)R(a) + (b − 1)R(b) − (c − 2)R(c), R(x) = log x − 1/2x − ψ(x).
    public static func betaEntropy(_ a: Double, _ b: Double) -> Double {
        guard Swift.min(a, b) >= stirlingThreshold else {
            return logBeta(a, b) - (a - 1) * digamma(a) - (b - 1) * digamma(b) + (a + b - 2) * digamma(a + b)
        }
        let c = a + b
        let logs = 0.5 * (Foundation.log(2 * Double.pi * a / c) + Foundation.log(b / c) - Foundation.log(c))
        let reciprocals = 0.5 - 0.5 / a - 0.5 / b + 1 / c
        let stirling = stirlingRemainder(a) + stirlingRemainder(b) - stirlingRemainder(c)
        let digammas = (a - 1) * digammaRemainder(a) + (b - 1) * digammaRemainder(b) - (c - 2) * digammaRemainder(c)
        return logs + reciprocals + stirling + digammas
    }

    /// log Γ(y) − log Γ(x) − (y − x)ψ(x), the gap KL between two Gammas or two
    /// Betas is made of: O((y − x)²/x) while each term is ~x log x. From
    /// x, y ≥ 20, with δ = y − x and ε = δ/x:
    /// x[r(ε) + ε log(1 + ε)] − ½ log(1 + ε) + δ/2x + δR(x) + Δ(y) − Δ(x), r(ε) = log(1 + ε) − ε.
    public static func logGammaGap(_ x: Double, _ y: Double) -> Double {
        guard Swift.min(x, y) >= stirlingThreshold else {
            return Double.logGamma(y) - Double.logGamma(x) - (y - x) * digamma(x)
        }
        let delta = y - x
        let epsilon = delta / x
        let log1pEpsilon = Foundation.log1p(epsilon)
        return x * (log1pMinus(epsilon) + epsilon * log1pEpsilon) - 0.5 * log1pEpsilon + delta / (2 * x)
            + delta * digammaRemainder(x) + (stirlingRemainder(y) - stirlingRemainder(x))
    }
}
