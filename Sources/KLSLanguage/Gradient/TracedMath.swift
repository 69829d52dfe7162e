import Foundation
import KLSDiagnostics
import KLSGradient
import KLSTensor

/// Arithmetic on values that may be traced, for derivative rules written as
/// formulas: each step records onto the tape only when an operand is traced.
enum TracedMath {
    static func add(_ a: Value, _ b: Value) throws(KLSError) -> Value { try Operators.arithmetic(.add, a, b) }
    static func sub(_ a: Value, _ b: Value) throws(KLSError) -> Value { try Operators.arithmetic(.subtract, a, b) }
    static func mul(_ a: Value, _ b: Value) throws(KLSError) -> Value { try Operators.arithmetic(.multiply, a, b) }
    static func div(_ a: Value, _ b: Value) throws(KLSError) -> Value { try Operators.arithmetic(.divide, a, b) }

    static func apply(_ f: UnaryFunction, _ v: Value) throws(KLSError) -> Value {
        if case .traced(let t) = v { return try Differentiation.elementwise(f, t) }
        return Value.from(try v.asTensor().map(f))
    }

    /// The sum over the last axis (the event of a diagonal Gaussian), or over `axes`.
    static func sum(_ v: Value, axes: [Int]?) throws(KLSError) -> Value {
        let x = try Differentiation.tensor(v, "value")
        let out = try x.reduce(.sum, axes: axes, keepdims: false)
        guard case .traced(let t) = v else { return Value.from(out) }
        return .traced(
            t.tape.record(out) { g, pass throws(KLSError) in
                try pass(t, try ReductionDerivatives.expand(g, over: axes, of: x.shape))
            })
    }
}

extension TracedMath {
    /// a where mask is non-zero, else b; the gradient follows the same choice.
    static func select(_ mask: Tensor, _ a: Value, _ b: Value) throws(KLSError) -> Value {
        let (x, y) = (try Differentiation.tensor(a, "value"), try Differentiation.tensor(b, "value"))
        let out = try ElementwiseBuiltins.select(mask, x, y)
        guard let tape = try Differentiation.tape([a, b]) else { return Value.from(out) }
        let (ta, tb) = (Differentiation.traced(a), Differentiation.traced(b))
        return .traced(
            tape.record(out) { g, pass throws(KLSError) in
                let zero = Tensor(scalar: 0)
                if let ta {
                    try pass(
                        ta, try GradientRules.unbroadcast(try ElementwiseBuiltins.select(mask, g, zero), to: x.shape))
                }
                if let tb {
                    try pass(
                        tb, try GradientRules.unbroadcast(try ElementwiseBuiltins.select(mask, zero, g), to: y.shape))
                }
            })
    }
}

extension TracedMath {
    /// v reshaped; the gradient is reshaped back.
    static func reshape(_ v: Value, _ shape: [Int]) throws(KLSError) -> Value {
        let x = try Differentiation.tensor(v, "value")
        let out = try x.reshaped(shape)
        guard case .traced(let t) = v else { return .tensor(out) }
        return .traced(t.tape.record(out) { g, pass throws(KLSError) in try pass(t, try g.reshaped(x.shape)) })
    }

    static func matmul(_ a: Value, _ b: Value) throws(KLSError) -> Value { try Differentiation.matmul(a, b) }

    /// The transpose of each matrix of a stack.
    static func matrixTranspose(_ v: Value) throws(KLSError) -> Value {
        let x = try Differentiation.tensor(v, "value")
        let out = try x.matrixTransposed()
        guard case .traced(let t) = v else { return .tensor(out) }
        return .traced(t.tape.record(out) { g, pass throws(KLSError) in try pass(t, try g.matrixTransposed()) })
    }
}

/// Traced formulas read as the maths they are — `try log(p1) - log(q1) + scaled
/// - 0.5` — each operator one `TracedMath` step, recorded only when an operand
/// is traced (one `try` covers the whole expression).
extension Value {
    public static func + (a: Value, b: Value) throws(KLSError) -> Value { try TracedMath.add(a, b) }
    public static func - (a: Value, b: Value) throws(KLSError) -> Value { try TracedMath.sub(a, b) }
    public static func * (a: Value, b: Value) throws(KLSError) -> Value { try TracedMath.mul(a, b) }
    public static func / (a: Value, b: Value) throws(KLSError) -> Value { try TracedMath.div(a, b) }
    public static func + (a: Value, b: Double) throws(KLSError) -> Value { try TracedMath.add(a, .number(b)) }
    public static func - (a: Value, b: Double) throws(KLSError) -> Value { try TracedMath.sub(a, .number(b)) }
    public static func / (a: Value, b: Double) throws(KLSError) -> Value { try TracedMath.div(a, .number(b)) }
    public static func + (a: Double, b: Value) throws(KLSError) -> Value { try TracedMath.add(.number(a), b) }
    public static func - (a: Double, b: Value) throws(KLSError) -> Value { try TracedMath.sub(.number(a), b) }
    public static func * (a: Double, b: Value) throws(KLSError) -> Value { try TracedMath.mul(.number(a), b) }
    public static func * (a: Value, b: Double) throws(KLSError) -> Value { try TracedMath.mul(a, .number(b)) }
    public static func / (a: Double, b: Value) throws(KLSError) -> Value { try TracedMath.div(.number(a), b) }
    public static prefix func - (a: Value) throws(KLSError) -> Value { try TracedMath.mul(.number(-1), a) }
}

/// Values that may be traced are numbers the families' formulas compute with:
/// `grad` differentiates a family's own logpdf, entropy, moments and KL.
extension Value: FormulaNumber {
    public typealias Failure = KLSError

    public static func constant(_ c: Double) -> Value { .number(c) }
    public var plainValues: [Double] {
        guard let plain = try? Differentiation.tensor(self, "value") else { return [] }
        return (0..<plain.count).map { plain[flat: $0] }
    }
    public static func log(_ x: Value) throws(KLSError) -> Value { try TracedMath.apply(.log, x) }
    public static func log1p(_ x: Value) throws(KLSError) -> Value { try TracedMath.apply(.log1p, x) }
    public static func exp(_ x: Value) throws(KLSError) -> Value { try TracedMath.apply(.exp, x) }
    public static func expm1(_ x: Value) throws(KLSError) -> Value { try TracedMath.apply(.expm1, x) }
    public static func sqrt(_ x: Value) throws(KLSError) -> Value { try TracedMath.apply(.sqrt, x) }
    public static func abs(_ x: Value) throws(KLSError) -> Value { try TracedMath.apply(.abs, x) }
    public static func square(_ x: Value) throws(KLSError) -> Value { try TracedMath.apply(.square, x) }
    public static func lgamma(_ x: Value) throws(KLSError) -> Value { try TracedMath.apply(.lgamma, x) }
    public static func digamma(_ x: Value) throws(KLSError) -> Value { try TracedMath.apply(.digamma, x) }
    public static func cos(_ x: Value) throws(KLSError) -> Value { try TracedMath.apply(.cos, x) }

    public static func branches(_ condition: Value, _ test: (Double) -> Bool) -> FormulaBranches {
        guard let plain = try? Differentiation.tensor(condition, "condition"), plain.count > 0 else { return .mixed }
        let first = test(plain[flat: 0])
        for i in 1..<plain.count where test(plain[flat: i]) != first { return .mixed }
        return first ? .all : .none
    }

    public static func choose(_ condition: Value, _ test: (Double) -> Bool, _ a: Value, _ b: Value) throws(KLSError)
        -> Value
    {
        let plain = try Differentiation.tensor(condition, "condition")
        let mask = try Tensor(shape: plain.shape) { out in
            for i in 0..<out.count { out[i] = test(plain[flat: i]) ? 1 : 0 }
        }
        return try TracedMath.select(mask, a, b)
    }
}
