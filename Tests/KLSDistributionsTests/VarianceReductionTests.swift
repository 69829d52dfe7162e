import Foundation
import KLSDiagnostics
import KLSTensor
import Testing

@testable import KLSDistributions

/// The variance-reduced samplers: honest errors (z-scores against the closed
/// form over many seeds), Sobol's gain, and reproducible seeds.
@Suite struct VarianceReductionTests {
    static func diagonal(_ mean: Double, _ std: Double, _ d: Int) throws -> any Distribution {
        try Independent(
            try Normal([try Tensor(repeating: mean, shape: [d]), try Tensor(repeating: std, shape: [d])]), k: 1,
            name: "DiagNormal")
    }

    /// z = (estimate − exact)/stderr over 200 seeds: mean 0 and variance 1 (a t
    /// with 31 degrees of freedom for Sobol's 32 scrambles: 1.07), each within
    /// 4.5 of its standard errors. q is wider than p, so k3's r = p/q is bounded
    /// (with q narrower its terms' heavy tail skews any sampler's z-scores).
    @Test(arguments: [Sampler.sobol, .antithetic], [Estimator.k1, .k3])
    func zScoresAreStandard(_ sampler: Sampler, _ estimator: Estimator) throws {
        let (q, p) = (try Self.diagonal(0.3, 1.1, 4), try Self.diagonal(0, 1, 4))
        let exact = try KLRegistry.kl(q, p)[flat: 0]
        let runner = try #require(try VarianceReducedMonteCarlo(q: q, p: p))
        var z: [Double] = []
        for seed in 1...200 {
            let m = try runner.run(
                n: 1024, estimator: estimator, sampler: sampler, generator: Philox(seed: UInt64(seed)), start: 0
            ).moments[0]
            z.append((m.mean - exact) / m.standardError)
        }
        Self.expectStandard(z, sampler)
    }

    /// z-scores with mean 0 and variance 1 (a t with 31 degrees of freedom,
    /// 31/29, for Sobol's 32 scrambles), each within 4.5 of its standard errors.
    static func expectStandard(_ z: [Double], _ sampler: Sampler) {
        let count = Double(z.count)
        let mean = z.reduce(0, +) / count
        let variance = z.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (count - 1)
        let expected = sampler == .sobol ? 31.0 / 29 : 1
        #expect(Swift.abs(mean) <= 4.5 * (expected / count).squareRoot(), "mean z \(mean)")
        #expect(Swift.abs(variance - expected) <= 4.5 * expected * (2 / (count - 1)).squareRoot(), "var z \(variance)")
    }

    /// Non-Gaussian scalar q through its inverse cdf: z-scores over 120 seeds
    /// standard (Gamma ‖ Exponential, a closed form), and Sobol's stderr far
    /// below plain draws' at the same n.
    @Test(arguments: [Sampler.sobol, .antithetic]) func inverseCDFDrawsAreHonest(_ sampler: Sampler) throws {
        let s = { (x: Double) in Tensor(scalar: x) }
        let (q, p) = (try Gamma([s(3), s(2)]), try Exponential([s(1)]))
        let exact = try KLRegistry.kl(q, p)[flat: 0]
        let runner = try #require(try VarianceReducedMonteCarlo(q: q, p: p))
        var z: [Double] = []
        for seed in 1...120 {
            let m = try runner.run(
                n: 512, estimator: .k1, sampler: sampler, generator: Philox(seed: UInt64(seed)), start: 0
            ).moments[0]
            z.append((m.mean - exact) / m.standardError)
        }
        Self.expectStandard(z, sampler)
    }

    /// The bisection gives the exact quantile: the smallest double whose cdf
    /// reaches u (so the double below falls short), for families with and
    /// without a closed-form inverse, in a batch.
    @Test func inverseCDFIsTheSmallestDoubleReachingU() throws {
        let s = { (x: Double) in Tensor(scalar: x) }
        let families: [any Distribution] = [
            try Gamma([try Tensor([0.5, 3]), s(2)]), try Beta([s(2), s(5)]), try Exponential([s(2)]),
            try Laplace([s(1), s(0.5)]),
        ]
        let u = try Tensor(shape: [5, 1], values: [1e-9, 0.01, 0.5, 0.77, 1 - 1e-9])
        for q in families {
            let x = try InverseCDF.quantiles(q, u, batch: q.batchShape)
            let reached = try q.cdf(x)
            let before = try q.cdf(try Tensor(shape: x.shape, values: x.values.map { $0.nextDown }))
            let elements = Swift.max(1, q.batchShape.reduce(1, *))
            for i in 0..<x.count {
                let level = u[flat: i / elements]
                #expect(reached[flat: i] >= level && before[flat: i] < level, "\(q.family) at u = \(level)")
            }
        }
    }

    /// On a smooth 16-dimensional pair, Sobol's stderr at n = 16,384 is far
    /// below independent draws' (the bench measures it per second).
    @Test func sobolBeatsPlainDrawsAtTheSameN() throws {
        let (q, p) = (try Self.diagonal(0.1, 0.9, 16), try Self.diagonal(0, 1, 16))
        let runner = try #require(try VarianceReducedMonteCarlo(q: q, p: p))
        let sobol = try runner.run(n: 16_384, estimator: .k1, sampler: .sobol, generator: Philox(seed: 7), start: 0)
        let plain = try MonteCarloEngine(q: q, p: p).run(
            n: 16_384, estimators: [.k1], generator: Philox(seed: 7), start: 0)
        #expect(sobol.moments[0].standardError * 10 < plain.moments[0][0].standardError)
    }

    @Test func aSeedReproducesAndBatchesBroadcast() throws {
        let q = try Normal([try Tensor([0.1, 0.5, -0.2]), try Tensor([0.9, 1.1, 1.3])])
        let p = try Normal([Tensor(scalar: 0), Tensor(scalar: 1)])
        let runner = try #require(try VarianceReducedMonteCarlo(q: q, p: p))
        #expect(runner.batchShape == [3])
        for sampler in [Sampler.sobol, .antithetic] {
            let a = try runner.run(n: 5000, estimator: .k1, sampler: sampler, generator: Philox(seed: 3), start: 0)
            let b = try runner.run(n: 5000, estimator: .k1, sampler: sampler, generator: Philox(seed: 3), start: 0)
            #expect(a.moments.map(\.mean) == b.moments.map(\.mean))
            let exact = try KLRegistry.kl(q, p)
            for i in 0..<3 {
                #expect(Swift.abs(a.moments[i].mean - exact[flat: i]) <= 4.5 * a.moments[i].standardError)
            }
        }
        // Neither Gaussian noise nor an inverse cdf: a discrete q.
        #expect(try VarianceReducedMonteCarlo(q: try Poisson([Tensor(scalar: 3)]), p: p) == nil)
    }

    @Test func multivariateNormalsToo() throws {
        let q = try MvNormal(
            mean: try Tensor([0.2, -0.1]), cov: try Tensor(shape: [2, 2], values: [1, 0.4, 0.4, 0.8]))
        let p = try MvNormal(mean: try Tensor([0, 0]), cov: try Tensor(shape: [2, 2], values: [1, 0, 0, 1]))
        let runner = try #require(try VarianceReducedMonteCarlo(q: q, p: p))
        let exact = try KLRegistry.kl(q, p)[flat: 0]
        for sampler in [Sampler.sobol, .antithetic] {
            let m = try runner.run(n: 20_000, estimator: .k1, sampler: sampler, generator: Philox(seed: 9), start: 0)
            #expect(Swift.abs(m.moments[0].mean - exact) <= 4.5 * m.moments[0].standardError, "\(sampler)")
        }
    }

    /// The fitted λ minimises the variance over the draws, so the control
    /// variate's stderr is at most k1's (λ = 0) and k3's (λ = 1) on the same
    /// draws; and its z-scores over 200 seeds are standard.
    @Test func controlVariateBeatsK1AndK3AndIsHonest() throws {
        for (mean, std) in [(0.05, 1.0), (0.3, 1.1), (1.0, 1.5), (0.2, 0.9)] {
            let (q, p) = (try Self.diagonal(mean, std, 3), try Self.diagonal(0, 1, 3))
            let m = try MonteCarloEngine(q: q, p: p).run(
                n: 20_000, estimators: ControlVariate.terms, generator: Philox(seed: 4), start: 0
            ).moments
            let cv = ControlVariate(m[0][0], m[1][0], m[2][0])
            #expect(cv.standardError <= m[0][0].standardError * (1 + 1e-9), "\(mean) \(std) vs k1")
            #expect(cv.standardError <= m[1][0].standardError * (1 + 1e-9), "\(mean) \(std) vs k3")
        }
        let (q, p) = (try Self.diagonal(0.3, 1.1, 4), try Self.diagonal(0, 1, 4))
        let exact = try KLRegistry.kl(q, p)[flat: 0]
        let engine = try MonteCarloEngine(q: q, p: p)
        var z: [Double] = []
        for seed in 1...200 {
            let m = try engine.run(
                n: 2000, estimators: ControlVariate.terms, generator: Philox(seed: UInt64(seed)), start: 0
            ).moments
            let cv = ControlVariate(m[0][0], m[1][0], m[2][0])
            z.append((cv.value - exact) / cv.standardError)
        }
        let mean = z.reduce(0, +) / 200
        let variance = z.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 199
        #expect(Swift.abs(mean) <= 4.5 * (1.0 / 200).squareRoot(), "mean z \(mean)")
        #expect(Swift.abs(variance - 1) <= 4.5 * (2.0 / 199).squareRoot(), "var z \(variance)")
    }

    /// As q → p the best λ tends to 1 (k3), whose terms then vanish fastest.
    @Test func controlVariateNearPIsK3() throws {
        let (q, p) = (try Self.diagonal(0.01, 1, 2), try Self.diagonal(0, 1, 2))
        let m = try MonteCarloEngine(q: q, p: p).run(
            n: 50_000, estimators: ControlVariate.terms, generator: Philox(seed: 2), start: 0
        ).moments
        #expect(Swift.abs(ControlVariate(m[0][0], m[1][0], m[2][0]).lambda - 1) < 0.05)
    }
}
