import KLSTensor
import Testing

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
}
