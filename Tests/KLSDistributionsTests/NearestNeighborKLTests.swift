import Foundation
import KLSTensor
import Testing

@testable import KLSDistributions

/// `NearestNeighborKL` on Gaussian pairs with known KL: consistent at large n,
/// its subsampling standard error the spread of the estimate over fresh data,
/// and its seeds reproducible. (The estimates themselves are checked against
/// SciPy to 1e-9 in Tests/EndToEndTests/Scripts/kl-samples.kls.)
@Suite struct NearestNeighborKLTests {
    /// `count` points of N(mean, scale² I) in `d` dimensions, from Philox.
    static func gaussian(_ count: Int, _ d: Int, mean: Double, scale: Double, seed: UInt64) -> NearestNeighborKL.Points
    {
        let generator = Philox(seed: seed)
        let values = (0..<count * d).map { i in
            let u = Philox.openUnit(generator.singleWord(index: UInt64(i), stream: 1))
            let v = Philox.unit(generator.singleWord(index: UInt64(i), stream: 2))
            return mean + scale * (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * .pi * v)
        }
        return NearestNeighborKL.Points(values, count: count, dimensions: d)
    }

    /// KL(N(mq, sq² I) ‖ N(mp, sp² I)) in d dimensions.
    static func exact(_ d: Int, _ mq: Double, _ sq: Double, _ mp: Double, _ sp: Double) -> Double {
        Double(d) * (Foundation.log(sp / sq) + (sq * sq + (mq - mp) * (mq - mp)) / (2 * sp * sp) - 0.5)
    }

    static let pairs: [(d: Int, mq: Double, sq: Double, mp: Double, sp: Double)] = [
        (1, 0, 1, 1, 1.5), (2, 0, 0.5, 0.5, 1), (3, 0, 1, 0.2, 0.8),
    ]

    /// The default estimator's mean over replicates lies within 4.5 standard
    /// errors of the true KL at n = 2,000 (few dimensions: its bias is below that).
    @Test(arguments: 0..<pairs.count) func biasReducedIsConsistent(_ c: Int) throws {
        let (d, mq, sq, mp, sp) = Self.pairs[c]
        let values = try (0..<6).map { r in
            let x = Self.gaussian(2000, d, mean: mq, scale: sq, seed: UInt64(100 * c + 2 * r))
            let y = Self.gaussian(2000, d, mean: mp, scale: sp, seed: UInt64(100 * c + 2 * r + 1))
            return try NearestNeighborKL.estimate(x, y, k: 1, method: .biasReduced)
        }
        let mean = values.reduce(0, +) / 6
        let spread = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 5).squareRoot()
        let truth = Self.exact(d, mq, sq, mp, sp)
        #expect(Swift.abs(mean - truth) <= 4.5 * spread / 6.0.squareRoot(), "pair \(c): \(mean) vs \(truth)")
    }

    /// Over 30 data sets the estimates spread as much as their subsampling
    /// standard errors say (the ratio's own error is about 13%; the band is ±4.5 of it).
    @Test(arguments: [NearestNeighborKL.Method.knn, .biasReduced]) func standardErrorIsTheSpread(
        _ method: NearestNeighborKL.Method
    ) throws {
        var values: [Double] = []
        var errors: [Double] = []
        for r in 0..<30 {
            let x = Self.gaussian(600, 1, mean: 0, scale: 1, seed: UInt64(1000 + 2 * r))
            let y = Self.gaussian(600, 1, mean: 0.5, scale: 1.3, seed: UInt64(1001 + 2 * r))
            let e = try NearestNeighborKL.run(
                x, y, k: 1, method: method, subsamples: 40, generator: Philox(seed: UInt64(r)), start: 0)
            values.append(e.value)
            errors.append(e.standardError)
        }
        let mean = values.reduce(0, +) / 30
        let spread = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 29).squareRoot()
        let ratio = errors.reduce(0, +) / 30 / spread
        #expect(ratio > 0.45 && ratio < 1.6, "\(method): mean stderr / spread = \(ratio)")
    }

    @Test func seedsReproduceAndSubsetsAreDistinct() throws {
        let x = Self.gaussian(400, 2, mean: 0, scale: 1, seed: 1)
        let y = Self.gaussian(500, 2, mean: 1, scale: 1, seed: 2)
        let a = try NearestNeighborKL.run(
            x, y, k: 2, method: .knn, subsamples: 20, generator: Philox(seed: 9), start: 0)
        let b = try NearestNeighborKL.run(
            x, y, k: 2, method: .knn, subsamples: 20, generator: Philox(seed: 9), start: 0)
        #expect(a.value == b.value && a.standardError == b.standardError && a.drift == b.drift)
        let rows = NearestNeighborKL.choose(300, of: 400, Philox(seed: 4), index: 7)
        #expect(Set(rows).count == 300 && rows.allSatisfy { (0..<400).contains($0) })
    }
}
