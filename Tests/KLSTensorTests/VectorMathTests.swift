import Foundation
import Testing

@testable import KLSTensor

/// The SIMD exp, log, expm1 and tanh against libm: within 2 ulp on a
/// dense sweep, and exactly libm's answer on every edge case.
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

    @Test func logIsAccurateNearOneAndAcrossTheTable() throws {
        // Around 1, where log x is small and the table's 1/c must not cancel it;
        // across every subinterval of the reduced argument; and random exponents.
        #expect(try Self.worstUlps(try Tensor.linspace(1 - 1e-3, 1 + 1e-3, count: 200_001), .log, Foundation.log) <= 2)
        #expect(try Self.worstUlps(try Tensor.linspace(0.68, 1.38, count: 300_007), .log, Foundation.log) <= 2)
        let wide = try (try Tensor.linspace(-1000, 1000, count: 200_001)).apply(cost: 1) { Foundation.exp2($0) * 1.37 }
        #expect(try Self.worstUlps(wide, .log, Foundation.log) <= 2)
    }

    /// The worst error in ulps of `function` against libm's `reference` on `x`.
    static func worstUlps(_ x: Tensor, _ function: UnaryFunction, _ reference: (Double) -> Double) throws -> Double {
        let y = try x.map(function)
        var (worst, at) = (0.0, 0.0)
        for i in 0..<x.count where ulps(y[flat: i], reference(x[flat: i])) > worst {
            (worst, at) = (ulps(y[flat: i], reference(x[flat: i])), x[flat: i])
        }
        if worst > 2 { Issue.record("\(function) is \(worst) ulp off at \(at)") }
        return worst
    }

    @Test func expm1MatchesLibm() throws {
        // Dense around the switch at |x| = 1, and wide on both sides.
        #expect(try Self.worstUlps(try Tensor.linspace(-1.5, 1.5, count: 300_001), .expm1, Foundation.expm1) <= 2)
        #expect(try Self.worstUlps(try Tensor.linspace(-60, 709, count: 200_001), .expm1, Foundation.expm1) <= 2)
        let tiny = try (try Tensor.linspace(-300, -1, count: 100_001)).apply(cost: 1) { Foundation.pow(10, $0) }
        #expect(try Self.worstUlps(tiny, .expm1, Foundation.expm1) <= 2)
        #expect(try Self.worstUlps(try tiny.map(.negate), .expm1, Foundation.expm1) <= 2)
    }

    @Test func log1pMatchesLibm() throws {
        // Around 0 (where 1 + y loses y's low bits), towards −1, and wide.
        #expect(try Self.worstUlps(try Tensor.linspace(-0.999, 2, count: 300_001), .log1p, Foundation.log1p) <= 2)
        #expect(try Self.worstUlps(try Tensor.linspace(-1e-6, 1e-6, count: 100_001), .log1p, Foundation.log1p) <= 2)
        #expect(try Self.worstUlps(try Tensor.linspace(2, 1e300, count: 100_001), .log1p, Foundation.log1p) <= 2)
        let tiny = try (try Tensor.linspace(-300, -1, count: 100_001)).apply(cost: 1) { Foundation.pow(10, $0) }
        #expect(try Self.worstUlps(tiny, .log1p, Foundation.log1p) <= 2)
        #expect(try Self.worstUlps(try tiny.map(.negate), .log1p, Foundation.log1p) <= 2)
        let nearMinusOne = try tiny.apply(cost: 1) { $0 - 1 }
        #expect(try Self.worstUlps(nearMinusOne, .log1p, Foundation.log1p) <= 2)
    }

    @Test func tanhMatchesLibm() throws {
        #expect(try Self.worstUlps(try Tensor.linspace(-25, 25, count: 400_001), .tanh, Foundation.tanh) <= 2)
        let tiny = try (try Tensor.linspace(-300, 0, count: 100_001)).apply(cost: 1) { Foundation.pow(10, $0) }
        #expect(try Self.worstUlps(tiny, .tanh, Foundation.tanh) <= 2)
        #expect(try Self.worstUlps(try tiny.map(.negate), .tanh, Foundation.tanh) <= 2)
    }

    @Test func edgeCasesFollowLibm() throws {
        let specials: [Double] = [
            0, -0.0, .infinity, -.infinity, .nan, -1, Double.leastNormalMagnitude / 4, Double.leastNonzeroMagnitude,
            710, -746, 1, 2,
        ]
        // Pad to a multiple of 8 so the vector path sees them.
        let x = try Tensor(specials + [3, 4, 5, 6])
        let functions: [(UnaryFunction, String, (Double) -> Double)] = [
            (.exp, "exp", Foundation.exp), (.log, "log", Foundation.log), (.expm1, "expm1", Foundation.expm1),
            (.tanh, "tanh", Foundation.tanh), (.log1p, "log1p", Foundation.log1p),
        ]
        for (function, name, reference) in functions {
            let y = try x.map(function)
            for (i, v) in specials.enumerated() {
                let expected = reference(v)
                // Ordinary arguments (1, 2, …) within the sweeps' ulps, the rest exact.
                let ordinary = v.isNormal && abs(v) < 700 && abs(v) >= 1e-300
                let same =
                    ordinary
                    ? Self.ulps(y[flat: i], expected) <= 3
                    : y[flat: i] == expected && y[flat: i].sign == expected.sign
                #expect(same || (y[flat: i].isNaN && expected.isNaN), "\(name)(\(v))")
            }
        }
    }
}
