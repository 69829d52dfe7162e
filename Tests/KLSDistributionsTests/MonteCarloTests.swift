import Foundation
import KLSDiagnostics
import KLSTensor
import Testing

@testable import KLSDistributions

@Suite struct MonteCarloTests {
    static func diagonal(_ mean: [Double], _ std: [Double]) throws -> Independent {
        try Independent(try Normal([try Tensor(mean), try Tensor(std)]), k: 1, name: "DiagNormal")
    }

    /// Estimates agree with the closed form within 4.5 standard errors, on the
    /// fused Gaussian path and on the generic path.
    @Test func estimatesAgreeWithClosedForms() throws {
        let pairs: [(any Distribution, any Distribution)] = [
            (
                try MonteCarloTests.diagonal([0.5, -1, 0.2], [1, 0.6, 1.3]),
                try MonteCarloTests.diagonal([0, 0, 0], [1, 1, 1])
            ),
            (try Gamma([Tensor(scalar: 2), Tensor(scalar: 1)]), try Gamma([Tensor(scalar: 3), Tensor(scalar: 2)])),
            (try Beta([Tensor(scalar: 2), Tensor(scalar: 3)]), try Beta([Tensor(scalar: 1.5), Tensor(scalar: 1)])),
            (
                try MvNormal(mean: try Tensor([0.2, 0]), cov: try Tensor(shape: [2, 2], values: [1, 0.3, 0.3, 1])),
                try MonteCarloTests.diagonal([0, 0], [1, 1])
            ),
        ]
        for (q, p) in pairs {
            let exact = try KLRegistry.kl(q, p)[flat: 0]
            let engine = try MonteCarloEngine(q: q, p: p)
            let moments = try engine.run(
                n: 200_000, estimators: Estimator.allCases, generator: Philox(seed: 5), start: 0
            ).moments
            for (e, estimator) in Estimator.allCases.enumerated() where estimator != .k2 {
                let m = moments[e][0]
                #expect(
                    abs(m.mean - exact) < 4.5 * m.standardError,
                    "\(q.family) \(estimator): \(m.mean) ± \(m.standardError) vs \(exact)")
            }
        }
    }

    /// The same seed gives the same estimate whatever the thread count, and the
    /// first m log-ratios do not depend on n (draw i depends only on i).
    @Test func reproducibleAcrossThreadsAndChunking() throws {
        let q = try MonteCarloTests.diagonal([0.3, -0.2], [0.9, 1.1])
        let p = try MonteCarloTests.diagonal([0, 0], [1, 1])
        let engine = try MonteCarloEngine(q: q, p: p)
        let one = try Parallel.withWorkers(1) {
            try engine.run(n: 50_000, estimators: [.k1], generator: Philox(seed: 8), start: 0)
        }
        let two = try Parallel.withWorkers(2) {
            try engine.run(n: 50_000, estimators: [.k1], generator: Philox(seed: 8), start: 0)
        }
        #expect(one.moments[0][0].mean == two.moments[0][0].mean)
        #expect(one.moments[0][0].m2 == two.moments[0][0].m2)
        let short = try engine.run(n: 10_001, estimators: [.k1], generator: Philox(seed: 8), start: 0, keepTerms: true)
            .logRatios
        let long = try engine.run(n: 30_000, estimators: [.k1], generator: Philox(seed: 8), start: 0, keepTerms: true)
            .logRatios
        let a = try #require(short)
        let b = try #require(long)
        for i in 0..<a.count { #expect(a[flat: i] == b[flat: i]) }
        // The generic path draws the same numbers as sampling q directly.
        let z = try q.sample(10, generator: Philox(seed: 8), start: 0)
        let direct = try Tensor.binary(.subtract, try q.logpdf(z), try p.logpdf(z))
        for i in 0..<10 { #expect(abs(direct[flat: i] - b[flat: i]) < 1e-12) }
    }

    /// The fused multivariate kernel gives the log-ratios of sampling q and
    /// evaluating both densities, draw for draw.
    @Test func fusedMultivariateKernelMatchesTheGenericPath() throws {
        let q = try MvNormal(
            mean: try Tensor([0.2, 0, -0.1]),
            cov: try Tensor(shape: [3, 3], values: [1, 0.3, 0.1, 0.3, 2, 0.4, 0.1, 0.4, 0.5]))
        for p in [
            try MonteCarloTests.diagonal([0, 0, 0], [1, 1, 1]) as any Distribution,
            try MvNormal(
                mean: try Tensor([0, 0.5, -0.5]),
                cov: try Tensor(shape: [3, 3], values: [2, -0.2, 0, -0.2, 1, 0.3, 0, 0.3, 1.5])),
        ] {
            let engine = try MonteCarloEngine(q: q, p: p)
            #expect(engine.fused is MultivariateGaussianKernel)
            let fused = try #require(
                try engine.run(n: 100, estimators: [.k1], generator: Philox(seed: 4), start: 0, keepTerms: true)
                    .logRatios)
            let z = try q.sample(100, generator: Philox(seed: 4), start: 0)
            let direct = try Tensor.binary(.subtract, try q.logpdf(z), try p.logpdf(z))
            for i in 0..<100 { #expect(abs(fused[flat: i] - direct[flat: i]) < 1e-12) }
        }
    }

    @Test func checkFindsTheWrongStd() throws {
        let q = try MonteCarloTests.diagonal([0, 0], [1, 1])
        let good = try q.sample(2000, generator: Philox(seed: 1), start: 0)
        let fine = try SampleCheck(good, q)
        #expect(fine.ok)
        let bad = try Tensor.binary(.multiply, good, scalar: 0.01, scalarOnLeft: false)
        let wrong = try SampleCheck(bad, q)
        #expect(!wrong.ok)
        #expect(wrong.verdict.hasPrefix("std is 0.0099× what DiagNormal implies"))
        #expect(wrong.stdRatio.allSatisfy { abs($0 - 0.01) < 0.001 })
        let shifted = try SampleCheck(try Tensor.binary(.add, good, scalar: 0.5, scalarOnLeft: false), q)
        #expect(!shifted.ok && shifted.verdict.hasPrefix("mean is"))
    }

    @Test func kolmogorovPValues() {
        // Reference: scipy.special.kolmogorov(λ) for the asymptotic distribution.
        #expect(abs(SampleCheck.kolmogorovPValue(1.0 / (10_000.0).squareRoot(), n: 10_000) - 0.2700) < 2e-3)
        #expect(SampleCheck.kolmogorovPValue(0.001, n: 100) == 1)
        #expect(SampleCheck.kolmogorovPValue(0.5, n: 1000) < 1e-100)
    }

    @Test func momentsCombineLikeOnePass() {
        let values = (0..<1000).map { sin(Double($0)) * 1e6 + 1e9 }
        var merged = Moments()
        for chunk in stride(from: 0, to: 1000, by: 137) {
            let part = Array(values[chunk..<min(chunk + 137, 1000)])
            merged.merge(part.withUnsafeBufferPointer { Moments($0.baseAddress!, part.count) })
        }
        let whole = values.withUnsafeBufferPointer { Moments($0.baseAddress!, 1000) }
        #expect(abs(merged.mean - whole.mean) < 1e-6)
        #expect(abs(merged.variance - whole.variance) / whole.variance < 1e-12)
    }
}

/// Draws stay where the density is finite and positive, so estimates near a
/// singular end of the support are numbers, not nan or inf.
@Suite struct OpenSupportTests {
    @Test func gammaAndBetaDrawsStayInsideTheSupport() throws {
        let gamma = try Gamma([Tensor(scalar: 0.01), Tensor(scalar: 1)])
        let g = try gamma.sample(100_000, generator: Philox(seed: 1), start: 0)
        #expect(g.values.allSatisfy { $0 > 0 && $0.isFinite })
        let beta = try Beta([Tensor(scalar: 0.93), Tensor(scalar: 0.35)])
        let b = try beta.sample(100_000, generator: Philox(seed: 1), start: 0)
        #expect(b.values.allSatisfy { $0 > 0 && $0 < 1 })
    }

    /// Every seed once gave nan: the sampler returned exactly 1.0.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func betaEstimateAgreesWithTheClosedForm(_ seed: UInt64) throws {
        let q = try Beta([Tensor(scalar: 0.93), Tensor(scalar: 0.35)])
        let p = try Beta([Tensor(scalar: 4.27), Tensor(scalar: 6.96)])
        let exact = try KLRegistry.kl(q, p)[flat: 0]
        let m = try MonteCarloEngine(q: q, p: p).run(
            n: 200_000, estimators: [.k1], generator: Philox(seed: seed), start: 0
        ).moments[0][0]
        #expect(m.mean.isFinite)
        #expect(abs(m.mean - exact) < 4.5 * m.standardError, "\(m.mean) ± \(m.standardError) vs \(exact)")
    }

    /// The fused diagonal kernel draws a few samples at a time when a sample is
    /// wide (d = 3000: five per group) and has a path of its own for d = 1; both
    /// give the log-ratios of sampling q and evaluating both densities.
    @Test(arguments: [1, 3_000])
    func fusedDiagonalKernelMatchesSamplingAtAnyWidth(d: Int) throws {
        let mean = (0..<d).map { sin(Double($0)) * 0.3 }
        let std = (0..<d).map { 0.8 + 0.3 * cos(Double($0)) }
        let q = try MonteCarloTests.diagonal(mean, std)
        let p = try MonteCarloTests.diagonal(Array(repeating: 0, count: d), Array(repeating: 1.2, count: d))
        let n = 23
        let run = try MonteCarloEngine(q: q, p: p)
            .run(n: n, estimators: [.k1], generator: Philox(seed: 4), start: 11, keepTerms: true)
        let terms = try #require(run.logRatios)
        let z = try q.sample(n, generator: Philox(seed: 4), start: 11)
        let direct = try Tensor.binary(.subtract, try q.logpdf(z), try p.logpdf(z))
        for i in 0..<n {
            #expect(abs(terms[flat: i] - direct[flat: i]) <= 1e-9 * max(1, abs(direct[flat: i])), "sample \(i)")
        }
    }

    /// A thread-confined q (drawn on one thread, four chunks per call) gives
    /// the same moments, to the bit, as the same q drawn chunk by chunk in parallel.
    @Test func confinedDistributionsGiveTheSameMoments() throws {
        let q = try Laplace([try Tensor([0.1, -0.3]), try Tensor([0.8, 1.2])])
        let p = try Normal([try Tensor([0, 0]), try Tensor([1, 1.5])])
        let n = 4 * MonteCarloEngine.chunkSize * MonteCarloEngine.confinedSpan + 1_234
        let free = try MonteCarloEngine(q: q, p: p)
            .run(n: n, estimators: [.k1, .k3], generator: Philox(seed: 2), start: 7)
        let confined = try MonteCarloEngine(q: Confined(q), p: p)
            .run(n: n, estimators: [.k1, .k3], generator: Philox(seed: 2), start: 7)
        for (a, b) in zip(free.moments.joined(), confined.moments.joined()) {
            #expect(a.mean == b.mean && a.m2 == b.m2 && a.count == b.count)
        }
        #expect(free.ratios.map(\.paretoK) == confined.ratios.map(\.paretoK))
    }
}

/// A distribution that says it must be drawn from one thread at a time.
final class Confined: Distribution {
    let base: any Distribution
    init(_ base: any Distribution) { self.base = base }
    var family: String { base.family }
    var batchShape: [Int] { base.batchShape }
    var eventShape: [Int] { base.eventShape }
    var parameters: [(name: String, value: Tensor)] { base.parameters }
    var drawsPerSample: Int { base.drawsPerSample }
    var isThreadConfined: Bool { true }
    func sample(_ count: Int?, generator: Philox, start: UInt64) throws(KLSError) -> Tensor {
        try base.sample(count, generator: generator, start: start)
    }
    func logpdf(_ x: Tensor) throws(KLSError) -> Tensor { try base.logpdf(x) }
    func entropy() throws(KLSError) -> Tensor { try base.entropy() }
    func mean() throws(KLSError) -> Tensor { try base.mean() }
    func variance() throws(KLSError) -> Tensor { try base.variance() }
}
