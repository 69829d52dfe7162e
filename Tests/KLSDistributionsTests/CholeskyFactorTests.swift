import Foundation
import KLSTensor
import Testing

@testable import KLSDistributions

/// The shared forward substitution and log-determinant, against values worked
/// by hand (NumPy: `np.linalg.cholesky([[4, 2], [2, 3]])` = [[2, 0], [1, √2]]).
@Suite struct CholeskyFactorTests {
    let factor = CholeskyFactor(
        factors: try! Tensor(shape: [1, 2, 2], values: [2, 0, 1, 2.0.squareRoot()]),
        block: 0, dimension: 2)

    @Test func forwardSubstitution() {
        var y = [0.0, 0.0]
        let squares = factor.solve({ [2.0, 3.0][$0] }, into: &y)
        #expect(Swift.abs(y[0] - 1) < 1e-15)
        #expect(Swift.abs(y[1] - 2.0.squareRoot()) < 1e-15)
        // bᵀΣ⁻¹b with Σ = [[4, 2], [2, 3]], b = [2, 3]: (3·4 − 2·2·6 + 4·9) / 8 = 3.
        #expect(Swift.abs(squares - 3) < 1e-14)
    }

    @Test func halfLogDeterminant() {
        // |Σ| = 8, so ½ log|Σ| = 1.5 log 2.
        #expect(Swift.abs(factor.halfLogDeterminant - 1.5 * Foundation.log(2.0)) < 1e-15)
    }

    @Test func solvingAgainstItselfGivesTheIdentity() {
        let identity = factor.solve(lowerTriangular: factor)
        for (value, expected) in zip(identity, [1.0, 0, 0, 1]) { #expect(Swift.abs(value - expected) < 1e-15) }
    }
}
