import Foundation
import KLSDiagnostics
import RealModule

extension SpecialFunctions {
    /// log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b). Each term is ~x log x
    /// for a large shape x while log B is O(log x): from 20 on, with the smaller
    /// s and c = a + b, log Γ(s) − s·ψ(x) − G(x, c) (G = `logGammaGap`); both from
    /// 20, Stirling's series, (a − ½) log(a/c) + (b − ½) log(b/c) + ½ log(2π/c) + Δ(a) + Δ(b) − Δ(c).
    public static func logBeta(_ a: Double, _ b: Double) -> Double {
        let (x, s) = a >= b ? (a, b) : (b, a)
        guard x >= stirlingThreshold, x.isFinite, s > 0 else {
            return Double.logGamma(a) + Double.logGamma(b) - Double.logGamma(a + b)
        }
        let c = a + b
        guard s >= stirlingThreshold else {
            return Double.logGamma(s) - s * digamma(x) - logGammaGap(x, c, difference: s)
        }
        // log(a/c) = −log1p(b/a): exact however lopsided a and b are.
        let logs = -(a - 0.5) * Foundation.log1p(b / a) - (b - 0.5) * Foundation.log1p(a / b)
        let correction = stirlingRemainder(a) + stirlingRemainder(b) - stirlingRemainder(c)
        return logs + 0.5 * Foundation.log(2 * Double.pi / c) + correction
    }

    /// The regularized lower incomplete gamma function P(a, x), a > 0, x ≥ 0:
    /// the series for x < a + 1, else 1 − Q by Lentz's continued fraction
    /// (Numerical Recipes §6.2). Accurate to ~1e-14 relative.
    public static func regularizedGammaP(_ a: Double, _ x: Double) -> Double {
        if x.isNaN || a.isNaN || a <= 0 { return .nan }
        if x <= 0 { return 0 }
        if x == .infinity { return 1 }
        let logPrefix = logGammaPrefix(a, x)
        // Both the series and the continued fraction need about √a terms near x = a.
        let limit = 10_000 + Checked.clamped(100 * a.squareRoot(), to: 0...10_000_000)
        if x < a + 1 {
            var term = 1 / a
            var sum = term
            var n = a
            for _ in 0..<limit {
                n += 1
                term *= x / n
                sum += term
                if Swift.abs(term) < Swift.abs(sum) * 1e-17 { break }
            }
            return Swift.min(1, sum * Foundation.exp(logPrefix))
        }
        return Swift.max(0, 1 - continuedFractionQ(a, x, logPrefix, limit: limit))
    }

    /// The regularized upper incomplete gamma function Q(a, x) = 1 − P(a, x),
    /// keeping its relative accuracy in the upper tail, where 1 − P would round
    /// to 0: the continued fraction itself for x ≥ a + 1.
    public static func regularizedGammaQ(_ a: Double, _ x: Double) -> Double {
        if x.isNaN || a.isNaN || a <= 0 { return .nan }
        if x < a + 1 { return 1 - regularizedGammaP(a, x) }
        if x == .infinity { return 0 }
        let limit = 10_000 + Checked.clamped(100 * a.squareRoot(), to: 0...10_000_000)
        return Swift.min(1, continuedFractionQ(a, x, logGammaPrefix(a, x), limit: limit))
    }

    /// log(xᵃ e⁻ˣ / Γ(a)). For large a the direct form cancels (a log x and x are
    /// both ~1e8 when a = 1e8, leaving 7 digits): it is rewritten with Stirling's
    /// series as −a(λ − 1 − log λ) + ½ log(a/2π) − Δ(a) (`stirlingRemainder`),
    /// λ = x/a, with λ − 1 − log λ from `log1pMinus` (DiDonato & Morris 1986).
    public static func logGammaPrefix(_ a: Double, _ x: Double) -> Double {
        guard a >= stirlingThreshold else { return a * Foundation.log(x) - x - Double.logGamma(a) }
        // All of Δ(a)'s terms: three of them left 1/1680a⁷ out, 3e-14 at a = 30.
        let stirling = stirlingRemainder(a)
        let t = (x - a) / a
        // Far from the mean, 1 + t would round (to 0 for x ≪ a): use the ratio x/a itself.
        let deviation = Swift.abs(t) > 0.5 ? a * Foundation.log(x / a) - (x - a) : a * log1pMinus(t)
        return deviation + 0.5 * Foundation.log(a / (2 * Double.pi)) - stirling
    }

    /// log(1 + t) − t without cancellation near 0, for t > −1.
    ///
    /// With u = t/(2 + t), log(1 + t) = 2 atanh u = 2(u + u³/3 + u⁵/5 + …) and
    /// t − 2u = t·u, so r(t) = −t·u + 2u³(1/3 + u²/5 + …): no cancellation, and
    /// for |t| < 0.5 (|u| ≤ 1/3) 18 terms of the series in u² reach 1e-18.
    public static func log1pMinus(_ t: Double) -> Double {
        guard Swift.abs(t) < 0.5 else { return Foundation.log1p(t) - t }
        let u = t / (2 + t)
        let v = u * u
        // Σ vᵏ/(2k + 3) for k < 18 by Estrin's scheme: a chain of 5 steps, not 17.
        let (v2, v4) = (v * v, v * v * v * v)
        let v8 = v4 * v4
        func pair(_ a: Double, _ b: Double) -> Double { a.addingProduct(v, b) }
        let low = pair(1.0 / 3, 1.0 / 5).addingProduct(v2, pair(1.0 / 7, 1.0 / 9))
            .addingProduct(v4, pair(1.0 / 11, 1.0 / 13).addingProduct(v2, pair(1.0 / 15, 1.0 / 17)))
        let high = pair(1.0 / 19, 1.0 / 21).addingProduct(v2, pair(1.0 / 23, 1.0 / 25))
            .addingProduct(v4, pair(1.0 / 27, 1.0 / 29).addingProduct(v2, pair(1.0 / 31, 1.0 / 33)))
        let series = low.addingProduct(v8, high.addingProduct(v8, pair(1.0 / 35, 1.0 / 37)))
        return (-t * u).addingProduct(2 * u * v, series)
    }

    /// eᵗ − 1 − t without cancellation near 0: for |t| < 0.25 its Taylor series
    /// t²/2! + t³/3! + … to t¹⁶ (the next term below 1e-19 of the sum).
    public static func expm1Minus(_ t: Double) -> Double {
        if t == .infinity { return .infinity }
        guard Swift.abs(t) < 0.25 else { return Foundation.expm1(t) - t }
        var term = t * t / 2
        var sum = term
        for k in 3...16 {
            term *= t / Double(k)
            sum += term
        }
        return sum
    }

    static func continuedFractionQ(_ a: Double, _ x: Double, _ logPrefix: Double, limit: Int) -> Double {
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        for i in 1..<limit {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if Swift.abs(d) < tiny { d = tiny }
            c = b + an / c
            if Swift.abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if Swift.abs(delta - 1) < 1e-16 { break }
        }
        return Foundation.exp(logPrefix) * h
    }

    /// The regularized incomplete beta function I_x(a, b), by its continued
    /// fraction with the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) for fast
    /// convergence (Numerical Recipes §6.4).
    public static func regularizedBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        if x.isNaN || a.isNaN || b.isNaN || a <= 0 || b <= 0 { return .nan }
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront = logBetaPrefix(x, a, b)
        if x < (a + 1) / (a + b + 2) {
            return Foundation.exp(logFront) * betaFraction(x, a, b) / a
        }
        return 1 - Foundation.exp(logFront) * betaFraction(1 - x, b, a) / b
    }

    static func betaFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if Swift.abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1..<10_000 {
            let m = Double(m)
            let m2 = 2 * m
            var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + aa * d
            if Swift.abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if Swift.abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + aa * d
            if Swift.abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if Swift.abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if Swift.abs(delta - 1) < 1e-16 { break }
        }
        return h
    }

    /// Standard normal CDF Φ(x), accurate in both tails.
    public static func normalCDF(_ x: Double) -> Double {
        0.5 * Double.erfc(-x / 1.4142135623730951)
    }
}
