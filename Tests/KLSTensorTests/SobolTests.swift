import Foundation
import Testing

@testable import KLSTensor

/// `SobolSequence` against SciPy's points, its scrambles' uniformity and
/// balance, and `NormalQuantile` against scipy.special.ndtri.
@Suite struct SobolTests {
    @Test func unscrambledPointsAreSciPys() throws {
        for (dimension, kept, rows) in SobolReference.digits {
            let sequence = try SobolSequence(dimension: dimension)
            for (i, index) in SobolReference.indices.enumerated() {
                let point = sequence.digits(start: index, count: 1)[0]
                #expect(kept.map { point[$0] } == rows[i], "d=\(dimension) index \(index)")
            }
        }
    }

    /// `fill` steps by Gray code from any start; it must agree with the direct point.
    @Test func fillFromAnyStartAgreesWithEachPoint() throws {
        let sequence = try SobolSequence(dimension: 7, generator: Philox(seed: 3), replicate: 2)
        var out = [Double](repeating: 0, count: 7 * 50)
        out.withUnsafeMutableBufferPointer { sequence.fill(start: 1000, count: 50, into: $0.baseAddress!) }
        for (i, point) in sequence.digits(start: 1000, count: 50).enumerated() {
            for d in 0..<7 { #expect(out[i * 7 + d] == (Double(point[d]) + 0.5) / 4_294_967_296) }
        }
    }

    /// A scrambled net keeps Sobol's balance: of the first 2^m points, each
    /// dyadic interval of length 2^−m in one coordinate holds exactly one (the
    /// scramble is a bijection of each such partition), and different
    /// replicates differ.
    @Test func scramblesKeepTheBalanceAndDiffer() throws {
        let m = 10
        for replicate in 0..<4 {
            let sequence = try SobolSequence(dimension: 12, generator: Philox(seed: 11), replicate: replicate)
            let points = sequence.digits(start: 0, count: 1 << m)
            for d in 0..<12 {
                let cells = Set(points.map { $0[d] >> UInt32(32 - m) })
                #expect(cells.count == 1 << m, "replicate \(replicate) dimension \(d)")
            }
        }
        let a = try SobolSequence(dimension: 3, generator: Philox(seed: 11), replicate: 0).digits(start: 5, count: 1)
        let b = try SobolSequence(dimension: 3, generator: Philox(seed: 11), replicate: 1).digits(start: 5, count: 1)
        #expect(a != b)
    }

    /// Over many scrambles each point is uniform: the mean of a coordinate of
    /// one point across 4000 replicates is ½ within 4.5 standard errors.
    @Test func scrambledPointsAreUniform() throws {
        var sums = [Double](repeating: 0, count: 4)
        let count = 4000
        for replicate in 0..<count {
            let sequence = try SobolSequence(dimension: 4, generator: Philox(seed: 5), replicate: replicate)
            var out = [Double](repeating: 0, count: 4)
            out.withUnsafeMutableBufferPointer { sequence.fill(start: 37, count: 1, into: $0.baseAddress!) }
            for d in 0..<4 { sums[d] += out[d] }
        }
        let standardError = (1.0 / 12 / Double(count)).squareRoot()
        for d in 0..<4 { #expect(Swift.abs(sums[d] / Double(count) - 0.5) <= 4.5 * standardError) }
    }

    @Test func dimensionsOutsideTheTableAreRefused() {
        #expect(throws: (any Error).self) { try SobolSequence(dimension: 0) }
        #expect(throws: (any Error).self) { try SobolSequence(dimension: 1025) }
    }

    @Test func normalQuantileIsSciPysNdtri() {
        // AS 241 and Cephes's ndtri are each good to a few ulps: 1e-15 relative between them.
        for (u, expected) in SobolReference.quantiles {
            let value = NormalQuantile.of(u)
            #expect(Swift.abs(value - expected) <= 1e-15 * Swift.max(1, Swift.abs(expected)), "u = \(u)")
        }
        #expect(NormalQuantile.of(0) == -.infinity && NormalQuantile.of(1) == .infinity)
        #expect(NormalQuantile.of(-0.1).isNaN && NormalQuantile.of(1.5).isNaN && NormalQuantile.of(.nan).isNaN)
        var x = (0..<13).map { Double($0 + 1) / 14 }
        x.withUnsafeMutableBufferPointer { NormalQuantile.apply($0.baseAddress!, count: 13) }
        for k in 0..<13 { #expect(x[k] == NormalQuantile.of(Double(k + 1) / 14)) }
    }
}
