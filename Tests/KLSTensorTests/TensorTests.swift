import Foundation
import KLSDiagnostics
import Testing

@testable import KLSTensor

@Suite struct TensorTests {
    @Test func broadcastingFollowsNumPy() throws {
        #expect(try Shape.broadcast([2, 1, 3], [4, 1]) == [2, 4, 3])
        #expect(try Shape.broadcast([], [5]) == [5])
        #expect(throws: KLSError.self) { try Shape.broadcast([2, 3], [3, 2]) }
        let a = try Tensor(shape: [2, 1], values: [1, 2])
        let b = try Tensor([10, 20, 30])
        let c = try Tensor.binary(.add, a, b)
        #expect(c.shape == [2, 3])
        #expect(c.values == [11, 21, 31, 12, 22, 32])
    }

    @Test func divisionAndModuloFollowIEEEAndPython() throws {
        let x = try Tensor([1, -1, 0, -7, 7])
        let y = try Tensor([0, 0, 0, 3, -3])
        let q = try Tensor.binary(.divide, x, y)
        #expect(q[flat: 0] == .infinity && q[flat: 1] == -.infinity && q[flat: 2].isNaN)
        let r = try Tensor.binary(.modulo, x, y)
        #expect(r[flat: 3] == 2 && r[flat: 4] == -2)
    }

    @Test func reductionsAlongAxes() throws {
        let x = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        #expect(try x.reduce(.sum, axes: [0]).values == [5, 7, 9])
        #expect(try x.reduce(.sum, axes: [-1]).values == [6, 15])
        #expect(try x.reduce(.sum, axes: [0, 1])[flat: 0] == 21)
        #expect(try x.reduce(.mean, axes: [1], keepdims: true).shape == [2, 1])
        #expect(try x.reduce(.max, axes: [0]).values == [4, 5, 6])
        #expect(try x.reduce(.argmax, axes: [1]).values == [2, 2])
        #expect(try x.reduce(.argmin)[flat: 0] == 0)
        #expect(try x.reduce(.prod)[flat: 0] == 720)
        #expect(abs(try x.reduce(.variance(ddof: 1))[flat: 0] - 3.5) < 1e-15)
        #expect(try x.reduce(.sum, axes: [0], keepdims: true).shape == [1, 3])
        #expect(throws: KLSError.self) { try x.reduce(.sum, axes: [2]) }
        #expect(throws: KLSError.self) { try Tensor([]).reduce(.max) }
        #expect(try Tensor([]).reduce(.sum)[flat: 0] == 0)
        #expect(try Tensor([1, .nan, 3]).reduce(.max)[flat: 0].isNaN)
        #expect(try Tensor([1, .nan, 3]).reduce(.argmax)[flat: 0] == 1)
    }

    /// The blocked SIMD sum keeps error far below a naive loop's on 10⁷ terms.
    @Test func largeSumsAreAccurate() throws {
        let n = 10_000_000
        let x = try Tensor(shape: [n]) { out in
            for i in 0..<n { out[i] = 0.1 }
        }
        let s = try x.reduce(.sum)[flat: 0]
        #expect(abs(s - 1_000_000) < 1e-6)
        let m = try x.reduce(.mean)[flat: 0]
        #expect(abs(m - 0.1) < 1e-15)
    }

    @Test func varianceIsTwoPass() throws {
        // Large offset: E[x²] − E[x]² would lose every digit here.
        let x = try Tensor([1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16])
        #expect(abs(try x.reduce(.variance(ddof: 1))[flat: 0] - 30) < 1e-6)
    }

    @Test func slicingMatchesPython() throws {
        let x = try Tensor.arange(0, 10, step: 1)
        func slice(_ start: Int?, _ stop: Int?, _ step: Int?) throws -> [Double] {
            try x.index([.slice(start: start, stop: stop, step: step)]).values
        }
        #expect(try slice(nil, nil, -1) == [9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
        #expect(try slice(-3, nil, nil) == [7, 8, 9])
        #expect(try slice(8, 2, -2) == [8, 6, 4])
        #expect(try slice(2, 100, 3) == [2, 5, 8])
        #expect(try slice(5, 2, nil) == [])
        #expect(try slice(-100, 2, nil) == [0, 1])
        #expect(try slice(nil, -100, -1) == [9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
        #expect(try x.index([.single(-1)])[flat: 0] == 9)
        #expect(throws: KLSError.self) { try x.index([.single(10)]) }
        let m = try x.reshaped([2, 5])
        #expect(try m.index([.slice(start: nil, stop: nil, step: nil), .single(1)]).values == [1, 6])
        #expect(try m.index([.single(1), .slice(start: nil, stop: nil, step: 2)]).values == [5, 7, 9])
    }

    @Test func matrixProductMatchesNaive() throws {
        for (m, k, n) in [(1, 1, 1), (3, 5, 7), (4, 8, 8), (13, 9, 17), (64, 33, 65)] {
            let a = try Tensor.normal(shape: [m, k], generator: Philox(seed: 1), start: 0)
            let b = try Tensor.normal(shape: [k, n], generator: Philox(seed: 2), start: 0)
            let c = try Tensor.matmul(a, b)
            #expect(c.shape == [m, n])
            for i in 0..<m {
                for j in 0..<n {
                    var s = 0.0
                    for p in 0..<k { s += a[flat: i * k + p] * b[flat: p * n + j] }
                    #expect(abs(c[flat: i * n + j] - s) < 1e-12 * max(1, abs(s)))
                }
            }
        }
        let v = try Tensor([1, 2, 3])
        #expect(try Tensor.matmul(v, v).shape == [])
        #expect(try Tensor.matmul(v, v)[flat: 0] == 14)
        let batch = try Tensor(repeating: 1, shape: [4, 2, 3])
        #expect(try Tensor.matmul(batch, try Tensor(repeating: 1, shape: [3, 5])).shape == [4, 2, 5])
        #expect(throws: KLSError.self) { try Tensor.matmul(v, try Tensor(repeating: 1, shape: [2, 2])) }
    }

    @Test func manipulation() throws {
        let x = try Tensor.arange(0, 6, step: 1)
        #expect(try x.reshape([2, -1]).shape == [2, 3])
        #expect(try x.reshape([2, 3]).transposed().values == [0, 3, 1, 4, 2, 5])
        let c = try Tensor.concatenate([x.reshape([2, 3]), x.reshape([2, 3])], axis: 1)
        #expect(c.shape == [2, 6])
        #expect(Array(c.values[0..<6]) == [0, 1, 2, 0, 1, 2])
        let s = try Tensor.stack([x, x], axis: 1)
        #expect(s.shape == [6, 2])
        #expect(try x.scan(mean: true, axis: nil).values == [0, 0.5, 1, 1.5, 2, 2.5])
        #expect(try Tensor([1, .infinity, 1]).scan(mean: false, axis: 0).values == [1, .infinity, .infinity])
        #expect(try Tensor([2]).broadcast(to: [2, 3]).values == [2, 2, 2, 2, 2, 2])
    }

    @Test func memoryLimitIsCheckedBeforeAllocating() {
        #expect(throws: KLSError.self) { try Tensor(repeating: 0, shape: [1_000_000, 1_000_000]) }
        #expect(throws: KLSError.self) { try Tensor(repeating: 0, shape: [Int.max / 2, 4]) }
        #expect(throws: KLSError.self) { try Tensor(repeating: 0, shape: [-1]) }
        #expect(MemoryLimit.parse("1G") == 1 << 30)
        #expect(MemoryLimit.parse("512MiB") == 512 << 20)
        #expect(MemoryLimit.parse("2048") == 2048)
        #expect(MemoryLimit.parse("lots") == nil)
    }

    /// Writing into a temporary's buffer: a uniquely owned operand is reused.
    @Test func temporariesAreReused() throws {
        let x = try Tensor.normal(shape: [1000], generator: Philox(seed: 3), start: 0)
        let temporary = try x.map(.exp)
        let address = UInt(bitPattern: temporary.storage.pointer)
        let y = try Tensor.binary(.multiply, consume temporary, scalar: 2, scalarOnLeft: false)
        #expect(UInt(bitPattern: y.storage.pointer) == address)
        #expect(abs(y[flat: 5] - 2 * exp(x[flat: 5])) < 1e-12)
        let z = try Tensor.binary(.add, x, scalar: 1, scalarOnLeft: false)
        #expect(z.storage !== x.storage, "a shared operand is never overwritten")
        #expect(x[flat: 0] != y[flat: 0])
    }
}
