import KLSTensor
import Testing

@Suite struct SelectionTests {
    /// The kept values are, as a multiset, the first k of the sorted values —
    /// with duplicates, infinities, already sorted and reversed inputs.
    @Test(arguments: [0, 1, 2, 7, 100, 999, 1000, 1001])
    func keepsTheSmallest(k: Int) {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 40)
        }
        let random = (0..<1000).map { _ in next() }
        let inputs: [[Double]] = [
            random, random.sorted(), random.sorted().reversed(), random.map { ($0 / 1e6).rounded() },
            Array(repeating: 3, count: 1000), random.enumerated().map { $0 % 97 == 0 ? -.infinity : $1 },
        ]
        for input in inputs {
            var kept = input
            Selection.keepSmallest(k, of: &kept)
            #expect(kept.sorted() == Array(input.sorted().prefix(k)))
        }
    }
}
