import KLSDiagnostics
import KLSGradient
import KLSTensor

/// Reading values as the types builtins and operators need, with errors that say
/// what was expected and what arrived.
extension Value {
    /// The value as a tensor: numbers and bools become rank-0 tensors; a list of
    /// numeric values of one shape is stacked.
    public func asTensor(_ what: @autoclosure () -> String = "value") throws(KLSError) -> Tensor {
        switch self {
        case .tensor(let t): return t
        case .traced(let t): return t.value
        case .deferred(let d): return try d.tensor()
        case .number(let v): return Tensor(scalar: v)
        case .bool(let b): return Tensor(scalar: b ? 1 : 0)
        case .list(let items):
            guard let stacked = try Value.stackIfNumeric(items.items) else {
                throw KLSError(Messages.notNumeric(what(), holding: items))
            }
            return stacked
        default:
            throw KLSError("\(what()) must be a number or tensor, got \(typeName)")
        }
    }

    /// The value with a deferred tensor computed: what every reader that does
    /// not fuse sees (`Value.deferred`). A deferred tensor under `grad` that
    /// reads the differentiated values becomes one node on the tape (`FusedGradient`).
    public func settled() throws(KLSError) -> Value {
        guard case .deferred(let d) = self else { return self }
        if d.isTraced { return Value(try FusedGradient.tensor(d)) }
        return .tensor(try d.tensor())
    }

    /// Computes every deferred tensor among `values` (`settled`), those over the
    /// same rows in one pass: a layer's mean and log-variance share their
    /// hidden units' computation.
    public static func settle(_ values: inout [Value]) throws(KLSError) {
        var nodes: [DeferredTensor] = []
        var places: [Int] = []
        for (i, value) in values.enumerated() {
            guard case .deferred(let d) = value else { continue }
            if d.isTraced {
                values[i] = try value.settled()
            } else {
                nodes.append(d)
                places.append(i)
            }
        }
        if nodes.isEmpty { return }
        for (i, t) in zip(places, try DeferredTensor.tensors(nodes)) { values[i] = .tensor(t) }
    }

    /// The tensor inside, moved out rather than copied, so that a temporary's
    /// buffer can be reused by the operation that consumes it.
    public consuming func takeTensor() throws(KLSError) -> Tensor {
        switch consume self {
        case .tensor(let t): return t
        case let other: return try other.asTensor()
        }
    }

    /// The number of a `.number` or `.bool` (not of a tensor), else nil.
    var scalar: Double? {
        switch self {
        case .number(let v): return v
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// True for numbers, bools and tensors.
    public var isNumeric: Bool {
        switch self {
        case .number, .bool, .tensor, .deferred: return true
        default: return false
        }
    }

    /// The value as one number: a number, a bool, or a one-element tensor.
    public func asNumber(_ what: @autoclosure () -> String = "value") throws(KLSError) -> Double {
        switch self {
        case .number(let v): return v
        case .bool(let b): return b ? 1 : 0
        case .tensor(let t):
            if let v = t.scalarValue { return v }
            throw KLSError("\(what()) must be a single number, got a tensor of shape \(Shape.describe(t.shape))")
        case .traced(let t):
            return try Value.tensor(t.value).asNumber(what())
        case .deferred(let d):
            throw KLSError("\(what()) must be a single number, got a tensor of shape \(Shape.describe(d.shape))")
        default:
            throw KLSError("\(what()) must be a number, got \(typeName)")
        }
    }

    /// The value as a count or index: a whole number (language.md §1), in `range`.
    public func asInteger(_ what: @autoclosure () -> String = "value", atLeast minimum: Int = Int.min) throws(KLSError)
        -> Int
    {
        let v = try asNumber(what())
        guard let n = Checked.wholeNumber(v) else {
            let reason = v.isFinite && v == v.rounded() ? " (at most 2^53 in magnitude)" : ""
            throw KLSError("\(what()) must be a whole number\(reason), got \(Formatter.number(v))")
        }
        guard n >= minimum else {
            throw KLSError("\(what()) must be a whole number ≥ \(minimum), got \(Formatter.number(v))")
        }
        return n
    }

    /// The value as a bool, for conditions and flags.
    public func asBool(_ what: @autoclosure () -> String = "condition") throws(KLSError) -> Bool {
        switch self {
        case .bool(let b): return b
        case .number(let v): return v != 0
        case .tensor(let t):
            guard let v = t.scalarValue else {
                throw KLSError(
                    "the truth value of a tensor with \(t.count) elements is ambiguous", hint: "use all(x) or any(x)")
            }
            return v != 0
        case .none: return false
        case .traced(let t): return try Value.tensor(t.value).asBool(what())
        case .deferred(let d):
            throw KLSError(
                "the truth value of a tensor with \(d.count) elements is ambiguous", hint: "use all(x) or any(x)")
        default:
            throw KLSError("\(what()) must be a bool or number, got \(typeName)")
        }
    }

    /// A shape: a whole number (a 1-D length) or a list/tensor of whole numbers.
    public func asShape(_ what: @autoclosure () -> String = "shape") throws(KLSError) -> [Int] {
        try asIntegers(what(), atLeast: 0)
    }

    /// A whole number or a list (or 1-D tensor) of them, each at least `minimum`:
    /// the one reading of shapes, axes and permutations.
    public func asIntegers(_ what: @autoclosure () -> String, atLeast minimum: Int = Int.min) throws(KLSError)
        -> [Int]
    {
        let items: [Value]
        switch self {
        case .number, .bool: return [try asInteger(what(), atLeast: minimum)]
        case .tensor(let t) where t.rank <= 1: items = t.values.map(Value.number)
        case .deferred(let d) where d.shape.count <= 1: items = try d.tensor().values.map(Value.number)
        case .list(let list): items = list.items
        default: throw KLSError("\(what()) must be a whole number or a list of them, got \(typeName)")
        }
        var integers: [Int] = []
        integers.reserveCapacity(items.count)
        for item in items { integers.append(try item.asInteger("each element of \(what())", atLeast: minimum)) }
        return integers
    }

    /// Checks that one value per row of `t` (its first axis) fits in memory, before
    /// the rows are visited or listed: a tensor with no elements can still have
    /// 2^40 rows, which would otherwise loop for hours.
    static func checkRows(of t: Tensor) throws(KLSError) {
        let rows = t.shape.first ?? 1
        let bytes = try Checked.product([rows, MemoryLayout<Value>.stride], what: "the rows of the tensor")
        try MemoryLimit.check(bytes: bytes, what: "\(rows) rows of a tensor of shape \(Shape.describe(t.shape))")
    }

    /// The rows of `t` (slices along its first axis), after `checkRows`.
    static func rows(of t: Tensor) throws(KLSError) -> [Tensor] {
        try checkRows(of: t)
        var rows: [Tensor] = []
        rows.reserveCapacity(t.shape.first ?? 0)
        for i in 0..<(t.shape.first ?? 0) { rows.append(try t.slice(at: i)) }
        return rows
    }

    /// A string argument.
    public func asString(_ what: @autoclosure () -> String = "value") throws(KLSError) -> String {
        guard case .string(let s) = self else { throw KLSError("\(what()) must be a string, got \(typeName)") }
        return s.string
    }

    /// Stacks numeric items into one tensor; nil when some item is not numeric, or
    /// when shapes differ and `raggedIsList` (a list of computed tensors, say for
    /// `concat`). Otherwise items of different shapes are a ragged literal: an error.
    public static func stackIfNumeric(_ items: [Value], raggedIsList: Bool = false) throws(KLSError) -> Tensor? {
        var tensors: [Tensor] = []
        tensors.reserveCapacity(items.count)
        for item in items {
            switch item {
            case .number(let v): tensors.append(Tensor(scalar: v))
            case .bool(let b): tensors.append(Tensor(scalar: b ? 1 : 0))
            case .tensor(let t): tensors.append(t)
            case .deferred(let d): tensors.append(try d.tensor())
            default: return nil
            }
        }
        if tensors.isEmpty { return try Tensor([]) }
        if tensors.allSatisfy({ $0.rank == 0 }) {
            return try Tensor(tensors.map { $0[flat: 0] })
        }
        if let i = tensors.firstIndex(where: { $0.shape != tensors[0].shape }) {
            if raggedIsList { return nil }
            throw KLSError(
                Messages.ragged(first: tensors[0].shape, other: i, tensors[i].shape),
                hint: "items of different shapes make a list, not a tensor; concat(x) joins them end to end")
        }
        return try Tensor.stack(tensors, axis: 0)
    }
}
