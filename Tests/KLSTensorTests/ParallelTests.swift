import Testing

@testable import KLSTensor

/// Results do not depend on the number of workers: the split depends only on
/// the size of the work.
@Suite struct ParallelTests {
    @Test func workersAreSetForTheCallingTaskOnly() {
        #expect(Parallel.withWorkers(1) { Parallel.workers } == 1)
        #expect(Parallel.withWorkers(7) { Parallel.workers } == 7)
        #expect(Parallel.workers >= 1)
    }

    @Test func sumsAreBitIdenticalForAnyWorkerCount() throws {
        let x = try Tensor.normal(shape: [1_000_003], generator: Philox(seed: 5), start: 0)
        let sums = [1, 2, 3, 4, 16].map { n in Parallel.withWorkers(n) { (try? x.reduce(.sum))?[flat: 0] } }
        #expect(Set(sums.compactMap { $0?.bitPattern }).count == 1, "\(sums)")
    }

    /// Parts cover the range in order, without gaps, on multiples of 16 when
    /// each part gets 16 or more, whatever the number of parts.
    @Test func partsAreContiguousAndAligned() {
        for count in [0, 1, 15, 17, 100, 2_048, 32_768, 100_003] {
            for parts in [1, 3, 8, 16, 64] {
                let ranges = (0..<parts).map { Parallel.chunk($0, of: parts, count: count) }
                #expect(ranges.first?.lowerBound == 0)
                #expect(ranges.last?.upperBound == count)
                for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
                if count >= 16 * parts {
                    #expect(ranges.allSatisfy { $0.lowerBound % 16 == 0 }, "\(count) in \(parts): \(ranges)")
                }
            }
        }
    }

    /// An element-wise SIMD kernel (tanh: 8 lanes, libm-free) gives the same
    /// bits whatever the number of workers.
    @Test func elementwiseKernelsAreBitIdenticalForAnyWorkerCount() throws {
        let x = try Tensor.normal(shape: [100_003], generator: Philox(seed: 6), start: 0)
        let results = [1, 2, 3, 16].map { n in Parallel.withWorkers(n) { try? x.map(.tanh) } }
        for r in results {
            let y = try #require(r)
            for i in stride(from: 0, to: x.count, by: 997) { #expect(y[flat: i] == results[0]?[flat: i]) }
        }
    }
}
