import Foundation
import KLSDiagnostics
import KLSGradient
import KLSTensor

/// The derivative rules of the operators: each computes the value as usual and,
/// when an operand is traced, records how the gradient flows back to it.
enum Differentiation {
    /// The tensor inside a numeric or traced value.
    static func tensor(_ v: Value, _ what: String) throws(KLSError) -> Tensor {
        if case .traced(let t) = v { return t.value }
        return try v.asTensor(what)
    }

    static func traced(_ v: Value) -> Traced? {
        if case .traced(let t) = v { return t }
        return nil
    }

    /// The tape of the traced operands (they must share one).
    static func tape(_ values: [Value]) throws(KLSError) -> GradientTape? {
        var found: GradientTape?
        for v in values {
            guard let t = traced(v) else { continue }
            if let found, found !== t.tape { throw GradientTape.nested() }
            found = t.tape
        }
        return found
    }

    static func scale(_ g: Tensor, _ factor: Tensor) throws(KLSError) -> Tensor {
        try Tensor.binary(.multiply, g, factor)
    }

    /// `a op b` for the arithmetic operators with a traced operand.
    static func binary(_ op: BinaryOperator, _ a: Value, _ b: Value) throws(KLSError) -> Value {
        let x = try tensor(a, "left operand of '\(op.rawValue)'")
        let y = try tensor(b, "right operand of '\(op.rawValue)'")
        let out = try Tensor.binary(op, x, y)
        guard let tape = try tape([a, b]), [.add, .subtract, .multiply, .divide, .power, .modulo].contains(op) else {
            return Value.from(out)
        }
        let (ta, tb) = (traced(a), traced(b))
        return .traced(
            tape.record(out) { g, pass throws(KLSError) in
                let (ga, gb) = try partials(op, g, x, y, out)
                if let ta { try pass(ta, try GradientRules.unbroadcast(ga, to: x.shape)) }
                if let tb, let gb { try pass(tb, try GradientRules.unbroadcast(gb, to: y.shape)) }
            })
    }

    /// The gradients of `x op y` given the output's gradient `g` (nil: no gradient).
    private static func partials(
        _ op: BinaryOperator, _ g: Tensor, _ x: Tensor, _ y: Tensor, _ out: Tensor
    ) throws(KLSError) -> (Tensor, Tensor?) {
        switch op {
        case .add: return (g, g)
        case .subtract: return (g, try g.map(.negate))
        case .multiply: return (try scale(g, y), try scale(g, x))
        case .divide:
            return (try Tensor.binary(.divide, g, y), try scale(g, try Tensor.binary(.divide, out, y)).map(.negate))
        case .power:
            // d/dx x^y = y x^(y−1); d/dy x^y = x^y log x, taken as 0 where x^y is 0.
            let dx = try scale(
                y, try Tensor.binary(.power, x, try Tensor.binary(.subtract, y, scalar: 1, scalarOnLeft: false)))
            let logX = try x.map(.log)
            let dy = try ElementwiseBuiltins.select(out, try scale(out, logX), Tensor(scalar: 0))
            return (try scale(g, dx), try scale(g, dy))
        case .modulo:
            let quotient = try Tensor.binary(.divide, x, y).map(.floor)
            return (g, try scale(g, quotient).map(.negate))
        default:
            return (g, nil)
        }
    }

    /// `-x` of a traced x.
    static func negate(_ t: Traced) throws(KLSError) -> Value {
        .traced(t.tape.record(try t.value.map(.negate)) { g, pass throws(KLSError) in try pass(t, try g.map(.negate)) })
    }

    /// `a @ b` with a traced operand: vectors, matrices and stacks of matrices
    /// whose leading axes broadcast, as NumPy's matmul.
    static func matmul(_ a: Value, _ b: Value) throws(KLSError) -> Value {
        let x = try tensor(a, "left operand of @")
        let y = try tensor(b, "right operand of @")
        let out = try Tensor.matmul(x, y)
        guard let tape = try tape([a, b]) else { return Value.from(out) }
        let (ta, tb) = (traced(a), traced(b))
        return .traced(
            tape.record(out) { g, pass throws(KLSError) in
                // As matrices: a vector x is a row [1, k], a vector y a column [k, 1].
                let xm = x.rank == 1 ? try x.reshaped([1, x.count]) : x
                let ym = y.rank == 1 ? try y.reshaped([y.count, 1]) : y
                let m = xm.shape[xm.rank - 2]
                let n = ym.shape[ym.rank - 1]
                let matrixAxes = (x.rank == 1 ? 0 : 1) + (y.rank == 1 ? 0 : 1)
                let gm = try g.reshaped(Array(out.shape.dropLast(matrixAxes)) + [m, n])
                if let ta {
                    let share = try Tensor.matmul(gm, try ym.matrixTransposed())
                    try pass(ta, try GradientRules.unbroadcast(share, to: xm.shape).reshaped(x.shape))
                }
                if let tb {
                    let share = try Tensor.matmul(try xm.matrixTransposed(), gm)
                    try pass(tb, try GradientRules.unbroadcast(share, to: ym.shape).reshaped(y.shape))
                }
            })
    }

    /// `x[components]` of a traced x: the gradient lands in the selected places.
    static func index(_ t: Traced, _ components: [IndexComponent]) throws(KLSError) -> Value {
        let out = try t.value.index(components)
        let shape = t.value.shape
        return .traced(
            t.tape.record(out) { g, pass throws(KLSError) in
                var full = try Tensor(repeating: 0, shape: shape)
                try full.assign(components, g)
                try pass(t, full)
            })
    }

    /// `[a, b, …]` with traced items: stacked along a new first axis; each item
    /// gets its slice of the gradient.
    static func stack(_ items: [Value]) throws(KLSError) -> Value {
        var tensors: [Tensor] = []
        for item in items { tensors.append(try tensor(item, "list item")) }
        guard tensors.allSatisfy({ $0.shape == tensors[0].shape }) else {
            throw KLSError("the items of a bracket literal under grad must have one shape to stack")
        }
        let out = try Tensor.stack(tensors, axis: 0)
        guard let tape = try tape(items) else { return Value.from(out) }
        return .traced(
            tape.record(out) { g, pass throws(KLSError) in
                for (i, item) in items.enumerated() {
                    if let t = traced(item) { try pass(t, try g.index([.single(i)])) }
                }
            })
    }

    /// `x.T` of a traced x.
    static func transpose(_ t: Traced) throws(KLSError) -> Value {
        .traced(
            t.tape.record(try t.value.transposed()) { g, pass throws(KLSError) in try pass(t, try g.transposed()) })
    }

    /// `f(x)` for an element-wise builtin with a derivative rule.
    static func elementwise(_ function: UnaryFunction, _ t: Traced) throws(KLSError) -> Value {
        guard let derivative = ElementwiseDerivatives.rule(function) else {
            throw KLSError(
                "\(function.rawValue) has no derivative here",
                hint: "grad covers arithmetic, @, indexing and the smooth element-wise builtins")
        }
        let out = try t.value.map(function)
        return .traced(
            t.tape.record(out) { g, pass throws(KLSError) in
                try pass(t, try scale(g, try derivative(t.value, out)))
            })
    }
}
