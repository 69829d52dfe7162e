import Foundation
import KLSDiagnostics

/// Dense linear algebra on stacks of square matrices (the last two axes), as
/// NumPy's `linalg` does: Cholesky factors, LU with partial pivoting for
/// solves, inverses and determinants. Plain O(n³) loops: the matrices of a KL
/// lesson are covariance matrices of a few dozen dimensions.
extension Tensor {
    /// The size of the square matrices in the last two axes, and how many there are.
    func squareBlocks(_ what: String) throws(KLSError) -> (n: Int, blocks: Int) {
        guard rank >= 2, shape[rank - 1] == shape[rank - 2] else {
            throw KLSError("\(what) needs square matrices in the last two axes, got shape \(Shape.describe(shape))")
        }
        let n = shape[rank - 1]
        return (n, n == 0 ? 0 : count / (n * n))
    }

    /// `diag`: the matrix with this vector on its diagonal, or the diagonal of this matrix.
    public func diagonal() throws(KLSError) -> Tensor {
        switch rank {
        case 1:
            let n = count
            return try Tensor(shape: [n, n]) { out in
                out.initialize(repeating: 0)
                for i in 0..<n { out[i * n + i] = self[flat: i] }
            }
        case 2:
            let (rows, columns) = (shape[0], shape[1])
            return try Tensor(shape: [Swift.min(rows, columns)]) { out in
                for i in out.indices { out[i] = self[flat: i * columns + i] }
            }
        default:
            throw KLSError("diag takes a vector or a matrix, got shape \(Shape.describe(shape))")
        }
    }

    /// The lower-triangular L with L Lᵀ = self, for each symmetric positive
    /// definite matrix (only the lower triangle is read, as in NumPy).
    public func cholesky() throws(KLSError) -> Tensor {
        let (n, blocks) = try squareBlocks("cholesky")
        return try Tensor(shape: shape) { out throws(KLSError) in
            out.initialize(repeating: 0)
            for b in 0..<blocks {
                let base = b * n * n
                for j in 0..<n {
                    var diagonal = self[flat: base + j * n + j]
                    for k in 0..<j { diagonal -= out[base + j * n + k] * out[base + j * n + k] }
                    guard diagonal > 0 else {
                        let which = blocks > 1 ? " (matrix \(b) of the stack)" : ""
                        throw KLSError(
                            "cholesky: the matrix is not positive definite\(which): pivot \(j) is "
                                + "\(diagonal.isNaN ? "nan" : String(diagonal))",
                            hint: "a covariance matrix must be symmetric with positive eigenvalues")
                    }
                    let l = diagonal.squareRoot()
                    out[base + j * n + j] = l
                    for i in (j + 1)..<n {
                        var s = self[flat: base + i * n + j]
                        for k in 0..<j { s -= out[base + i * n + k] * out[base + j * n + k] }
                        out[base + i * n + j] = s / l
                    }
                }
            }
        }
    }

    /// The determinant of each matrix.
    public func determinant() throws(KLSError) -> Tensor {
        let (n, blocks) = try squareBlocks("det")
        return try Tensor(shape: Array(shape.dropLast(2))) { out in
            for b in 0..<blocks {
                let lu = LUFactor(self, block: b, n: n)
                out[b] = lu.diagonalProduct
            }
        }
    }

    /// log det of each matrix; an error for a negative determinant, −inf for a singular matrix.
    public func logDeterminant() throws(KLSError) -> Tensor {
        let (n, blocks) = try squareBlocks("logdet")
        return try Tensor(shape: Array(shape.dropLast(2))) { out throws(KLSError) in
            for b in 0..<blocks {
                let (sign, logAbs) = LUFactor(self, block: b, n: n).logAbsDeterminant
                guard sign >= 0 else {
                    throw KLSError(
                        "logdet: the determinant is negative, so it has no real logarithm",
                        hint: "log(abs(det(x))) is the log of its magnitude")
                }
                out[b] = logAbs
            }
        }
    }

    /// The inverse of each matrix.
    public func inverse() throws(KLSError) -> Tensor {
        let (n, blocks) = try squareBlocks("inv")
        return try Tensor(shape: shape) { out throws(KLSError) in
            for b in 0..<blocks {
                let lu = LUFactor(self, block: b, n: n)
                try lu.checkInvertible("inv", block: b, of: blocks)
                for j in 0..<n {
                    let column = lu.solve { $0 == j ? 1 : 0 }
                    for i in 0..<n { out[b * n * n + i * n + j] = column[i] }
                }
            }
        }
    }

    /// x with self · x = rhs: rhs a vector (one system per matrix), or a stack of
    /// n×k matrices matching the stack of `self`.
    public func solve(_ rhs: Tensor) throws(KLSError) -> Tensor {
        let (n, blocks) = try squareBlocks("solve")
        let vector = rhs.rank == 1
        let batch = Array(shape.dropLast(2))
        guard
            (vector && rhs.shape == [n] && blocks <= 1)
                || (!vector && rhs.rank == rank && Array(rhs.shape.dropLast(2)) == batch && rhs.shape[rank - 2] == n)
        else {
            let matrices = (batch.map(String.init) + [String(n), "k"]).joined(separator: ", ")
            throw KLSError(
                "solve: a of shape \(Shape.describe(shape)) needs b of shape [\(n)] or [\(matrices)], "
                    + "got \(Shape.describe(rhs.shape))")
        }
        let k = vector ? 1 : rhs.shape[rank - 1]
        return try Tensor(shape: rhs.shape) { out throws(KLSError) in
            for b in 0..<Swift.max(blocks, vector ? 1 : 0) where n > 0 {
                let lu = LUFactor(self, block: b, n: n)
                try lu.checkInvertible("solve", block: b, of: blocks)
                for j in 0..<k {
                    let column = lu.solve { rhs[flat: (b * n + $0) * k + j] }
                    for i in 0..<n { out[(b * n + i) * k + j] = column[i] }
                }
            }
        }
    }

    /// The covariance matrix of the columns (each row one observation), or of
    /// the rows when `rowvar`; a vector gives its variance. Divides by n − ddof.
    public func covariance(rowvar: Bool, ddof: Double) throws(KLSError) -> Tensor {
        let x = self
        guard x.rank == 1 || x.rank == 2 else {
            throw KLSError("cov takes a vector or a matrix, got shape \(Shape.describe(x.shape))")
        }
        let data = x.rank == 1 ? try x.reshaped([x.count, 1]) : rowvar ? try x.transposed() : x
        let (n, d) = (data.shape[0], data.shape[1])
        guard Double(n) - ddof > 0 else {
            throw KLSError("cov needs more than ddof = \(String(ddof)) observations, got \(n)")
        }
        let means = (0..<d).map { j in (0..<n).reduce(0.0) { $0 + data[flat: $1 * d + j] } / Double(n) }
        let result = try Tensor(shape: [d, d]) { out in
            for i in 0..<d {
                for j in i..<d {
                    var total = 0.0
                    for t in 0..<n { total += (data[flat: t * d + i] - means[i]) * (data[flat: t * d + j] - means[j]) }
                    out[i * d + j] = total / (Double(n) - ddof)
                    out[j * d + i] = out[i * d + j]
                }
            }
        }
        return x.rank == 1 ? try result.reshaped([]) : result
    }
}

/// PA = LU of one n×n block, L unit lower triangular, stored together.
struct LUFactor {
    var lu: [Double]
    var permutation: [Int]
    var swaps = 0
    let n: Int

    init(_ matrix: Tensor, block: Int, n: Int) {
        self.n = n
        lu = (0..<n * n).map { matrix[flat: block * n * n + $0] }
        permutation = Array(0..<n)
        for j in 0..<n {
            var pivot = j
            for i in (j + 1)..<n where abs(lu[i * n + j]) > abs(lu[pivot * n + j]) { pivot = i }
            if pivot != j {
                for c in 0..<n { lu.swapAt(j * n + c, pivot * n + c) }
                permutation.swapAt(j, pivot)
                swaps += 1
            }
            let p = lu[j * n + j]
            guard p != 0 else { continue }
            for i in (j + 1)..<n {
                let factor = lu[i * n + j] / p
                lu[i * n + j] = factor
                for c in (j + 1)..<n { lu[i * n + c] -= factor * lu[j * n + c] }
            }
        }
    }

    var diagonalProduct: Double {
        (0..<n).reduce(swaps % 2 == 0 ? 1.0 : -1.0) { $0 * lu[$1 * n + $1] }
    }

    /// The determinant's sign (0 when singular) and log of its magnitude.
    var logAbsDeterminant: (sign: Double, log: Double) {
        var sign = swaps % 2 == 0 ? 1.0 : -1.0
        var total = 0.0
        for i in 0..<n {
            let u = lu[i * n + i]
            if u == 0 { return (0, -.infinity) }
            if u < 0 { sign = -sign }
            total += Foundation.log(abs(u))
        }
        return (sign, total)
    }

    func checkInvertible(_ what: String, block: Int, of blocks: Int) throws(KLSError) {
        guard let zero = (0..<n).first(where: { lu[$0 * n + $0] == 0 || !lu[$0 * n + $0].isFinite }) else { return }
        let which = blocks > 1 ? " (matrix \(block) of the stack)" : ""
        throw KLSError("\(what): the matrix is singular\(which): pivot \(zero) is \(lu[zero * n + zero])")
    }

    /// x with A x = b, b given by index.
    func solve(_ b: (Int) -> Double) -> [Double] {
        var y = permutation.map(b)
        for i in 0..<n {
            for k in 0..<i { y[i] -= lu[i * n + k] * y[k] }
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            for k in (i + 1)..<n { y[i] -= lu[i * n + k] * y[k] }
            y[i] /= lu[i * n + i]
        }
        return y
    }
}
