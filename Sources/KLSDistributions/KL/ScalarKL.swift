import Foundation
import KLSTensor
import RealModule

/// Closed forms for pairs of the same scalar family.
enum ScalarKL {
    static let rules: [KLRegistry.Entry] = [
        scalarRule(NormalFamily.self) { q, p in gaussian(q.a, q.b, p.a, p.b) },
        scalarRule(LogNormalFamily.self) { q, p in gaussian(q.a, q.b, p.a, p.b) },
        // log(bp/bq) + |μq−μp|/bp + (bq/bp)·e^(−|μq−μp|/bq) − 1
        scalarRule(LaplaceFamily.self) { q, p in
            let d = Swift.abs(q.a - p.a)
            return Foundation.log(p.b / q.b) + d / p.b + q.b / p.b * Foundation.exp(-d / q.b) - 1
        },
        // log(λq/λp) + λp/λq − 1
        scalarRule(ExponentialFamily.self) { q, p in Foundation.log(q.a / p.a) + p.a / q.a - 1 },
        // (αq−αp)ψ(αq) − lnΓ(αq) + lnΓ(αp) + αp(ln βq − ln βp) + αq(βp − βq)/βq
        scalarRule(GammaFamily.self) { q, p in
            (q.a - p.a) * SpecialFunctions.digamma(q.a) - Double.logGamma(q.a) + Double.logGamma(p.a)
                + p.a * (Foundation.log(q.b) - Foundation.log(p.b)) + q.a * (p.b - q.b) / q.b
        },
        // ln B(ap,bp) − ln B(aq,bq) + (aq−ap)ψ(aq) + (bq−bp)ψ(bq) + (ap−aq+bp−bq)ψ(aq+bq)
        scalarRule(BetaFamily.self) { q, p in
            SpecialFunctions.logBeta(p.a, p.b) - SpecialFunctions.logBeta(q.a, q.b)
                + (q.a - p.a) * SpecialFunctions.digamma(q.a) + (q.b - p.b) * SpecialFunctions.digamma(q.b)
                + (p.a - q.a + p.b - q.b) * SpecialFunctions.digamma(q.a + q.b)
        },
        // log((hp−lp)/(hq−lq)) when q's support lies inside p's, else inf.
        scalarRule(UniformFamily.self) { q, p in
            q.a >= p.a && q.b <= p.b ? Foundation.log((p.b - p.a) / (q.b - q.a)) : .infinity
        },
        // q log(q/p) + (1−q) log((1−q)/(1−p)), with 0 log 0 = 0.
        scalarRule(BernoulliFamily.self) { q, p in
            xlogy(q.a, q.a / p.a) + xlogy(1 - q.a, (1 - q.a) / (1 - p.a))
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
