import KLSDiagnostics
import KLSTensor

/// Matrices: diagonals, factors, solves, determinants and covariances. Each
/// works on a stack of matrices in the last two axes, as NumPy's `linalg` does.
enum LinearAlgebraBuiltins {
    static let all: [Builtin] = [
        Builtin(
            "diag", [.required("x").meaning("a vector (gives the diagonal matrix) or a matrix (gives its diagonal)")],
            theme: .linearAlgebra,
            summary: "A vector's diagonal matrix, or a matrix's diagonal as a vector (NumPy's diag).",
            example: "diag([1, 2, 3])"
        ) { a, _ throws(KLSError) in
            .tensor(try a.tensor("x").diagonal())
        }.differentiable(LinearAlgebraDerivatives.diag),
        Builtin(
            "cholesky", [.required("x").meaning("a symmetric positive definite matrix (or a stack)")],
            theme: .linearAlgebra,
            summary: "The lower-triangular L with L @ L.T == x, for a symmetric positive definite x.",
            example: "cholesky([[4, 2], [2, 3]])"
        ) { a, _ throws(KLSError) in
            .tensor(try a.tensor("x").cholesky())
        }.differentiable(LinearAlgebraDerivatives.cholesky),
        Builtin(
            "solve",
            [
                .required("a").meaning("a square, non-singular matrix"),
                .required("b").meaning("the right-hand side: a vector or matrix"),
            ], theme: .linearAlgebra,
            summary: "x with a @ x == b (LU with partial pivoting); b a vector or a matrix of columns.",
            example: "solve([[2, 1], [1, 3]], [3, 5])"
        ) { a, _ throws(KLSError) in
            Value.from(try a.tensor("a").solve(try a.tensor("b")))
        }.differentiable(LinearAlgebraDerivatives.solve),
        Builtin(
            "inv", [.required("x").meaning("a square, non-singular matrix")], theme: .linearAlgebra,
            summary: "The inverse matrix (prefer solve(a, b) to inv(a) @ b: it is faster and more accurate).",
            example: "inv([[2, 0], [0, 4]])"
        ) { a, _ throws(KLSError) in
            .tensor(try a.tensor("x").inverse())
        }.differentiable(LinearAlgebraDerivatives.inverse),
        Builtin(
            "det", [.required("x").meaning("a square matrix")], theme: .linearAlgebra,
            summary: "The determinant.", example: "det([[2, 1], [1, 3]])"
        ) { a, _ throws(KLSError) in
            Value.from(try a.tensor("x").determinant())
        }.differentiable(LinearAlgebraDerivatives.det),
        Builtin(
            "logdet", [.required("x").meaning("a square matrix with a positive determinant")], theme: .linearAlgebra,
            summary: "log det(x) without overflow (−inf when singular; an error when negative).",
            example: "logdet(eye(3) * 1e200)"
        ) { a, _ throws(KLSError) in
            Value.from(try a.tensor("x").logDeterminant())
        }.differentiable(LinearAlgebraDerivatives.logdet),
        Builtin(
            "cov",
            [
                .required("x").meaning("observations: a matrix, one row per observation (columns with rowvar=true)"),
                .optional("rowvar", .bool(false)).meaning(
                    "true: each row is a variable (NumPy's default), false: each column"),
                .optional("ddof", .number(1)).meaning("divide by N − ddof (1: the sample covariance)"),
            ],
            theme: .linearAlgebra,
            summary: "The covariance matrix of x's columns: each row is one observation, as sample() gives.",
            example: "cov(sample(MvNormal(zeros(2), [[1, 0.5], [0.5, 2]]), n=10000, seed=1))",
            details: [
                "rowvar=true treats each row as a variable (NumPy's np.cov default); ddof=1 divides by n − 1.",
                "A vector gives its variance.",
            ]
        ) { a, _ throws(KLSError) in
            Value.from(try a.tensor("x").covariance(rowvar: try a.bool("rowvar"), ddof: try a.number("ddof")))
        },
    ]
}
