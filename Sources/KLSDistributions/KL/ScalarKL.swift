import Foundation
import KLSTensor
import RealModule

/// Closed forms for pairs of the same scalar family.
enum ScalarKL {
    static let rules: [KLRegistry.Entry] = [
        scalarRule(NormalFamily.self) { q, p in gaussian(q.mean, q.std, p.mean, p.std) },
        scalarRule(LogNormalFamily.self) { q, p in gaussian(q.mu, q.sigma, p.mu, p.sigma) },
        // log(bp/bq) + |μq−μp|/bp + (bq/bp)·e^(−|μq−μp|/bq) − 1
        scalarRule(LaplaceFamily.self) { q, p in
            let d = Swift.abs(q.loc - p.loc)
            return Foundation.log(p.scale / q.scale) + d / p.scale + q.scale / p.scale * Foundation.exp(-d / q.scale)
                - 1
        },
        // log(λq/λp) + λp/λq − 1
        scalarRule(ExponentialFamily.self) { q, p in Foundation.log(q.rate / p.rate) + p.rate / q.rate - 1 },
        // (αq−αp)ψ(αq) − lnΓ(αq) + lnΓ(αp) + αp(ln βq − ln βp) + αq(βp − βq)/βq
        scalarRule(GammaFamily.self) { q, p in
            (q.shape - p.shape) * SpecialFunctions.digamma(q.shape) - Double.logGamma(q.shape)
                + Double.logGamma(p.shape)
                + p.shape * (Foundation.log(q.rate) - Foundation.log(p.rate)) + q.shape * (p.rate - q.rate) / q.rate
        },
        // ln B(ap,bp) − ln B(aq,bq) + (aq−ap)ψ(aq) + (bq−bp)ψ(bq) + (ap−aq+bp−bq)ψ(aq+bq)
        scalarRule(BetaFamily.self) { q, p in
            SpecialFunctions.logBeta(p.a, p.b) - SpecialFunctions.logBeta(q.a, q.b)
                + (q.a - p.a) * SpecialFunctions.digamma(q.a) + (q.b - p.b) * SpecialFunctions.digamma(q.b)
                + (p.a - q.a + p.b - q.b) * SpecialFunctions.digamma(q.a + q.b)
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
    static func gaussian(_ mq: Double, _ sq: Double, _ mp: Double, _ sp: Double) -> Double {
        let ratio = sq / sp
        let d = (mq - mp) / sp
        return -Foundation.log(ratio) + 0.5 * (ratio * ratio + d * d) - 0.5
    }

    /// x log y with 0 log anything = 0.
    static func xlogy(_ x: Double, _ y: Double) -> Double {
        x == 0 ? 0 : x * Foundation.log(y)
    }
}
