import Foundation
import Testing

@testable import KLSTensor

/// The SIMD exp and log against libm: within 2 ulp on a dense sweep, and exactly
/// libm's answer on every edge case.
@Suite struct VectorMathTests {
    static func ulps(_ a: Double, _ b: Double) -> Double {
        if a == b { return 0 }
        return abs(a - b) / b.ulp
    }

    @Test func expMatchesLibm() throws {
        let x = try Tensor.linspace(-745.5, 709.9, count: 200_001)
        let y = try x.map(.exp)
        var worst = 0.0
        for i in 0..<x.count { worst = max(worst, VectorMathTests.ulps(y[flat: i], Foundation.exp(x[flat: i]))) }
        #expect(worst <= 2)
    }

    @Test func logMatchesLibm() throws {
        let exponents = try Tensor.linspace(-300, 300, count: 200_001)
        let x = try exponents.apply(cost: 1) { Foundation.pow(10, $0) * 1.2345 }
        let y = try x.map(.log)
        var worst = 0.0
        for i in 0..<x.count { worst = max(worst, VectorMathTests.ulps(y[flat: i], Foundation.log(x[flat: i]))) }
        #expect(worst <= 2)
        let near = try Tensor.linspace(0.5, 2, count: 100_003)
        let z = try near.map(.log)
        for i in 0..<near.count {
            #expect(
                abs(z[flat: i] - Foundation.log(near[flat: i])) <= 2 * max(Foundation.log(near[flat: i]).ulp, 1e-300))
        }
    }

    @Test func edgeCasesFollowLibm() throws {
        let specials: [Double] = [
            0, -0.0, .infinity, -.infinity, .nan, -1, Double.leastNormalMagnitude / 4, Double.leastNonzeroMagnitude,
            710, -746, 1, 2,
        ]
        // Pad to a multiple of 8 so the vector path sees them.
        let x = try Tensor(specials + [3, 4, 5, 6])
        let e = try x.map(.exp)
        let l = try x.map(.log)
        for (i, v) in specials.enumerated() {
            let ee = Foundation.exp(v)
            let ll = Foundation.log(v)
            #expect(e[flat: i] == ee || (e[flat: i].isNaN && ee.isNaN), "exp(\(v))")
            #expect(l[flat: i] == ll || (l[flat: i].isNaN && ll.isNaN), "log(\(v))")
        }
    }
}
