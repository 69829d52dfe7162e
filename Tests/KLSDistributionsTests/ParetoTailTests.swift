import Foundation
import Testing

@testable import KLSDistributions

/// k̂ against ArviZ (Tests/References/pareto_k.py), on inputs both sides make alike.
@Suite struct ParetoTailTests {
    /// Generalized Pareto quantiles at (i − ½)/n: exceedances with shape k.
    static func quantiles(_ k: Double, _ n: Int) -> [Double] {
        (1...n).map { i in
            let u = (Double(i) - 0.5) / Double(n)
            return k == 0 ? -Foundation.log1p(-u) : (Foundation.pow(1 - u, -k) - 1) / k
        }
    }

    /// log r = −s·log u with u from a 64-bit LCG: r is Pareto with k = s.
    static func logs(_ s: Double, _ n: Int, seed: UInt64) -> [Double] {
        var state = seed
        return (0..<n).map { _ in
            state = 6_364_136_223_846_793_005 &* state &+ 1_442_695_040_888_963_407
            let u = (Double(state >> 11) + 0.5) / 9_007_199_254_740_992
            return -s * Foundation.log(u)
        }
    }

    @Test(arguments: ParetoTailReference.fits.indices)
    func fitMatchesArviZ(_ i: Int) {
        let (k, n, expected) = ParetoTailReference.fits[i]
        let khat = ParetoTail.fitShape(Self.quantiles(k, n).sorted())
        #expect(abs(khat - expected) <= 1e-9, "k = \(k), n = \(n): \(khat) vs \(expected)")
    }

    @Test(arguments: ParetoTailReference.tails.indices)
    func tailMatchesPSIS(_ i: Int) {
        let (s, n, expected) = ParetoTailReference.tails[i]
        let keep = ParetoTail.tailLength(draws: n) + 1
        let largest = Array(Self.logs(s, n, seed: 7).sorted().suffix(keep))
        let khat = ParetoTail.shape(ascendingLogs: largest)
        #expect(abs(khat - expected) <= 1e-9, "s = \(s), n = \(n): \(khat) vs \(expected)")
    }

    /// The streaming accumulator keeps the same tail whatever the chunking:
    /// one part, parts of 333 (a selection every second part, then candidates
    /// filtered by its bar) and parts of 40 (many small merges between selections).
    @Test(arguments: [333, 40])
    func accumulatorKeepsTheLargestRatios(chunk: Int) throws {
        let logRatios = Self.logs(0.8, 5000, seed: 3).map { -$0 }
        var whole = try RatioAccumulator(n: 5000, batch: 1)
        var chunked = try RatioAccumulator(n: 5000, batch: 1)
        logRatios.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return }
            whole.merge(RatioPart(base, count: 5000, batch: 1, thresholds: whole.thresholds, keep: whole.keep))
            for start in stride(from: 0, to: 5000, by: chunk) {
                let count = min(chunk, 5000 - start)
                chunked.merge(
                    RatioPart(base + start, count: count, batch: 1, thresholds: chunked.thresholds, keep: chunked.keep))
            }
        }
        let a = whole.diagnostics()[0]
        let b = chunked.diagnostics()[0]
        #expect(a.paretoK == b.paretoK)
        #expect(abs(a.meanR - b.meanR) <= 1e-12 * a.meanR)
        #expect(a.paretoK > 0.6 && a.paretoK < 1.1)
    }

    /// Constant ratios have no tail; too few draws give no k̂.
    @Test func degenerateTails() {
        #expect(ParetoTail.shape(ascendingLogs: Array(repeating: 0.5, count: 40)).isNaN)
        #expect(ParetoTail.shape(ascendingLogs: [1, 2, 3]).isNaN)
        #expect(ParetoTail.shape(ascendingLogs: [1, 2, 3, 4, 5, 6, .infinity]) == .infinity)
    }
}
