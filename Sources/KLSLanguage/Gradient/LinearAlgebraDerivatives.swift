import KLSDiagnostics
import KLSTensor

/// Derivative rules of the matrix builtins, stack-wise over the last two axes
/// (Giles 2008, "Extended collection of matrix derivative results"; Murray
/// 2016 for the Cholesky factor). A symmetric argument's gradient is the
/// symmetric one, as PyTorch and JAX give it: perturbing one off-diagonal
/// entry alone would leave the set of symmetric matrices.
enum LinearAlgebraDerivatives {
    static let cholesky = Derivative.custom { a, _ throws(KLSError) in try cholesky(a["x"]) }
    static let inverse = Derivative.custom { a, _ throws(KLSError) in try inverse(a["x"]) }
    static let solve = Derivative.custom { a, _ throws(KLSError) in try solve(a["a"], a["b"]) }
    static let logdet = Derivative.custom { a, _ throws(KLSError) in try determinant(a["x"], logarithm: true) }
    static let det = Derivative.custom { a, _ throws(KLSError) in try determinant(a["x"], logarithm: false) }
    static let diag = Derivative.custom { a, _ throws(KLSError) in try diag(a["x"]) }

    /// L with L Lᵀ = x. With Φ(M) the lower triangle of M with its diagonal
    /// halved, x̄ = sym(L⁻ᵀ Φ(Lᵀ L̄) L⁻¹).
    static func cholesky(_ v: Value) throws(KLSError) -> Value {
        let x = try Differentiation.tensor(v, "x")
        let l = try x.cholesky()
        guard let t = Differentiation.traced(v) else { return .tensor(l) }
        return .traced(
            t.tape.record(l) { g, pass throws(KLSError) in
                let inverseL = try l.inverse()
                let phi = try lowerWithHalfDiagonal(try Tensor.matmul(try l.matrixTransposed(), g))
                let inner = try Tensor.matmul(try Tensor.matmul(try inverseL.matrixTransposed(), phi), inverseL)
                try pass(t, try symmetric(inner))
            })
    }

    /// x⁻¹; x̄ = −x⁻ᵀ ȳ x⁻ᵀ.
    static func inverse(_ v: Value) throws(KLSError) -> Value {
        let y = try Differentiation.tensor(v, "x").inverse()
        guard let t = Differentiation.traced(v) else { return .tensor(y) }
        return .traced(
            t.tape.record(y) { g, pass throws(KLSError) in
                let yt = try y.matrixTransposed()
                try pass(t, try Tensor.matmul(try Tensor.matmul(yt, g), yt).map(.negate))
            })
    }

    /// x with a x = b; b̄ = a⁻ᵀ x̄ and ā = −b̄ xᵀ.
    static func solve(_ av: Value, _ bv: Value) throws(KLSError) -> Value {
        let a = try Differentiation.tensor(av, "a")
        let b = try Differentiation.tensor(bv, "b")
        let x = try a.solve(b)
        guard let tape = try Differentiation.tape([av, bv]) else { return Value.from(x) }
        let (ta, tb) = (Differentiation.traced(av), Differentiation.traced(bv))
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
    static func determinant(_ v: Value, logarithm: Bool) throws(KLSError) -> Value {
        let x = try Differentiation.tensor(v, "x")
        let out = logarithm ? try x.logDeterminant() : try x.determinant()
        guard let t = Differentiation.traced(v) else { return Value.from(out) }
        return .traced(
            t.tape.record(out) { g, pass throws(KLSError) in
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
                try pass(t, try Tensor.binary(.multiply, scale, try inverse.matrixTransposed()))
            })
    }

    /// diag of a vector (a matrix) or of a matrix (its diagonal): the gradient
    /// is the other direction's diag, zero off the diagonal.
    static func diag(_ v: Value) throws(KLSError) -> Value {
        let x = try Differentiation.tensor(v, "x")
        let out = try LinearAlgebraBuiltins.diagonal(x)
        guard let t = Differentiation.traced(v) else { return .tensor(out) }
        return .traced(
            t.tape.record(out) { g, pass throws(KLSError) in
                if x.rank == 1 {
                    try pass(t, try LinearAlgebraBuiltins.diagonal(g))
                } else {
                    var full = try Tensor(repeating: 0, shape: x.shape)
                    for i in 0..<g.count { try full.assign([.single(i), .single(i)], Tensor(scalar: g[flat: i])) }
                    try pass(t, full)
                }
            })
    }

    /// The diagonals of a stack of matrices, `[…, d, d]` → `[…, d]`.
    static func diagonals(_ v: Value) throws(KLSError) -> Value {
        let x = try Differentiation.tensor(v, "x")
        let d = x.shape.last ?? 0
        let out = try Tensor(shape: Array(x.shape.dropLast())) { out in
            for i in 0..<out.count { out[i] = x[flat: i * d + i % Swift.max(d, 1)] }
        }
        guard let t = Differentiation.traced(v) else { return .tensor(out) }
        return .traced(
            t.tape.record(out) { g, pass throws(KLSError) in
                try pass(
                    t,
                    try Tensor(shape: x.shape) { full in
                        full.initialize(repeating: 0)
                        for i in 0..<g.count { full[i * d + i % d] = g[flat: i] }
                    })
            })
    }

    /// The lower triangle of each matrix, its diagonal halved: Φ of the Cholesky rule.
    static func lowerWithHalfDiagonal(_ m: Tensor) throws(KLSError) -> Tensor {
        let d = m.shape.last ?? 0
        return try Tensor(shape: m.shape) { out in
            for k in 0..<out.count {
                let (i, j) = ((k / Swift.max(d, 1)) % d, k % d)
                out[k] = i > j ? m[flat: k] : (i == j ? 0.5 * m[flat: k] : 0)
            }
        }
    }

    /// (m + mᵀ)/2 for each matrix.
    static func symmetric(_ m: Tensor) throws(KLSError) -> Tensor {
        try Tensor.binary(
            .multiply, try Tensor.binary(.add, m, try m.matrixTransposed()), scalar: 0.5, scalarOnLeft: false)
    }
}
