import KLSDiagnostics
import KLSTensor

/// Derivative rules of the matrix functions, stack-wise over the last two axes
/// (Giles 2008, "Extended collection of matrix derivative results"; Murray
/// 2016 for the Cholesky factor). A symmetric argument's gradient is the
/// symmetric one, as PyTorch and JAX give it: perturbing one off-diagonal
/// entry alone would leave the set of symmetric matrices.
extension TracedNumber {
    /// L with L Lᵀ = x. With Φ(M) the lower triangle of M with its diagonal
    /// halved, x̄ = sym(L⁻ᵀ Φ(Lᵀ L̄) L⁻¹).
    package static func cholesky(_ x: TracedNumber) throws(KLSError) -> TracedNumber {
        let l = try x.value.cholesky()
        guard let t = x.node else { return .plain(l) }
        return unary(t, l) { g throws(KLSError) in
            let inverseL = try l.inverse()
            let phi = try lowerWithHalfDiagonal(try Tensor.matmul(try l.matrixTransposed(), g))
            let inner = try Tensor.matmul(try Tensor.matmul(try inverseL.matrixTransposed(), phi), inverseL)
            return try symmetric(inner)
        }
    }

    /// x⁻¹; x̄ = −x⁻ᵀ ȳ x⁻ᵀ.
    package static func inverse(_ x: TracedNumber) throws(KLSError) -> TracedNumber {
        let y = try x.value.inverse()
        guard let t = x.node else { return .plain(y) }
        return unary(t, y) { g throws(KLSError) in
            let yt = try y.matrixTransposed()
            return try Tensor.matmul(try Tensor.matmul(yt, g), yt).map(.negate)
        }
    }

    /// x with a x = b; b̄ = a⁻ᵀ x̄ and ā = −b̄ xᵀ.
    package static func solve(_ av: TracedNumber, _ bv: TracedNumber) throws(KLSError) -> TracedNumber {
        let (a, b) = (av.value, bv.value)
        let x = try a.solve(b)
        guard let tape = try tape([av, bv]) else { return .plain(x) }
        let (ta, tb) = (av.node, bv.node)
        return .traced(
            tape.record(x) { g, pass throws(KLSError) in
                let gb = try a.matrixTransposed().solve(g)
                if let tb { try pass(tb, gb) }
                guard let ta else { return }
                let outer =
                    b.rank == 1
                    ? try Tensor.binary(.multiply, try gb.reshaped([gb.count, 1]), try x.reshaped([1, x.count]))
                    : try Tensor.matmul(gb, try x.matrixTransposed())
                try pass(ta, try outer.map(.negate))
            })
    }

    /// det x or log det x; x̄ = ḡ · det x · x⁻ᵀ, or ḡ · x⁻ᵀ for the logarithm.
    package static func determinant(_ v: TracedNumber, logarithm: Bool) throws(KLSError) -> TracedNumber {
        let x = v.value
        let out = logarithm ? try x.logDeterminant() : try x.determinant()
        guard let t = v.node else { return .plain(out) }
        return unary(t, out) { g throws(KLSError) in
            let inverse: Tensor
            do {
                inverse = try x.inverse()
            } catch {
                throw KLSError(
                    "grad of \(logarithm ? "logdet" : "det") at a singular matrix is not defined here",
                    hint: "the gradient involves the inverse, which does not exist")
            }
            var scale = logarithm ? g : try Tensor.binary(.multiply, g, out)
            scale = try scale.reshaped(scale.shape + [1, 1])
            return try Tensor.binary(.multiply, scale, try inverse.matrixTransposed())
        }
    }

    /// diag of a vector (a matrix) or of a matrix (its diagonal): the gradient
    /// is the other direction's diag, zero off the diagonal.
    package static func diag(_ v: TracedNumber) throws(KLSError) -> TracedNumber {
        let x = v.value
        let out = try x.diagonal()
        guard let t = v.node else { return .plain(out) }
        return unary(t, out) { g throws(KLSError) in
            if x.rank == 1 { return try g.diagonal() }
            var full = try Tensor(repeating: 0, shape: x.shape)
            for i in 0..<g.count { try full.assign([.single(i), .single(i)], Tensor(scalar: g[flat: i])) }
            return full
        }
    }

    /// The diagonals of a stack of matrices, `[…, d, d]` → `[…, d]`.
    package static func diagonals(_ v: TracedNumber) throws(KLSError) -> TracedNumber {
        let x = v.value
        let d = x.shape.last ?? 0
        let out = try Tensor(shape: Array(x.shape.dropLast())) { out in
            for i in 0..<out.count { out[i] = x[flat: i * d + i % Swift.max(d, 1)] }
        }
        guard let t = v.node else { return .plain(out) }
        return unary(t, out) { g throws(KLSError) in
            try Tensor(shape: x.shape) { full in
                full.initialize(repeating: 0)
                for i in 0..<g.count { full[i * d + i % d] = g[flat: i] }
            }
        }
    }

    /// The lower triangle of each matrix, its diagonal halved: Φ of the Cholesky rule.
    private static func lowerWithHalfDiagonal(_ m: Tensor) throws(KLSError) -> Tensor {
        let d = m.shape.last ?? 0
        return try Tensor(shape: m.shape) { out in
            for k in 0..<out.count {
                let (i, j) = ((k / Swift.max(d, 1)) % d, k % d)
                out[k] = i > j ? m[flat: k] : (i == j ? 0.5 * m[flat: k] : 0)
            }
        }
    }

    /// (m + mᵀ)/2 for each matrix.
    private static func symmetric(_ m: Tensor) throws(KLSError) -> Tensor {
        try Tensor.binary(
            .multiply, try Tensor.binary(.add, m, try m.matrixTransposed()), scalar: 0.5, scalarOnLeft: false)
    }
}
