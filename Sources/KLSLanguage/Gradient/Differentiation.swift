import Foundation
import KLSDiagnostics
import KLSGradient
import KLSTensor

/// The bridge between the language's values and the traced numbers of
/// `KLSGradient`: the operators and builtins differentiate by converting their
/// operands, computing on `TracedNumber` (which records onto the tape when an
/// operand is traced) and converting the result back.
enum Differentiation {
    /// The tensor inside a numeric or traced value.
    static func tensor(_ v: Value, _ what: String) throws(KLSError) -> Tensor {
        if case .traced(let t) = v { return t.value }
        return try v.asTensor(what)
    }

    /// A numeric or traced value as a number formulas compute with (a traced
    /// deferred tensor becomes one node on the tape).
    static func number(_ v: Value, _ what: String) throws(KLSError) -> TracedNumber {
        switch v {
        case .traced(let t): return .traced(t)
        case .deferred(let d) where d.isTraced: return try FusedGradient.tensor(d)
        default: return .plain(try v.asTensor(what))
        }
    }

    /// `a op b` for the arithmetic operators with a traced operand: fused when
    /// large (`Fusion`), else one node per operation.
    static func binary(_ op: BinaryOperator, _ a: Value, _ b: Value) throws(KLSError) -> Value {
        if let fused = try Fusion.combine(op, a, b) { return fused }
        let x = try number(a, "left operand of '\(op.rawValue)'")
        let y = try number(b, "right operand of '\(op.rawValue)'")
        return Value(try TracedNumber.binary(op, x, y))
    }

    /// `-x` of a traced x.
    static func negate(_ t: Traced) throws(KLSError) -> Value { Value(try TracedNumber.negate(.traced(t))) }

    /// `a @ b` with a traced operand.
    static func matmul(_ a: Value, _ b: Value) throws(KLSError) -> Value {
        if let fused = try Fusion.product(a, b) { return fused }
        return Value(try TracedNumber.matmul(try number(a, "left operand of @"), try number(b, "right operand of @")))
    }

    /// `x[components]` of a traced x: the gradient lands in the selected places.
    static func index(_ t: Traced, _ components: [IndexComponent]) throws(KLSError) -> Value {
        Value(try TracedNumber.index(.traced(t), components))
    }

    /// `[a, b, …]` with traced items: stacked along a new first axis.
    static func stack(_ items: [Value]) throws(KLSError) -> Value {
        var numbers: [TracedNumber] = []
        for item in items { numbers.append(try number(item, "list item")) }
        return Value(try TracedNumber.stack(numbers))
    }

    /// `x.T` of a traced x.
    static func transpose(_ t: Traced) throws(KLSError) -> Value { Value(try TracedNumber.transpose(.traced(t))) }

    /// `f(x)` for an element-wise builtin with a derivative rule.
    static func elementwise(_ function: UnaryFunction, _ t: Traced) throws(KLSError) -> Value {
        if let fused = try Fusion.map(function, .traced(t)) { return fused }
        return Value(try TracedNumber.apply(function, .traced(t)))
    }
}

extension Value {
    /// A traced number as a value: traced, or a plain number or tensor.
    init(_ number: TracedNumber) {
        switch number {
        case .plain(let t): self = .from(t)
        case .traced(let t): self = .traced(t)
        }
    }
}
