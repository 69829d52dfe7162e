import KLSDiagnostics
import KLSTensor

/// One of the four arithmetic operations on numbers, as a type: a node generic
/// over it is specialised with the operation inlined (a closure parameter was
/// an indirect call per operation).
protocol NumberOperation {
    static func apply(_ a: Double, _ b: Double) -> Double
}

enum Addition: NumberOperation {
    @inline(__always) static func apply(_ a: Double, _ b: Double) -> Double { a + b }
}

enum Subtraction: NumberOperation {
    @inline(__always) static func apply(_ a: Double, _ b: Double) -> Double { a - b }
}

enum Multiplication: NumberOperation {
    @inline(__always) static func apply(_ a: Double, _ b: Double) -> Double { a * b }
}

enum Division: NumberOperation {
    @inline(__always) static func apply(_ a: Double, _ b: Double) -> Double { a / b }
}

/// `a op b` compiled for the four arithmetic operators: numbers are computed
/// inline, anything else goes to `Operators`. When an operand is a local
/// variable or a number literal its read is fused in (no closure call), and an
/// assignment to a local slot can be fused in too — together most of the cost
/// of `s = s + i` in a loop.
struct NumberNode<Operation: NumberOperation> {
    let a: Code
    let b: Code
    let fused: (Compiler.Operand?, Compiler.Operand?)
    let op: BinaryOperator
    let range: SourceRange

    init(
        _ a: @escaping Code, _ b: @escaping Code, _ fused: (Compiler.Operand?, Compiler.Operand?),
        _ op: BinaryOperator, _ range: SourceRange
    ) {
        (self.a, self.b, self.fused, self.op, self.range) = (a, b, fused, op, range)
    }

    /// The general case: both operands evaluated, then numbers inline.
    var slow: Code {
        let (a, b, op, range) = (a, b, op, range)
        return { frame throws(KLSError) in
            let x = try a(frame)
            let y = try b(frame)
            if case .number(let p) = x, case .number(let q) = y { return .number(Operation.apply(p, q)) }
            do throws(KLSError) { return try Operators.arithmetic(op, consume x, consume y) } catch {
                throw error.located(at: range)
            }
        }
    }

    /// The node's code: its value, or with `target` the store of it in that slot.
    func code(into target: Int?) -> Code {
        let slow = slow
        guard let target else { return value(slow) }
        switch fused {
        case (.local(let i)?, .local(let j)?):
            return { frame throws(KLSError) in
                if case .number(let p)? = frame.slots[i], case .number(let q)? = frame.slots[j] {
                    frame.slots[target] = .number(Operation.apply(p, q))
                } else {
                    frame.slots[target] = try slow(frame)
                }
                return .none
            }
        case (.local(let i)?, .constant(let q)?):
            return { frame throws(KLSError) in
                if case .number(let p)? = frame.slots[i] {
                    frame.slots[target] = .number(Operation.apply(p, q))
                } else {
                    frame.slots[target] = try slow(frame)
                }
                return .none
            }
        default:
            return { frame throws(KLSError) in
                frame.slots[target] = try slow(frame)
                return .none
            }
        }
    }

    /// The node's value, with fused operand reads.
    private func value(_ slow: @escaping Code) -> Code {
        switch fused {
        case (.local(let i)?, .local(let j)?):
            return { frame throws(KLSError) in
                if case .number(let p)? = frame.slots[i], case .number(let q)? = frame.slots[j] {
                    return .number(Operation.apply(p, q))
                }
                return try slow(frame)
            }
        case (.local(let i)?, .constant(let q)?):
            return { frame throws(KLSError) in
                if case .number(let p)? = frame.slots[i] { return .number(Operation.apply(p, q)) }
                return try slow(frame)
            }
        case (.constant(let p)?, .local(let j)?):
            return { frame throws(KLSError) in
                if case .number(let q)? = frame.slots[j] { return .number(Operation.apply(p, q)) }
                return try slow(frame)
            }
        default:
            return slow
        }
    }
}
