import Foundation
import KLSTensor

/// A lower-triangular Cholesky factor L (Σ = LLᵀ), read in place from a
/// row-major d×d block of a tensor: the one forward substitution and the one
/// log-determinant that the Gaussian densities, closed forms and fused Monte
/// Carlo kernels share.
struct CholeskyFactor {
    /// The factors' storage, `[batch, d, d]` row-major.
    let factors: Tensor
    /// Which d×d block.
    let block: Int
    let dimension: Int

    @inline(__always) func element(_ i: Int, _ j: Int) -> Double {
        factors[flat: (block * dimension + i) * dimension + j]
    }

    /// Solves L y = b by forward substitution (b given by index), writing y into
    /// `y` (d elements); returns |y|², the quadratic form bᵀΣ⁻¹b.
    @discardableResult
    func solve(_ b: (Int) -> Double, into y: inout [Double]) -> Double {
        var squares = 0.0
        for i in 0..<dimension {
            var s = b(i)
            for k in 0..<i { s -= element(i, k) * y[k] }
            y[i] = s / element(i, i)
            squares += y[i] * y[i]
        }
        return squares
    }

    /// Σ log Lᵢᵢ = ½ log|Σ|.
    var halfLogDeterminant: Double {
        (0..<dimension).reduce(0.0) { $0 + Foundation.log(element($1, $1)) }
    }

    /// L⁻¹M for another lower-triangular factor M, row-major d×d (itself lower
    /// triangular), solved column by column.
    func solve(lowerTriangular other: CholeskyFactor) -> [Double] {
        let d = dimension
        var result = [Double](repeating: 0, count: d * d)
        var column = [Double](repeating: 0, count: d)
        for j in 0..<d {
            solve({ i in i >= j ? other.element(i, j) : 0 }, into: &column)
            for i in j..<d { result[i * d + j] = column[i] }
        }
        return result
    }
}

extension MvNormal {
    /// The Cholesky factor of batch element `b`.
    func factor(_ b: Int) -> CholeskyFactor {
        CholeskyFactor(factors: choleskyFactors, block: b, dimension: dimension)
    }
}
