import KLSDiagnostics
import KLSTensor

/// Where values meet deferred tensors (`Value.deferred`, `DeferredTensor`): the
/// operators, the element-wise builtins, the reductions and `@` ask here first,
/// and compute eagerly when the answer is nil — an operand that is not a large
/// tensor, a result too small to defer, fusion switched off.
enum Fusion {
    /// `function` at every element of `v`.
    static func map(_ function: UnaryFunction, _ v: Value) throws(KLSError) -> Value? {
        guard isLarge(v), let x = input(v) else { return nil }
        return try value(try DeferredTensor.map(function, x))
    }

    /// `a op b`, broadcasting.
    static func combine(_ op: BinaryOperator, _ a: Value, _ b: Value) throws(KLSError) -> Value? {
        guard isLarge(a) || isLarge(b), let x = input(a), let y = input(b) else { return nil }
        return try value(try DeferredTensor.combine(op, x, y))
    }

    /// `where(condition, x, y)`, broadcasting.
    static func select(_ condition: Value, _ a: Value, _ b: Value) throws(KLSError) -> Value? {
        guard isLarge(condition) || isLarge(a) || isLarge(b), let c = input(condition), let x = input(a),
            let y = input(b)
        else { return nil }
        return try value(try DeferredTensor.select(c, x, y))
    }

    /// `a @ b` for a deferred `a` and a matrix `b`.
    static func product(_ a: Value, _ b: Value) throws(KLSError) -> Value? {
        guard case .deferred(let left) = a, case .tensor(let right) = try b.settled() else { return nil }
        return try value(try DeferredTensor.product(left, right))
    }

    /// `reduction` of a deferred tensor: over every axis for `sum`, `mean` and
    /// `logsumexp` (streamed, in the eager order), over trailing axes for any
    /// reduction (a node of its own); nil otherwise.
    static func reduce(_ reduction: Reduction, _ v: Value, axes: [Int]?, keepdims: Bool) throws(KLSError)
        -> Value?
    {
        guard case .deferred(let d) = v else { return nil }
        let rank = d.shape.count
        let all = try axes.map { a throws(KLSError) in try Shape.normalize(axes: a, rank: rank) } ?? Array(0..<rank)
        if all.count == rank {
            let total: Double
            switch reduction {
            case .sum: total = try d.sum()
            case .mean: total = try d.mean()
            case .logsumexp: total = try d.logSumExp()
            default: return nil
            }
            if !keepdims { return .number(total) }
            return .tensor(try Tensor(repeating: total, shape: [Int](repeating: 1, count: rank)))
        }
        return try value(try d.reduced(reduction, axes: all, keepdims: keepdims))
    }

    /// A deferred result, computed at once when it is small (a reduction's).
    static func value(_ node: DeferredTensor?) throws(KLSError) -> Value? {
        guard let node else { return nil }
        if node.count < DeferredTensor.minimumCount { return Value.from(try node.tensor()) }
        return .deferred(node)
    }

    /// Whether `v` is worth fusing: deferred, or a tensor of a deferred size.
    static func isLarge(_ v: Value) -> Bool {
        switch v {
        case .deferred: return true
        case .tensor(let t): return t.count >= DeferredTensor.minimumCount
        default: return false
        }
    }

    /// `v` as an operand of a fused operation; nil when it is not numeric.
    static func input(_ v: Value) -> FusionInput? {
        switch v {
        case .deferred(let d): return .deferred(d)
        case .tensor(let t): return .tensor(t)
        case .number(let x): return .number(x)
        case .bool(let b): return .number(b ? 1 : 0)
        default: return nil
        }
    }
}
