import KLSDiagnostics
import KLSGradient
import KLSTensor

/// Element-wise functions (language.md §4, "Element-wise"). Each accepts a number or a tensor
/// and returns the same kind.
enum ElementwiseBuiltins {
    static let unary: [(UnaryFunction, String, String)] = [
        (.exp, "e to the power x.", "exp([0, 1])"),
        (.log, "Natural logarithm; log(0) = -inf, negative → nan.", "log(exp(2))"),
        (.log1p, "log(1 + x), accurate for tiny x.", "log1p(1e-10)"),
        (.expm1, "exp(x) − 1, accurate for tiny x.", "expm1(1e-10)"),
        (.sqrt, "Square root; negative → nan.", "sqrt([4, 9])"),
        (.abs, "Absolute value.", "abs([-1, 2])"),
        (.square, "x².", "square(3)"),
        (.sin, "Sine (radians).", "sin(0.5)"),
        (.cos, "Cosine (radians).", "cos(0.5)"),
        (.tan, "Tangent (radians).", "tan(0.5)"),
        (.tanh, "Hyperbolic tangent.", "tanh([-1, 0, 1])"),
        (.sigmoid, "The logistic function 1/(1+e^−x), stable for large |x|.", "sigmoid([-800, 0, 800])"),
        (.softplus, "log(1 + e^x) without overflow.", "softplus([-50, 0, 800])"),
        (.lgamma, "log |Γ(x)|.", "lgamma(10)"),
        (.digamma, "ψ(x) = d/dx log Γ(x).", "digamma(1)"),
        (.trigamma, "ψ′(x) = d²/dx² log Γ(x) (SciPy's polygamma(1, x)).", "trigamma(1)"),
        (.erf, "The error function.", "erf(0.5)"),
        (.erfc, "1 − erf(x), accurate in the tail.", "erfc(5)"),
        (.floor, "Largest whole number ≤ x.", "floor(-1.5)"),
        (.ceil, "Smallest whole number ≥ x.", "ceil(-1.5)"),
        (.round, "Nearest whole number, halves to even (NumPy).", "round([0.5, 1.5, 2.5])"),
        (.sign, "−1, 0 or 1 by the sign of x.", "sign([-2, 0, 3])"),
        (.isnan, "1 where x is nan, else 0.", "isnan(log(-1))"),
        (.isfinite, "1 where x is finite, else 0.", "isfinite([1, 1/0])"),
    ]

    static let all: [Builtin] =
        unary.map { function, summary, example in
            Builtin(function.rawValue, [.required("x")], theme: .elementwise, summary: summary, example: example) {
                a, _ throws(KLSError) in
                if let fused = try Fusion.map(function, a["x"]) { return fused }
                return Value.from(try a.takeTensor("x").map(function))
            }.differentiable(ElementwiseDerivatives.rule(function) == nil ? nil : .elementwise(function))
                .fusing(traced: true)
        } + [
            binary("pow", .power, "x to the power y, element-wise.", "pow([1, 2, 3], 2)").differentiable(
                .custom { a, _ throws(KLSError) in try Differentiation.binary(.power, a["x"], a["y"]) }),
            binary("maximum", .maximum, "The larger of x and y, element-wise (nan wins).", "maximum([1, 5], [3, 2])")
                .differentiable(ReductionDerivatives.extremum(.maximum)),
            binary("minimum", .minimum, "The smaller of x and y, element-wise (nan wins).", "minimum([1, 5], [3, 2])")
                .differentiable(ReductionDerivatives.extremum(.minimum)),
            Builtin(
                "clip",
                [
                    .required("x"), .required("lo").meaning("the smallest value kept"),
                    .required("hi").meaning("the largest value kept"),
                ], theme: .elementwise,
                summary: "x limited to [lo, hi].", example: "clip([-2, 0.5, 3], 0, 1)"
            ) { a, _ throws(KLSError) in
                let low = try combine(.maximum, a["x"], a["lo"])
                return try combine(.minimum, low, a["hi"])
            }.differentiable(ReductionDerivatives.clip).fusing(),
            Builtin(
                "where",
                [
                    .required("condition"), .required("x").meaning("taken where condition is true"),
                    .required("y").meaning("taken where condition is false"),
                ], theme: .elementwise,
                summary: "x where condition is non-zero, else y (broadcast).", example: "where([1, 0, 1], 10, -1)"
            ) { a, _ throws(KLSError) in
                if let fused = try Fusion.select(a["condition"], a["x"], a["y"]) { return fused }
                return Value.from(try Tensor.select(try a.tensor("condition"), try a.tensor("x"), try a.tensor("y")))
            }.differentiable(ReductionDerivatives.select).fusing(traced: true),
        ]

    static func binary(_ name: String, _ op: BinaryOperator, _ summary: String, _ example: String) -> Builtin {
        Builtin(name, [.required("x"), .required("y")], theme: .elementwise, summary: summary, example: example) {
            a, _ throws(KLSError) in
            try combine(op, a["x"], a["y"])
        }.fusing(traced: true)
    }

    /// `op` of two numeric values: fused when large, else eagerly.
    static func combine(_ op: BinaryOperator, _ x: Value, _ y: Value) throws(KLSError) -> Value {
        if let fused = try Fusion.combine(op, x, y) { return fused }
        return Value.from(try Tensor.binary(op, try x.asTensor("x"), try y.asTensor("y")))
    }
}
