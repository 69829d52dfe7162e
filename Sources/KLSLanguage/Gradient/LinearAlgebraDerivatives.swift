import KLSDiagnostics
import KLSGradient
import KLSTensor

/// The matrix builtins' derivative rules: `TracedNumber`'s, on the builtins' arguments.
enum LinearAlgebraDerivatives {
    static let cholesky = Derivative.custom { a, _ throws(KLSError) in try cholesky(a["x"]) }
    static let inverse = Derivative.custom { a, _ throws(KLSError) in try inverse(a["x"]) }
    static let solve = Derivative.custom { a, _ throws(KLSError) in try solve(a["a"], a["b"]) }
    static let logdet = Derivative.custom { a, _ throws(KLSError) in try determinant(a["x"], logarithm: true) }
    static let det = Derivative.custom { a, _ throws(KLSError) in try determinant(a["x"], logarithm: false) }
    static let diag = Derivative.custom { a, _ throws(KLSError) in try diag(a["x"]) }

    private static func unary(_ v: Value, _ f: (TracedNumber) throws(KLSError) -> TracedNumber) throws(KLSError)
        -> Value
    {
        Value(try f(try Differentiation.number(v, "x")))
    }

    static func cholesky(_ v: Value) throws(KLSError) -> Value { try unary(v, TracedNumber.cholesky) }
    static func inverse(_ v: Value) throws(KLSError) -> Value { try unary(v, TracedNumber.inverse) }
    static func diag(_ v: Value) throws(KLSError) -> Value { try unary(v, TracedNumber.diag) }

    static func solve(_ a: Value, _ b: Value) throws(KLSError) -> Value {
        Value(try TracedNumber.solve(try Differentiation.number(a, "a"), try Differentiation.number(b, "b")))
    }

    static func determinant(_ v: Value, logarithm: Bool) throws(KLSError) -> Value {
        try unary(v) { x throws(KLSError) in try TracedNumber.determinant(x, logarithm: logarithm) }
    }
}
