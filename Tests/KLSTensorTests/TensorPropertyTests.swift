import Foundation
import PropertyBased
import Testing

@testable import KLSTensor

/// Algebraic properties over random shapes and values.
@Suite struct TensorPropertyTests {
    static let values = Gen.double(in: -1e3...1e3).array(of: 1...60)

    @Test func additionCommutesAndBroadcastsAScalar() async {
        await propertyCheck(input: TensorPropertyTests.values, Gen.double(in: -10...10)) { xs, s in
            let x = try! Tensor(xs)
            let a = try! Tensor.binary(.add, x, Tensor(scalar: s))
            let b = try! Tensor.binary(.add, Tensor(scalar: s), x)
            #expect(a.values == b.values)
            #expect(a.values == xs.map { $0 + s })
        }
    }

    @Test func reshapeRoundTrips() async {
        await propertyCheck(input: Gen.int(in: 1...6), Gen.int(in: 1...6), Gen.int(in: 1...6)) { p, q, r in
            let x = try! Tensor.arange(0, Double(p * q * r), step: 1)
            let y = try! x.reshape([p, -1, r])
            #expect(y.shape == [p, q, r])
            let t = try! y.permuted([2, 0, 1]).permuted([1, 2, 0])
            #expect(t.values == x.values)
        }
    }

    @Test func sumIsLinearAndAxisSumsAddUp() async {
        await propertyCheck(input: Gen.int(in: 1...8), Gen.int(in: 1...8), Gen.double(in: -5...5)) { rows, columns, c in
            let x = try! Tensor.normal(
                shape: [rows, columns], generator: Philox(seed: UInt64(rows * 31 + columns)), start: 0)
            let total = try! x.reduce(.sum)[flat: 0]
            let byRows = try! x.reduce(.sum, axes: [1]).reduce(.sum)[flat: 0]
            let byColumns = try! x.reduce(.sum, axes: [0]).reduce(.sum)[flat: 0]
            #expect(abs(total - byRows) < 1e-12 && abs(total - byColumns) < 1e-12)
            let scaled = try! Tensor.binary(.multiply, x, scalar: c, scalarOnLeft: true).reduce(.sum)[flat: 0]
            #expect(abs(scaled - c * total) < 1e-11)
        }
    }

    @Test func logSumExpIsShiftInvariant() async {
        await propertyCheck(input: TensorPropertyTests.values, Gen.double(in: -500...500)) { xs, shift in
            let x = try! Tensor(xs)
            let a = try! x.reduce(.logsumexp)[flat: 0]
            let b = try! Tensor.binary(.add, x, scalar: shift, scalarOnLeft: false).reduce(.logsumexp)[flat: 0]
            #expect(abs((b - shift) - a) <= 1e-12 * max(1, abs(a)))
        }
    }
}
