import Foundation
import KLSDiagnostics
import KLSTensor

/// The arithmetic operators and element-wise functions on numbers that may be traced.
extension TracedNumber {
    /// The operators with a derivative; the others (comparisons, min, max) pass no gradient.
    private static let differentiable: Set<BinaryOperator> = [.add, .subtract, .multiply, .divide, .power, .modulo]

    /// `a op b`, broadcasting as NumPy.
    package static func binary(_ op: BinaryOperator, _ a: TracedNumber, _ b: TracedNumber) throws(KLSError)
        -> TracedNumber
    {
        let (x, y) = (a.value, b.value)
        let out = try Tensor.binary(op, x, y)
        guard let tape = try tape([a, b]), differentiable.contains(op) else { return .plain(out) }
        let (ta, tb) = (a.node, b.node)
        return .traced(
            tape.record(out) { g, pass throws(KLSError) in
                if let ta { try pass(ta, try GradientRules.unbroadcast(try leftPartial(op, g, x, y), to: x.shape)) }
                if let tb, let gb = try rightPartial(op, g, x, y, out) {
                    try pass(tb, try GradientRules.unbroadcast(gb, to: y.shape))
                }
            })
    }

    /// The gradient of `x` in `x op y` given the output's gradient `g` (each
    /// side's computed only when that side is traced: `x ^ 2` needs no log x).
    private static func leftPartial(_ op: BinaryOperator, _ g: Tensor, _ x: Tensor, _ y: Tensor) throws(KLSError)
        -> Tensor
    {
        switch op {
        case .multiply: return try Tensor.binary(.multiply, g, y)
        case .divide: return try Tensor.binary(.divide, g, y)
        case .power:
            // d/dx x^y = y x^(y−1).
            let lower = try Tensor.binary(.power, x, try Tensor.binary(.subtract, y, scalar: 1, scalarOnLeft: false))
            return try Tensor.binary(.multiply, g, try Tensor.binary(.multiply, y, lower))
        default: return g
        }
    }

    /// The gradient of `y` in `x op y` given the output's gradient `g` (nil: none).
    private static func rightPartial(
        _ op: BinaryOperator, _ g: Tensor, _ x: Tensor, _ y: Tensor, _ out: Tensor
    ) throws(KLSError) -> Tensor? {
        switch op {
        case .add: return g
        case .subtract: return try g.map(.negate)
        case .multiply: return try Tensor.binary(.multiply, g, x)
        case .divide:
            let quotient = try Tensor.binary(.divide, out, y)
            return try Tensor.binary(.multiply, g, quotient).map(.negate)
        case .power:
            // d/dy x^y = x^y log x, taken as 0 where x^y is 0.
            let dy = try Tensor.select(out, try Tensor.binary(.multiply, out, try x.map(.log)), Tensor(scalar: 0))
            return try Tensor.binary(.multiply, g, dy)
        case .modulo:
            let quotient = try Tensor.binary(.divide, x, y).map(.floor)
            return try Tensor.binary(.multiply, g, quotient).map(.negate)
        default:
            return nil
        }
    }

    /// `f(x)` for an element-wise function with a derivative rule.
    package static func apply(_ function: UnaryFunction, _ x: TracedNumber) throws(KLSError) -> TracedNumber {
        guard let t = x.node else { return .plain(try x.value.map(function)) }
        guard let derivative = ElementwiseDerivatives.rule(function) else {
            throw KLSError(
                "\(function.rawValue) has no derivative here",
                hint: "grad covers arithmetic, @, indexing and the smooth element-wise builtins")
        }
        let out = try t.value.map(function)
        return unary(t, out) { g throws(KLSError) in try Tensor.binary(.multiply, g, try derivative(t.value, out)) }
    }

    /// `-x`.
    package static func negate(_ x: TracedNumber) throws(KLSError) -> TracedNumber {
        guard let t = x.node else { return .plain(try x.value.map(.negate)) }
        return unary(t, try t.value.map(.negate)) { g throws(KLSError) in try g.map(.negate) }
    }
}

/// Formulas on traced numbers read as the maths they are — `try log(p1) -
/// log(q1) + scaled - 0.5` — one `try` covering the whole expression.
extension TracedNumber {
    public static func + (a: TracedNumber, b: TracedNumber) throws(KLSError) -> TracedNumber {
        try binary(.add, a, b)
    }
    public static func - (a: TracedNumber, b: TracedNumber) throws(KLSError) -> TracedNumber {
        try binary(.subtract, a, b)
    }
    public static func * (a: TracedNumber, b: TracedNumber) throws(KLSError) -> TracedNumber {
        try binary(.multiply, a, b)
    }
    public static func / (a: TracedNumber, b: TracedNumber) throws(KLSError) -> TracedNumber {
        try binary(.divide, a, b)
    }
    public static func + (a: TracedNumber, b: Double) throws(KLSError) -> TracedNumber { try a + TracedNumber(b) }
    public static func - (a: TracedNumber, b: Double) throws(KLSError) -> TracedNumber { try a - TracedNumber(b) }
    public static func * (a: TracedNumber, b: Double) throws(KLSError) -> TracedNumber { try a * TracedNumber(b) }
    public static func / (a: TracedNumber, b: Double) throws(KLSError) -> TracedNumber { try a / TracedNumber(b) }
    public static func + (a: Double, b: TracedNumber) throws(KLSError) -> TracedNumber { try TracedNumber(a) + b }
    public static func - (a: Double, b: TracedNumber) throws(KLSError) -> TracedNumber { try TracedNumber(a) - b }
    public static func * (a: Double, b: TracedNumber) throws(KLSError) -> TracedNumber { try TracedNumber(a) * b }
    public static func / (a: Double, b: TracedNumber) throws(KLSError) -> TracedNumber { try TracedNumber(a) / b }
    public static prefix func - (a: TracedNumber) throws(KLSError) -> TracedNumber { try negate(a) }
}
