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
        guard Swift.min(a, b) >= stirlingThreshold else { return betaEntropyByGap(a, b) }
        let c = a + b
        let logs = 0.5 * (Foundation.log(2 * Double.pi * a / c) + Foundation.log(b / c) - Foundation.log(c))
        let reciprocals = 0.5 - 0.5 / a - 0.5 / b + 1 / c
        let stirling = stirlingRemainder(a) + stirlingRemainder(b) - stirlingRemainder(c)
        let digammas = (a - 1) * digammaRemainder(a) + (b - 1) * digammaRemainder(b) - (c - 2) * digammaRemainder(c)
        return logs + reciprocals + stirling + digammas
    }

    /// log Γ(y) − log Γ(x) − (y − x)ψ(x), the gap KL between two Gammas or two
    /// Betas is made of: O((y − x)²/x) while each term is ~x log x, so every
    /// first-order term is cancelled on paper, not in rounding. Below 20 the
    /// recurrence log Γ(x + 1) = log Γ(x) + log x lifts both arguments, leaving
    /// −Σ r(δ/(x + k)) (r(t) = log(1 + t) − t ≤ 0, one sign, no cancellation);
    /// from 20, with δ = y − x, ε = δ/x and Δ the Stirling remainder:
    /// x[r(ε) + ε log(1 + ε)] − ½ r(ε) + [Δ(y) − Δ(x) − δΔ′(x)], the last term
    /// term by term from Δ's series (each x⁻ᵐ[(1 + ε)⁻ᵐ − 1 + mε] as
    /// x⁻ᵐ[e₂(−m log(1 + ε)) − m r(ε)], e₂(z) = eᶻ − 1 − z). `difference` is δ
    /// when the caller has it exactly (y and x themselves may be rounded sums).
    public static func logGammaGap(_ x: Double, _ y: Double, difference: Double? = nil) -> Double {
        // One argument +inf and the other positive: log Γ's growth dominates, +inf (not inf − inf).
        if x > 0, y > 0, x.isFinite != y.isFinite { return .infinity }
        guard x > 0, y > 0, x.isFinite, y.isFinite else {
            return Double.logGamma(y) - Double.logGamma(x) - (y - x) * digamma(x)
        }
        let delta = difference ?? (y - x)
        let lift = liftToStirling(Swift.min(x, y))
        var lifted = 0.0
        for k in 0..<lift {
            let shift = Double(k)
            lifted += Double.log1pMinusRatio(y + shift, x + shift, t: delta / (x + shift))
        }
        let shift = Double(lift)
        return stirlingGap(x + shift, y + shift, delta: delta) - lifted
    }

    /// `logGammaGap` for x, y ≥ 20 (the form in its comment).
    static func stirlingGap(_ x: Double, _ y: Double, delta: Double) -> Double {
        let epsilon = delta / x
        // log(1 + ε) and r(ε) from ε near 0, from the ratio y/x far from it (1 + ε rounds there).
        let near = Double.isNearOne(epsilon)
        let logRatio = Double.logRatio(y, x, t: epsilon)
        let r = Double.log1pMinusRatio(y, x, t: epsilon)
        var remainder = 0.0
        let inverseSquare = 1 / (x * x)
        var power = 1 / x
        for (index, coefficient) in stirlingCoefficients.enumerated() {
            let m = Double(2 * index + 1)
            // Far apart the terms do not cancel, and y⁻ᵐ − x⁻ᵐ + mδx⁻ᵐ⁻¹ as written cannot
            // overflow the way (y/x)⁻ᵐ can.
            remainder +=
                near
                ? coefficient * power * (expm1Minus(-m * logRatio) - m * r)
                : coefficient * (Foundation.pow(y, -m) - power + m * epsilon * power)
            power *= inverseSquare
        }
        return x * (r + epsilon * logRatio) - 0.5 * r + remainder
    }

    /// The entropy of Beta(a, b) with a shape below 20, the larger shape x and
    /// the smaller s, c = a + b: log Γ(s) − (s − 1)ψ(s) − G(x, c) + (c − 2)[ψ(c) −
    /// ψ(x)] − ψ(x), G = `logGammaGap`. With x = 1e10 and s = 2 the textbook
    /// terms are ~1e11 and cancel to ~−21; here none exceeds ψ(x).
    static func betaEntropyByGap(_ a: Double, _ b: Double) -> Double {
        let (x, s) = a >= b ? (a, b) : (b, a)
        guard x.isFinite, s > 0 else {
            return logBeta(a, b) - (a - 1) * digamma(a) - (b - 1) * digamma(b) + (a + b - 2) * digamma(a + b)
        }
        let c = a + b
        let own = Double.logGamma(s) - (s - 1) * digamma(s)
        return own - logGammaGap(x, c, difference: s) + (c - 2) * digammaDifference(x, c, difference: s)
            - digamma(x)
    }

    /// ψ(y) − ψ(x) for x, y > 0 without cancellation: from 20 on,
    /// log(y/x) − ½(1/y − 1/x) − [R(y) − R(x)], R(x) = log x − 1/2x − ψ(x); below,
    /// ψ(x) = ψ(x + 1) − 1/x lifts both, leaving Σ δ/((x + k)(y + k)), one sign.
    /// `difference` is y − x when the caller has it exactly.
    public static func digammaDifference(_ x: Double, _ y: Double, difference: Double? = nil) -> Double {
        guard x > 0, y > 0, x.isFinite, y.isFinite else { return digamma(y) - digamma(x) }
        let delta = difference ?? (y - x)
        let lift = liftToStirling(Swift.min(x, y))
        var lifted = 0.0
        for k in 0..<lift {
            let shift = Double(k)
            lifted += delta / ((x + shift) * (y + shift))
        }
        let (lx, ly) = (x + Double(lift), y + Double(lift))
        let epsilon = delta / lx
        let logRatio = Double.logRatio(ly, lx, t: epsilon)
        // R(y) − R(x) = Σ rₖ x⁻ᵐ[(y/x)⁻ᵐ − 1], m = 2k, each bracket by expm1: no cancellation.
        var remainders = 0.0
        let inverseSquare = 1 / (lx * lx)
        var power = inverseSquare
        for (index, coefficient) in digammaCoefficients.enumerated() {
            remainders += coefficient * power * Foundation.expm1(-Double(2 * index + 2) * logRatio)
            power *= inverseSquare
        }
        return logRatio + 0.5 * delta / (lx * ly) - remainders + lifted
    }

    /// R(x) = Σ rₖ x^−2k: `digammaRemainder`'s coefficients.
    static let digammaCoefficients = [1.0 / 12, -1.0 / 120, 1.0 / 252, -1.0 / 240, 1.0 / 132]

    /// How many steps of the recurrence lift x > 0 to the Stirling threshold:
    /// at most 20, and 0 from the threshold on (however large x is).
    static func liftToStirling(_ x: Double) -> Int {
        x >= stirlingThreshold ? 0 : Int((stirlingThreshold - x).rounded(.up))
    }

    /// Δ(x) = Σ cₖ x^−(2k−1): the Stirling remainder's coefficients.
    static let stirlingCoefficients = [1.0 / 12, -1.0 / 360, 1.0 / 1260, -1.0 / 1680, 1.0 / 1188]
}
