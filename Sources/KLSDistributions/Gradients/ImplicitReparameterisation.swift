import Foundation
import KLSTensor

/// Implicit reparameterisation gradients (Figurnov, Mohamed & Mnih 2018) for
/// Gamma, Beta and StudentT's df, whose draws are no smooth function of
/// parameter-free noise.
/// Along a draw the CDF stays put, F(z; θ) = u, so dz/dθ = −(∂F/∂θ)(z; θ) / p(z; θ).
///
/// Gamma's ∂F/∂α comes from differentiating P's series and Q's continued
/// fraction term by term (`gammaShape`). For Beta and StudentT ∂F/∂θ is taken
/// in whichever tail is below ½ — F itself, or 1 − F, which
/// the incomplete functions give without cancellation — as that tail's value
/// times the θ-derivative of its logarithm. The derivative is a central
/// difference extrapolated by Richardson (steps h and 2h, h = 10⁻³ θ, error
/// O(h⁴) ≈ 10⁻¹² relative, rounding ≈ 10⁻¹¹), and the tail over the density is
/// formed from logarithms, so draws far in either tail keep their digits. A
/// draw where the tail underflows (beyond 10⁻³⁰⁰) contributes no gradient.
public enum ImplicitReparameterisation {
    /// dx/dα for x ~ Gamma(α, 1), from the same expansions that give P(α, x),
    /// differentiated term by term in α (no differences):
    /// - x < α + 1, the series P = xᵅe⁻ˣ/Γ(α+1) · S, S = Σ cₙ, cₙ = Πₖ≤ₙ x/(α+k):
    ///   P/p = xS/α and ∂log P/∂α = log x − ψ(α+1) − T/S with T = Σ cₙ hₙ,
    ///   hₙ = Σₖ≤ₙ 1/(α+k), so dx/dα = −(x/α)(S (log x − ψ(α+1)) − T);
    /// - otherwise Q = xᵅe⁻ˣ/Γ(α) · h with h Lentz's continued fraction, carried
    ///   with its derivative h′ through the recurrence: Q/p = x h and
    ///   dx/dα = x (h (log x − ψ(α)) + h′).
    public static func gammaShape(_ x: Double, _ alpha: Double) -> Double {
        guard x > 0, x.isFinite else { return 0 }
        let limit = 10_000 + Int(Swift.min(100 * alpha.squareRoot(), 10_000_000))
        let logX = Foundation.log(x)
        if x < alpha + 1 {
            var (term, sum, weighted, harmonic) = (1.0, 1.0, 0.0, 0.0)
            var k = alpha
            for _ in 0..<limit {
                k += 1
                term *= x / k
                harmonic += 1 / k
                sum += term
                weighted += term * harmonic
                if term < sum * 1e-17 && term * harmonic < Swift.abs(weighted) * 1e-17 { break }
            }
            return finite(-(x / alpha) * (sum * (logX - SpecialFunctions.digamma(alpha + 1)) - weighted))
        }
        let (h, slope) = continuedFractionWithSlope(alpha, x, limit: limit)
        return finite(x * (h * (logX - SpecialFunctions.digamma(alpha)) + slope))
    }

    /// Lentz's continued fraction for Q(α, x)·Γ(α)/(xᵅe⁻ˣ) (Numerical Recipes
    /// §6.2) and its derivative in α, each step differentiated alongside.
    static func continuedFractionWithSlope(_ a: Double, _ x: Double, limit: Int) -> (Double, Double) {
        let tiny = 1e-300
        var b = x + 1 - a
        var (c, dc) = (1 / tiny, 0.0)
        var (d, dd) = (1 / b, 1 / (b * b))
        var (h, dh) = (d, dd)
        for i in 1..<limit {
            let n = Double(i)
            let (an, dan) = (-n * (n - a), n)
            b += 2
            var denominator = an * d + b
            var dDenominator = dan * d + an * dd - 1
            if Swift.abs(denominator) < tiny { (denominator, dDenominator) = (tiny, 0) }
            var next = b + an / c
            var dNext = -1 + dan / c - an * dc / (c * c)
            if Swift.abs(next) < tiny { (next, dNext) = (tiny, 0) }
            (c, dc) = (next, dNext)
            (d, dd) = (1 / denominator, -dDenominator / (denominator * denominator))
            let delta = d * c
            let dDelta = dd * c + d * dc
            (h, dh) = (h * delta, dh * delta + h * dDelta)
            if Swift.abs(delta - 1) < 1e-16 { break }
        }
        return (h, dh)
    }

    /// (dz/da, dz/db) for z ~ Beta(a, b). The upper tail is I₁₋z(b, a).
    public static func beta(_ z: Double, _ a: Double, _ b: Double) -> (Double, Double) {
        let logDensity = BetaFamily.logpdf(z, BetaFamily.Parameters(a, b, 0))
        let lower = SpecialFunctions.regularizedBeta(z, a, b)
        if lower <= 0.5 {
            let ratio = Foundation.exp(Foundation.log(lower) - logDensity)
            let slopeA = logSlope(a) { Foundation.log(SpecialFunctions.regularizedBeta(z, $0, b)) }
            let slopeB = logSlope(b) { Foundation.log(SpecialFunctions.regularizedBeta(z, a, $0)) }
            return (finite(-ratio * slopeA), finite(-ratio * slopeB))
        }
        let w = 1 - z
        let upper = SpecialFunctions.regularizedBeta(w, b, a)
        let ratio = Foundation.exp(Foundation.log(upper) - logDensity)
        let slopeA = logSlope(a) { Foundation.log(SpecialFunctions.regularizedBeta(w, b, $0)) }
        let slopeB = logSlope(b) { Foundation.log(SpecialFunctions.regularizedBeta(w, $0, a)) }
        return (finite(ratio * slopeA), finite(ratio * slopeB))
    }

    /// dt/dν for t ~ StudentT(ν, 0, 1). The tail beyond |t|, T = ½ I_{ν/(ν + t²)}(ν/2, ½),
    /// is the smaller one; F = 1 − T for t > 0 and T for t < 0, so dt/dν = sign(t) T ∂log T/∂ν / p(t).
    public static func studentT(_ t: Double, _ nu: Double) -> Double {
        guard t != 0 else { return 0 }
        let tail = { (v: Double) in Foundation.log(0.5 * SpecialFunctions.regularizedBeta(v / (v + t * t), v / 2, 0.5))
        }
        let logDensity =
            UnaryFunction.lgamma((nu + 1) / 2) - UnaryFunction.lgamma(nu / 2) - 0.5 * Foundation.log(nu * Double.pi)
            - (nu + 1) / 2 * Foundation.log1p(t * t / nu)
        let ratio = Foundation.exp(tail(nu) - logDensity)
        return finite((t > 0 ? 1 : -1) * ratio * logSlope(nu, tail))
    }

    /// f′(θ) ≈ (8(f(θ + h) − f(θ − h)) − (f(θ + 2h) − f(θ − 2h))) / 12h, h = 10⁻³ θ.
    static func logSlope(_ theta: Double, _ f: (Double) -> Double) -> Double {
        let h = 1e-3 * theta
        return (8 * (f(theta + h) - f(theta - h)) - (f(theta + 2 * h) - f(theta - 2 * h))) / (12 * h)
    }

    private static func finite(_ x: Double) -> Double { x.isFinite ? x : 0 }
}
