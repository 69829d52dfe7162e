import KLSDiagnostics
import KLSTensor
import Testing

/// Linear algebra, sorting and quantiles against NumPy (LinearAlgebraReference.swift).
@Suite struct LinearAlgebraTests {
    typealias Reference = LinearAlgebraReference

    /// Relative agreement, scaled by the largest reference magnitude (LU and
    /// Cholesky are backward stable: errors are relative to the matrix's size).
    func close(_ actual: [Double], _ expected: [Double], _ tolerance: Double = 1e-12) -> Bool {
        let scale = expected.map(abs).max() ?? 1
        return actual.count == expected.count
            && zip(actual, expected).allSatisfy { abs($0 - $1) <= tolerance * Swift.max(scale, 1) }
    }

    @Test(arguments: Reference.cases.indices)
    func matchesNumPy(_ index: Int) throws {
        let c = Reference.cases[index]
        let spd = try Tensor(shape: [c.n, c.n], values: c.spd)
        let general = try Tensor(shape: [c.n, c.n], values: c.general)
        #expect(close(try spd.cholesky().values, c.cholesky))
        #expect(close(try general.solve(try Tensor(c.rhs)).values, c.solve, 1e-10))
        #expect(close(try general.inverse().values, c.inverse, 1e-10))
        #expect(close([try general.determinant()[flat: 0]], [c.determinant]))
        #expect(close([try spd.logDeterminant()[flat: 0]], [c.logDeterminant]))
    }

    @Test func stacksAreSolvedMatrixByMatrix() throws {
        let c = Reference.cases[2]
        let one = try Tensor(shape: [1, 3, 3], values: c.general)
        let stack = try Tensor.concatenate([one, one], axis: 0)
        let rhs = try Tensor(shape: [2, 3, 1], values: c.rhs + c.rhs)
        let x = try stack.solve(rhs)
        #expect(x.shape == [2, 3, 1])
        #expect(close(Array(x.values[3...]), c.solve, 1e-10))
        #expect(try stack.determinant().shape == [2])
    }

    @Test func errorsSayWhatIsWrong() throws {
        let notPD = try? Tensor(shape: [2, 2], values: [1, 2, 2, 1])
        #expect(throws: KLSError.self) { try notPD?.cholesky() }
        let singular = try? Tensor(shape: [2, 2], values: [1, 2, 2, 4])
        #expect(throws: KLSError.self) { try singular?.inverse() }
        #expect(try singular?.logDeterminant()[flat: 0] == -.infinity)
        #expect(throws: KLSError.self) { try Tensor([1, 2]).cholesky() }
        #expect(throws: KLSError.self) { try singular?.solve(try Tensor([1, 2, 3])) }
    }

    @Test func sortQuantileMedianCumprod() throws {
        let data = try Tensor(shape: [7, 5], values: Reference.data)
        #expect(try data.sorted(axis: 0).values == Reference.sortedAxis0)
        let q = try data.quantiles(try Tensor(Reference.quantileLevels), axis: 0)
        #expect(q.shape == [6, 5])
        #expect(close(q.values, Reference.quantilesAxis0, 1e-15))
        #expect(close(try data.quantiles(Tensor(scalar: 0.5), axis: 1).values, Reference.medianAxis1, 1e-15))
        #expect(close(try data.cumulativeProduct(axis: 1).values, Reference.cumprodAxis1, 1e-15))
        #expect(try Tensor([3, .nan, 1]).sorted(axis: nil).values[0..<2] == [1, 3])
        #expect(try Tensor([1, .nan]).quantiles(Tensor(scalar: 0.5), axis: nil)[flat: 0].isNaN)
        #expect(throws: KLSError.self) { try Tensor([1, 2]).quantiles(try Tensor([1.5]), axis: nil) }
    }
}

extension LinearAlgebraTests {
    @Test func covarianceOfColumns() throws {
        let data = try Tensor(shape: [7, 5], values: Reference.data)
        #expect(close(try data.covariance(rowvar: false, ddof: 1).values, Reference.covariance, 1e-14))
        #expect(close(try data.transposed().covariance(rowvar: true, ddof: 1).values, Reference.covariance, 1e-14))
        #expect(throws: KLSError.self) { try Tensor([1]).covariance(rowvar: false, ddof: 1) }
    }
}
