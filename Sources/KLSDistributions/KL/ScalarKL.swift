import Foundation
import KLSTensor
import RealModule

/// Closed forms for pairs of the same scalar family.
enum ScalarKL {
    static let rules: [KLRegistry.Entry] = [
        scalarRule(NormalFamily.self) { q, p in gaussian(q.mean, q.std, p.mean, p.std) },
        scalarRule(LogNormalFamily.self) { q, p in gaussian(q.mu, q.sigma, p.mu, p.sigma) },
        // log(bp/bq) + |μq−μp|/bp + (bq/bp)·e^(−|μq−μp|/bq) − 1, written as
        // −r(ρ − 1) + d/bp + ρ·expm1(−d/bq) with ρ = bq/bp, r(t) = log(1+t) − t:
        // no cancellation when q ≈ p.
        scalarRule(LaplaceFamily.self) { q, p in
            let d = Swift.abs(q.loc - p.loc)
            let ratio = q.scale / p.scale
            return -SpecialFunctions.log1pMinus((q.scale - p.scale) / p.scale) + d / p.scale
                + ratio * Foundation.expm1(-d / q.scale)
        },
        // log(λq/λp) + λp/λq − 1 = −r(λp/λq − 1)
        scalarRule(ExponentialFamily.self) { q, p in -SpecialFunctions.log1pMinus((p.rate - q.rate) / q.rate) },
        // (αq−αp)ψ(αq) − lnΓ(αq) + lnΓ(αp) + αp(ln βq − ln βp) + αq(βp − βq)/βq, as the
        // log Γ gap (exact for large shapes) and −αq·r(ρ) − (αp − αq)·log(1 + ρ), ρ = βp/βq − 1.
        scalarRule(GammaFamily.self) { q, p in
            let rho = (p.rate - q.rate) / q.rate
            return SpecialFunctions.logGammaGap(q.shape, p.shape) - q.shape * SpecialFunctions.log1pMinus(rho)
                - (p.shape - q.shape) * Foundation.log1p(rho)
        },
        // ln B(ap,bp) − ln B(aq,bq) + (aq−ap)ψ(aq) + (bq−bp)ψ(bq) + (ap−aq+bp−bq)ψ(aq+bq):
        // the log Γ gaps of a and b less that of a + b.
        scalarRule(BetaFamily.self) { q, p in
            SpecialFunctions.logGammaGap(q.a, p.a) + SpecialFunctions.logGammaGap(q.b, p.b)
                - SpecialFunctions.logGammaGap(q.a + q.b, p.a + p.b)
        },
        // log((hp−lp)/(hq−lq)) when q's support lies inside p's, else inf.
        scalarRule(UniformFamily.self) { q, p in
            q.low >= p.low && q.high <= p.high ? Foundation.log((p.high - p.low) / (q.high - q.low)) : .infinity
        },
        // q log(q/p) + (1−q) log((1−q)/(1−p)), with 0 log 0 = 0.
        scalarRule(BernoulliFamily.self) { q, p in
            xlogy(q.p, q.p / p.p) + xlogy(1 - q.p, (1 - q.p) / (1 - p.p))
        },
    ]

    /// KL between N(μq, σq²) and N(μp, σp²).
    /// −log ρ + (ρ² − 1)/2 + d²/2 with ρ = σq/σp, as −r(ε) + ε²/2 + d²/2, ε = ρ − 1,
    /// r(t) = log(1+t) − t: keeps its digits when q ≈ p.
    static func gaussian(_ mq: Double, _ sq: Double, _ mp: Double, _ sp: Double) -> Double {
        let epsilon = (sq - sp) / sp
        let d = (mq - mp) / sp
        return -SpecialFunctions.log1pMinus(epsilon) + 0.5 * epsilon * epsilon + 0.5 * d * d
    }

    /// x log y with 0 log anything = 0.
    static func xlogy(_ x: Double, _ y: Double) -> Double {
        x == 0 ? 0 : x * Foundation.log(y)
    }
}
