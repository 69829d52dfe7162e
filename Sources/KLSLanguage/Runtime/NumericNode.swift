/// An operand a kernel node reads in place instead of calling its code.
enum NumericOperand {
    case local(Int)
    case constant(Double)
}

/// `a op b` in a kernel, specialised for the operation and for operands read in
/// place (`n - 1`, `n < 2`): one closure call per node instead of three.
enum NumericNode<Operation: NumberOperation> {
    static func code(
        _ a: @escaping NumericCode, _ b: @escaping NumericCode, _ operands: (NumericOperand?, NumericOperand?)
    ) -> NumericCode {
        switch operands {
        case (.local(let i)?, .constant(let q)?):
            return { frame in Operation.apply(frame[i], q) }
        case (.constant(let p)?, .local(let j)?):
            return { frame in Operation.apply(p, frame[j]) }
        case (.local(let i)?, .local(let j)?):
            return { frame in Operation.apply(frame[i], frame[j]) }
        case (.local(let i)?, _):
            return { frame throws(NumericBail) in Operation.apply(frame[i], try b(frame)) }
        case (_, .local(let j)?):
            return { frame throws(NumericBail) in Operation.apply(try a(frame), frame[j]) }
        case (_, .constant(let q)?):
            return { frame throws(NumericBail) in Operation.apply(try a(frame), q) }
        default:
            return { frame throws(NumericBail) in Operation.apply(try a(frame), try b(frame)) }
        }
    }
}

/// The comparisons as operations giving 1 or 0, as `BinaryOperator` does.
enum Less: NumberOperation {
    @inline(__always) static func apply(_ a: Double, _ b: Double) -> Double { a < b ? 1 : 0 }
}

enum LessEqual: NumberOperation {
    @inline(__always) static func apply(_ a: Double, _ b: Double) -> Double { a <= b ? 1 : 0 }
}

enum Greater: NumberOperation {
    @inline(__always) static func apply(_ a: Double, _ b: Double) -> Double { a > b ? 1 : 0 }
}

enum GreaterEqual: NumberOperation {
    @inline(__always) static func apply(_ a: Double, _ b: Double) -> Double { a >= b ? 1 : 0 }
}

enum Equal: NumberOperation {
    @inline(__always) static func apply(_ a: Double, _ b: Double) -> Double { a == b ? 1 : 0 }
}

enum NotEqual: NumberOperation {
    @inline(__always) static func apply(_ a: Double, _ b: Double) -> Double { a != b ? 1 : 0 }
}

/// A kernel's call of another: the arguments are computed (any calls in them
/// use the stack above the caller's frame), then stored as the callee's frame
/// just above the caller's, with no copy of anything else. Specialised by the
/// number of arguments, up to `NumericCall.arityLimit`.
enum NumericCall {
    /// The most arguments a kernel call takes.
    static let arityLimit = 4

    static func code(
        _ gate: NumericGate, _ body: UnsafeMutablePointer<Unmanaged<NumericCodeBox>>,
        _ arguments: [NumericCodeBox], offset: Int
    ) -> NumericCode? {
        switch arguments.count {
        case 0:
            return { frame throws(NumericBail) in
                try run(gate, body, frame + offset)
            }
        case 1:
            let a0 = arguments[0].run
            return { frame throws(NumericBail) in
                let x0 = try a0(frame)
                let next = frame + offset
                next[0] = x0
                return try run(gate, body, next)
            }
        case 2:
            let (a0, a1) = (arguments[0].run, arguments[1].run)
            return { frame throws(NumericBail) in
                let (x0, x1) = (try a0(frame), try a1(frame))
                let next = frame + offset
                (next[0], next[1]) = (x0, x1)
                return try run(gate, body, next)
            }
        case 3:
            let (a0, a1, a2) = (arguments[0].run, arguments[1].run, arguments[2].run)
            return { frame throws(NumericBail) in
                let (x0, x1, x2) = (try a0(frame), try a1(frame), try a2(frame))
                let next = frame + offset
                (next[0], next[1], next[2]) = (x0, x1, x2)
                return try run(gate, body, next)
            }
        case 4:
            let (a0, a1, a2, a3) = (arguments[0].run, arguments[1].run, arguments[2].run, arguments[3].run)
            return { frame throws(NumericBail) in
                let (x0, x1, x2, x3) = (try a0(frame), try a1(frame), try a2(frame), try a3(frame))
                let next = frame + offset
                (next[0], next[1], next[2], next[3]) = (x0, x1, x2, x3)
                return try run(gate, body, next)
            }
        default:
            return nil
        }
    }

    /// Runs a callee's body in its frame, through the machine's gate.
    @inline(__always)
    private static func run(
        _ gate: NumericGate, _ body: UnsafeMutablePointer<Unmanaged<NumericCodeBox>>,
        _ frame: UnsafeMutablePointer<Double>
    ) throws(NumericBail) -> Double {
        try gate.enter(frame)
        let result = try body.pointee._withUnsafeGuaranteedRef { box in box.result(frame) }.get()
        gate.leave()
        return result
    }
}
