import Foundation
import Testing

@testable import KLSTensor

/// `NearestNeighbors` against a plain double-precision scan of every pair: the
/// single-precision filter must never lose a neighbour, and the distances it
/// reports must be the exact ones.
@Suite struct NearestNeighborsTests {
    /// Normal points from Philox, shifted by `offset` and scaled by `scale`.
    static func points(_ count: Int, _ d: Int, seed: UInt64, offset: Double = 0, scale: Double = 1) -> [Double] {
        let generator = Philox(seed: seed)
        return (0..<count * d).map { i in
            let u = Philox.openUnit(generator.singleWord(index: UInt64(i), stream: 1))
            let v = Philox.unit(generator.singleWord(index: UInt64(i), stream: 2))
            return offset + scale * (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * .pi * v)
        }
    }

    /// Every distance from query i, sorted, by the textbook formula.
    static func scan(_ q: [Double], _ i: Int, _ p: [Double], _ d: Int, skip: Int) -> [Double] {
        var out: [Double] = []
        for j in 0..<(p.count / d) where j != skip {
            var s = 0.0
            for t in 0..<d { s += (q[i * d + t] - p[j * d + t]) * (q[i * d + t] - p[j * d + t]) }
            out.append(s.squareRoot())
        }
        return out.sorted()
    }

    static let cases: [(count: Int, d: Int, offset: Double, scale: Double)] = [
        (700, 1, 0, 1), (900, 1, 1e4, 1), (500, 3, 0, 1), (400, 16, 0, 1), (300, 16, -50, 0.01), (257, 5, 3, 1e-3),
    ]

    @Test(arguments: 0..<cases.count) func nearestEqualsAFullScan(_ c: Int) throws {
        let (count, d, offset, scale) = Self.cases[c]
        let x = Self.points(count, d, seed: UInt64(10 + c), offset: offset, scale: scale)
        let y = Self.points(count + 13, d, seed: UInt64(50 + c), offset: offset + scale / 2, scale: scale)
        let centre = x.withUnsafeBufferPointer { NearestNeighbors.centre(of: [$0], dimensions: d) }
        let own = x.withUnsafeBufferPointer { NearestNeighbors($0, count: count, dimensions: d, centre: centre) }
        let other = y.withUnsafeBufferPointer {
            NearestNeighbors($0, count: count + 13, dimensions: d, centre: centre)
        }
        let k = 4
        let selfNear = try x.withUnsafeBufferPointer { try own.nearest($0, k: k, skipSelf: true) }
        let otherNear = try x.withUnsafeBufferPointer { try other.nearest($0, k: k, skipSelf: false) }
        // Exact up to the rounding of centring the coordinates.
        let slack = 1e-15 * (Swift.abs(offset) + 10 * scale)
        for i in stride(from: 0, to: count, by: 7) {
            let a = Self.scan(x, i, x, d, skip: i)
            let b = Self.scan(x, i, y, d, skip: -1)
            for t in 0..<k {
                #expect(Swift.abs(selfNear[i * k + t] - a[t]) <= 1e-12 * a[t] + slack, "case \(c) query \(i) x")
                #expect(Swift.abs(otherNear[i * k + t] - b[t]) <= 1e-12 * b[t] + slack, "case \(c) query \(i) y")
            }
        }
    }

    /// Counts and farthest points within radii that fall between neighbours.
    @Test(arguments: 0..<cases.count) func withinCountsEveryPoint(_ c: Int) throws {
        let (count, d, offset, scale) = Self.cases[c]
        let x = Self.points(count, d, seed: UInt64(90 + c), offset: offset, scale: scale)
        let centre = x.withUnsafeBufferPointer { NearestNeighbors.centre(of: [$0], dimensions: d) }
        let set = x.withUnsafeBufferPointer { NearestNeighbors($0, count: count, dimensions: d, centre: centre) }
        let queries = Array(stride(from: 0, to: count, by: 11))
        var radii: [Double] = []
        var expected: [(Int, Double)] = []
        for (t, i) in queries.enumerated() {
            let all = Self.scan(x, i, x, d, skip: i)
            let r = 0.5 * (all[t % 23] + all[t % 23 + 1])
            radii.append(r)
            let inside = all.filter { $0 <= r }
            expected.append((inside.count, inside.last ?? 0))
        }
        let rows = queries.flatMap { i in x[i * d..<(i + 1) * d] }
        let found = try rows.withUnsafeBufferPointer { try set.within($0, radii: radii, skip: queries) }
        for t in queries.indices {
            #expect(found.counts[t] == expected[t].0, "case \(c) query \(queries[t])")
            let slack = 1e-15 * (Swift.abs(offset) + 10 * scale)
            #expect(Swift.abs(found.farthest[t] - expected[t].1) <= 1e-12 * expected[t].1 + slack, "case \(c)")
        }
    }

    @Test func resultsDoNotDependOnTheWorkers() throws {
        let x = Self.points(3000, 6, seed: 7)
        let set = x.withUnsafeBufferPointer {
            NearestNeighbors($0, count: 3000, dimensions: 6, centre: [0, 0, 0, 0, 0, 0])
        }
        let many = try x.withUnsafeBufferPointer { try set.nearest($0, k: 3, skipSelf: true) }
        let one = try Parallel.withWorkers(1) {
            try x.withUnsafeBufferPointer { try set.nearest($0, k: 3, skipSelf: true) }
        }
        #expect(many == one)
    }
}
