import Foundation
import KLSTensor
import Testing

@Suite struct LogSumExpTests {
    /// Tensor.logSumExp over parts equals the reduction over a stacked axis to
    /// a couple of ulps, edge values included: −∞ terms and rows, nan, +∞,
    /// terms thousands apart, and lengths that leave a partial vector.
    @Test(arguments: [1, 7, 8, 9, 50_001])
    func agreesWithTheReduction(count: Int) throws {
        let specials: [Double] = [-.infinity, .nan, .infinity, -1e4, 1e4, 0, -745, 709]
        func part(_ seed: Double) throws -> Tensor {
            try Tensor(
                shape: [count],
                values: (0..<count).map { i in
                    i % 13 == 5 ? specials[(i / 13 + Int(seed)) % specials.count] : sin(Double(i) * seed) * 30
                })
        }
        let parts = [try part(1), try part(2.5), try part(0.3)]
        let fast = try Tensor.logSumExp(parts)
        let reference = try Tensor.stack(parts, axis: 0).reduce(.logsumexp, axes: [0])
        for i in 0..<count {
            let (a, b) = (fast[flat: i], reference[flat: i])
            #expect(a == b || (a.isNaN && b.isNaN) || abs(a - b) <= 4 * b.ulp, "element \(i): \(a) against \(b)")
        }
    }
}
