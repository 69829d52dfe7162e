import Foundation
import KLSTensor
import RealModule

/// A family that declares, in its own file, the closed forms it has with other
/// families (the newer families keep their pairs with them).
protocol CrossFamilyKLFamily: ScalarFamily {
    static var crossFamilyKL: [KLRegistry.Entry] { get }
}

/// Closed forms for pairs of different scalar families, the finite ones PyTorch
/// also has. Each is KL(q‖p) = −H(q) − E_q[log p(Z)], where log p is a few terms
/// (z, z², |z − μ|, log z, log(1 − z)) whose expectations under q are known:
/// E[z] and E[z²] from q's moments, E[log z] and E[log(1 − z)] below. Where q's
/// support is not inside p's the answer is +inf, element by element.
enum CrossFamilyKL {
    /// Every cross-family rule: those below, and those a family declares in its own file.
    static var all: [KLRegistry.Entry] {
        rules + ScalarFamilies.all.flatMap { ($0 as? any CrossFamilyKLFamily.Type)?.crossFamilyKL ?? [] }
    }

    static let rules: [KLRegistry.Entry] = [
        crossRule(BetaFamily.self, ExponentialFamily.self) { q, p in
            -BetaFamily.entropy(q) - exponentialLog(p, mean: BetaFamily.mean(q))
        },
        crossRule(BetaFamily.self, GammaFamily.self) { q, p in
            -BetaFamily.entropy(q) - gammaLog(p, mean: BetaFamily.mean(q), meanLog: betaMeanLog(q))
        },
        crossRule(BetaFamily.self, NormalFamily.self) { q, p in
            -BetaFamily.entropy(q) - normalLog(p, mean: BetaFamily.mean(q), variance: BetaFamily.variance(q))
        },
        crossRule(BetaFamily.self, UniformFamily.self) { q, p in
            p.low <= 0 && p.high >= 1 ? -BetaFamily.entropy(q) + Foundation.log(p.high - p.low) : .infinity
        },
        crossRule(ExponentialFamily.self, GammaFamily.self) { q, p in
            let meanLog = -SpecialFunctions.eulerGamma - Foundation.log(q.rate)
            return -ExponentialFamily.entropy(q) - gammaLog(p, mean: 1 / q.rate, meanLog: meanLog)
        },
        crossRule(ExponentialFamily.self, NormalFamily.self) { q, p in
            -ExponentialFamily.entropy(q) - normalLog(p, mean: 1 / q.rate, variance: 1 / (q.rate * q.rate))
        },
        crossRule(GammaFamily.self, ExponentialFamily.self) { q, p in
            -GammaFamily.entropy(q) - exponentialLog(p, mean: GammaFamily.mean(q))
        },
        crossRule(GammaFamily.self, NormalFamily.self) { q, p in
            -GammaFamily.entropy(q) - normalLog(p, mean: GammaFamily.mean(q), variance: GammaFamily.variance(q))
        },
        crossRule(LaplaceFamily.self, NormalFamily.self) { q, p in
            -LaplaceFamily.entropy(q) - normalLog(p, mean: q.loc, variance: 2 * q.scale * q.scale)
        },
        crossRule(NormalFamily.self, LaplaceFamily.self) { q, p in
            -NormalFamily.entropy(q) + Foundation.log(2 * p.scale) + meanAbsolute(q, around: p.loc) / p.scale
        },
        crossRule(UniformFamily.self, BetaFamily.self) { q, p in
            guard q.low >= 0 && q.high <= 1 else { return .infinity }
            let logBeta = Double.logGamma(p.a) + Double.logGamma(p.b) - Double.logGamma(p.a + p.b)
            let expected = (p.a - 1) * uniformMeanLog(q.low, q.high) + (p.b - 1) * uniformMeanLog(1 - q.high, 1 - q.low)
            return -UniformFamily.entropy(q) - expected + logBeta
        },
        crossRule(UniformFamily.self, ExponentialFamily.self) { q, p in
            q.low >= 0 ? -UniformFamily.entropy(q) - exponentialLog(p, mean: UniformFamily.mean(q)) : .infinity
        },
        crossRule(UniformFamily.self, GammaFamily.self) { q, p in
            guard q.low >= 0 else { return .infinity }
            let meanLog = uniformMeanLog(q.low, q.high)
            return -UniformFamily.entropy(q) - gammaLog(p, mean: UniformFamily.mean(q), meanLog: meanLog)
        },
        crossRule(UniformFamily.self, NormalFamily.self) { q, p in
            -UniformFamily.entropy(q) - normalLog(p, mean: UniformFamily.mean(q), variance: UniformFamily.variance(q))
        },
    ]

    /// E[log p(Z)] for p = Normal(μ, σ): −log(σ√(2π)) − (Var Z + (E Z − μ)²) / 2σ².
    static func normalLog(_ p: NormalFamily.Parameters, mean: Double, variance: Double) -> Double {
        let offset = mean - p.mean
        return -Foundation.log(p.std) - Gaussian.logSqrtTwoPi - (variance + offset * offset) / (2 * p.std * p.std)
    }

    /// E[log p(Z)] for p = Exponential(λ), Z ≥ 0: log λ − λ E Z.
    static func exponentialLog(_ p: ExponentialFamily.Parameters, mean: Double) -> Double {
        Foundation.log(p.rate) - p.rate * mean
    }

    /// E[log p(Z)] for p = Gamma(α, β), Z > 0: α log β − log Γ(α) + (α − 1) E log Z − β E Z.
    static func gammaLog(_ p: GammaFamily.Parameters, mean: Double, meanLog: Double) -> Double {
        p.shape * Foundation.log(p.rate) - Double.logGamma(p.shape) + (p.shape - 1) * meanLog - p.rate * mean
    }

    /// E[log Z] for Z ~ Beta(a, b): ψ(a) − ψ(a + b).
    static func betaMeanLog(_ q: BetaFamily.Parameters) -> Double {
        SpecialFunctions.digamma(q.a) - SpecialFunctions.digamma(q.a + q.b)
    }

    /// E[log Z] for Z uniform on [low, high] ⊂ [0, ∞): (h log h − l log l)/(h − l) − 1, with 0 log 0 = 0.
    static func uniformMeanLog(_ low: Double, _ high: Double) -> Double {
        func xLogX(_ x: Double) -> Double { x > 0 ? x * Foundation.log(x) : 0 }
        return (xLogX(high) - xLogX(low)) / (high - low) - 1
    }

    /// E|Z − c| for Z ~ Normal(μ, σ) (the folded normal's mean):
    /// σ√(2/π) e^(−d²/2σ²) + d (1 − 2Φ(−d/σ)), d = μ − c.
    static func meanAbsolute(_ q: NormalFamily.Parameters, around c: Double) -> Double {
        let d = q.mean - c
        let z = d / q.std
        return q.std * (2 / Double.pi).squareRoot() * Foundation.exp(-0.5 * z * z)
            + d * (1 - 2 * SpecialFunctions.normalCDF(-z))
    }
}
