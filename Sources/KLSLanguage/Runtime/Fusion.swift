import KLSDiagnostics
import KLSGradient
import KLSTensor

/// Where values meet deferred tensors (`Value.deferred`, `DeferredTensor`): the
/// operators, the element-wise builtins, the reductions and `@` ask here first,
/// and compute eagerly when the answer is nil — an operand that is not a large
/// tensor, a result too small to defer, fusion switched off.
enum Fusion {
    /// `function` at every element of `v`.
    static func map(_ function: UnaryFunction, _ v: Value) throws(KLSError) -> Value? {
        guard isLarge(v), let x = input(v) else { return nil }
        // A function with no derivative rule gets its error from the eager path.
        if carriesTrace(v), function != .negate, function != .logicalNot, ElementwiseDerivatives.rule(function) == nil {
            return nil
        }
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

    /// `a @ b` for a deferred (or large differentiated) `a` and a matrix `b`;
    /// for a large tensor `a` too when `b` is differentiated.
    static func product(_ a: Value, _ b: Value) throws(KLSError) -> Value? {
        let left: DeferredTensor
        switch a {
        case .deferred(let d): left = d
        case .traced(let t) where isLarge(a): left = DeferredTensor(stored: t.value, origin: t)
        // Data times differentiated weights: fused, so the product is not kept on the tape.
        case .tensor(let t) where isLarge(a) && carriesTrace(b): left = DeferredTensor(stored: t)
        default: return nil
        }
        switch try b.settled() {
        case .tensor(let right): return try value(try DeferredTensor.product(left, right))
        case .traced(let right): return try value(try DeferredTensor.product(left, right.value, origin: right))
        default: return nil
        }
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
        if all.count == rank, d.isTraced {
            guard let total = try FusedGradient.total(d, reduction) else { return nil }
            if !keepdims { return Value(total) }
            return Value(try TracedNumber.reshape(total, [Int](repeating: 1, count: rank)))
        }
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
        if node.count < DeferredTensor.minimumCount { return Value(try FusedGradient.tensor(node)) }
        return .deferred(node)
    }

    /// Whether `v` is worth fusing: deferred, or a tensor of a deferred size.
    static func isLarge(_ v: Value) -> Bool {
        switch v {
        case .deferred: return true
        case .tensor(let t): return t.count >= DeferredTensor.minimumCount
        case .traced(let t): return t.value.count >= DeferredTensor.minimumCount
        default: return false
        }
    }

    /// Whether a gradient flows from `v` under `grad`: a differentiated tensor,
    /// or a deferred one that reads one.
    static func carriesTrace(_ v: Value) -> Bool {
        switch v {
        case .traced: return true
        case .deferred(let d): return d.isTraced
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
        case .traced(let t): return .traced(t.value, origin: t)
        default: return nil
        }
    }
}
