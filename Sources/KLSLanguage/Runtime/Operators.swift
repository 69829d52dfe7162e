import KLSDiagnostics
import KLSTensor

/// The meaning of the operators on values (language.md §3): element-wise with NumPy
/// broadcasting on numbers and tensors; `+` also joins strings and lists.
enum Operators {
    static func unary(_ op: UnaryOperator, _ v: consuming Value) throws(KLSError) -> Value {
        if case .traced(let t) = v {
            switch op {
            case .negate:
                if let fused = try Fusion.map(.negate, v) { return fused }
                return try Differentiation.negate(t)
            case .plus: return v
            case .not: return try unary(op, .tensor(t.value))
            }
        }
        if Fusion.isLarge(v) {
            switch op {
            case .negate:
                if let fused = try Fusion.map(.negate, v) { return fused }
            case .plus: return v
            case .not:
                if let fused = try Fusion.map(.logicalNot, v) { return fused }
            }
            if case .deferred = v { return try unary(op, try v.settled()) }
        }
        switch (op, v) {
        case (.negate, .number(let x)): return .number(-x)
        case (.negate, .bool(let b)): return .number(b ? -1 : 0)
        case (.plus, .number), (.plus, .tensor): return v
        case (.plus, .bool(let b)): return .number(b ? 1 : 0)
        case (.not, .tensor(let t)) where t.count != 1: return .tensor(try t.map(.logicalNot))
        case (.not, _): return .bool(!(try v.asBool("operand of 'not'")))
        case (.negate, .tensor(let t)): return .tensor(try t.map(.negate))
        default:
            throw KLSError("cannot apply unary '\(op.rawValue)' to a \(v.typeName)")
        }
    }

    static func arithmetic(_ op: BinaryOperator, _ a: consuming Value, _ b: consuming Value) throws(KLSError) -> Value {
        if Fusion.carriesTrace(a) || Fusion.carriesTrace(b) { return try Differentiation.binary(op, a, b) }
        if a.isNumeric && b.isNumeric {
            if let fused = try Fusion.combine(op, a, b) { return fused }
            if let s = b.scalar {
                return Value.from(try Tensor.binary(op, try a.takeTensor(), scalar: s, scalarOnLeft: false))
            }
            if let s = a.scalar {
                return Value.from(try Tensor.binary(op, try b.takeTensor(), scalar: s, scalarOnLeft: true))
            }
            return Value.from(try Tensor.binary(op, try a.takeTensor(), try b.takeTensor()))
        }
        switch (op, a, b) {
        case (.add, .string(let x), .string(let y)):
            let bytes = x.string.utf8.count + y.string.utf8.count
            // Checked before the concatenation allocates, then charged while it lives.
            try MemoryLimit.check(bytes: bytes, what: "a string of \(bytes) bytes")
            return .string(try Text(x.string + y.string))
        case (.add, .list(let x), .list(let y)):
            let count = x.count + y.count
            try MemoryLimit.check(bytes: count * MemoryLayout<Value>.stride, what: "a list of \(count) items")
            return .list(try List(x.items + y.items))
        case (.logicalAnd, _, _), (.logicalOr, _, _):
            let x = try a.asBool()
            let y = try b.asBool()
            return .bool(op == .logicalAnd ? x && y : x || y)
        case (_, .list, _) where b.isNumeric || b.typeName == "list":
            // A list that reaches arithmetic is ragged or holds non-numbers: say which.
            return try arithmetic(op, .tensor(try a.asTensor("the left operand of '\(op.rawValue)'")), b)
        case (_, _, .list) where a.isNumeric:
            return try arithmetic(op, a, .tensor(try b.asTensor("the right operand of '\(op.rawValue)'")))
        default:
            let hint: String? =
                (a.typeName == "string" || b.typeName == "string") && op == .add
                ? "use str(x) to turn a value into a string" : nil
            throw KLSError("cannot apply '\(op.rawValue)' to a \(a.typeName) and a \(b.typeName)", hint: hint)
        }
    }

    static func compare(_ op: BinaryOperator, _ a: Value, _ b: Value) throws(KLSError) -> Value {
        // Comparisons carry no gradient: a traced operand compares by its value.
        if case .traced(let t) = a { return try compare(op, .tensor(t.value), b) }
        if case .traced(let t) = b { return try compare(op, a, .tensor(t.value)) }
        if a.isNumeric && b.isNumeric {
            if let fused = try Fusion.combine(op, a, b) { return fused }
            let result = try Tensor.binary(op, try a.asTensor(), try b.asTensor())
            if a.scalar == nil || b.scalar == nil { return .tensor(result) }
            return .bool(result[flat: 0] != 0)
        }
        if op == .equal || op == .notEqual {
            return .bool(try equal(a.settled(), b.settled()) == (op == .equal))
        }
        if case .string(let x) = a, case .string(let y) = b {
            switch op {
            case .less: return .bool(x.string < y.string)
            case .lessEqual: return .bool(x.string <= y.string)
            case .greater: return .bool(x.string > y.string)
            default: return .bool(x.string >= y.string)
            }
        }
        throw KLSError("cannot compare a \(a.typeName) and a \(b.typeName) with '\(op.rawValue)'")
    }

    /// Structural equality for non-numeric values (identity for functions and
    /// distributions).
    static func equal(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.none, .none): return true
        case (.string(let x), .string(let y)): return x.string == y.string
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.tensor(let x), .tensor(let y)): return x.shape == y.shape && x.values == y.values
        case (.list(let x), .list(let y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.record(let x), .record(let y)):
            return x.names == y.names && zip(x.values, y.values).allSatisfy { equal($0, $1) }
        case (.function(let x), .function(let y)): return x === y
        case (.distribution(let x), .distribution(let y)): return x === y
        default: return false
        }
    }
}

extension InfixOperator {
    /// The tensor kernel that computes this operator: the one with the same
    /// spelling (a test checks that every infix operator has one).
    var kernel: BinaryOperator {
        BinaryOperator(rawValue: rawValue) ?? .add
    }
}
