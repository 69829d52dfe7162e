import KLSDiagnostics
import KLSTensor
import Synchronization

extension Traced: TapeOrigin {}

/// A fused node on the tape: a traced deferred tensor (a graph that reads
/// differentiated tensors, `DeferredTensor.isTraced`) is one node, whatever
/// the number of operations in it.
///
/// Its value is the fused forward pass's, to the bit the eager one. Its
/// backward pass walks the graph again a block of rows at a time: each block's
/// nodes recomputed with `TracedNumber`'s operations (the eager derivative
/// rules) on a tape of the block's own, the block's share of the output's
/// gradient passed back through them — so no intermediate is held for all rows
/// at once, as the eager tape holds every one. A differentiated tensor over
/// the rows gets each block's rows of its gradient; one broadcast into every
/// block (a bias, a layer's matrix) gets the blocks' gradients summed, in an
/// order fixed by the number of rows alone, so the result does not depend on
/// the cores. Those sums add in another order than the eager gradient's
/// single reduction over all rows, so they agree with it to rounding, not to
/// the bit.
package enum FusedGradient {
    /// The output's gradient in a block of rows.
    enum Seed {
        /// The gradient of every element, in a tensor of the output's shape.
        case rows(Tensor)
        /// The same gradient at every element (a sum's or a mean's).
        case constant(Double)
        /// `scale · exp(v − logSumExp)` at an element of value v (logsumexp's).
        case softmax(Double, logSumExp: Double)
    }

    /// The elements of `d`: a node on its tape when `d` is traced.
    package static func tensor(_ d: DeferredTensor) throws(KLSError) -> TracedNumber {
        let value = try d.tensor()
        guard d.isTraced, let tape = tape(of: d) else { return .plain(value) }
        return .traced(tape.record(value) { g, pass throws(KLSError) in try backward(d, .rows(g), pass) })
    }

    /// `sum`, `mean` or `logsumexp` of every element of a traced `d`, streamed
    /// as without `grad`; nil for another reduction or an untraced `d`.
    package static func total(_ d: DeferredTensor, _ reduction: Reduction) throws(KLSError) -> TracedNumber? {
        guard d.isTraced, let tape = tape(of: d) else { return nil }
        let value: Double
        switch reduction {
        case .sum: value = try d.sum()
        case .mean: value = try d.mean()
        case .logsumexp: value = try d.logSumExp()
        default: return nil
        }
        let count = Double(d.count)
        return .traced(
            tape.record(Tensor(scalar: value)) { g, pass throws(KLSError) in
                let scale = g[flat: 0]
                let seed: Seed =
                    switch reduction {
                    case .sum: .constant(scale)
                    case .mean: .constant(scale / count)
                    default: .softmax(scale, logSumExp: value)
                    }
                try backward(d, seed, pass)
            })
    }

    /// The tape of the differentiated tensors `d` reads.
    static func tape(of d: DeferredTensor) -> GradientTape? {
        var seen = Set<ObjectIdentifier>()
        var pending = [d]
        while let node = pending.popLast() {
            guard node.isTraced, seen.insert(ObjectIdentifier(node)).inserted else { continue }
            if let t = node.origin as? Traced { return t.tape }
            guard let recipe = node.recipe else { continue }
            for origin in recipe.constantOrigins { if let t = origin as? Traced { return t.tape } }
            pending += recipe.inputs
        }
        return nil
    }

    /// Passes each differentiated tensor `root` reads its gradient, given the
    /// gradient of `root`'s elements (`seed`).
    static func backward(
        _ root: DeferredTensor, _ seed: Seed, _ pass: (Traced, Tensor) throws(KLSError) -> Void
    ) throws(KLSError) {
        let plan = try FusedGradientPlan(root)
        let blocks = (root.rows + plan.blockRows - 1) / plan.blockRows
        // Groups of blocks fixed by the row count: each group's sums are added in
        // group order, whichever core ran it.
        let groups = Swift.min(blocks, 64)
        var rowGradients: [TensorStorage] = []
        for origin in plan.rowOrigins {
            let storage = try TensorStorage(uninitializedCount: origin.value.count)
            storage.pointer.initialize(repeating: 0, count: origin.value.count)
            rowGradients.append(storage)
        }
        let targets = Unchecked(rowGradients.map(\.pointer))
        let partials = Mutex([[Tensor?]?](repeating: nil, count: groups))
        let failure = Mutex<KLSError?>(nil)
        Parallel.forEachChunk(groups, cost: Int.max / 4) { share in
            do throws(KLSError) {
                let pass = try FusedGradientPass(plan)
                for group in share {
                    var sums = [Tensor?](repeating: nil, count: plan.constantOrigins.count)
                    for block in (group * blocks / groups)..<((group + 1) * blocks / groups) {
                        try Cancellation.check()
                        let rows = (block * plan.blockRows)..<Swift.min(root.rows, (block + 1) * plan.blockRows)
                        try pass.run(rows: rows, seed: seed, rowTargets: targets.value, sums: &sums)
                    }
                    partials.withLock { $0[group] = sums }
                }
            } catch {
                failure.withLock { $0 = error }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        try Cancellation.check()
        for (origin, storage) in zip(plan.rowOrigins, rowGradients) {
            try pass(origin, try Tensor(shape: origin.value.shape, adopting: storage))
        }
        let groupSums = partials.withLock { $0 }
        for (k, origin) in plan.constantOrigins.enumerated() {
            var total: Tensor?
            for case let sums? in groupSums {
                guard let share = sums[k] else { continue }
                total = try total.map { t throws(KLSError) in try Tensor.binary(.add, t, share) } ?? share
            }
            if let total { try pass(origin, total) }
        }
    }
}

extension DeferredTensor.Operation {
    /// The tape nodes of the differentiated constants and matrix this node reads.
    var constantOrigins: [any TapeOrigin] {
        switch self {
        case .combine(_, let a, let b): return [a, b].compactMap(\.origin)
        case .select(let c, let a, let b): return [c, a, b].compactMap(\.origin)
        case .product(_, _, let origin): return origin.map { [$0] } ?? []
        default: return []
        }
    }
}

extension DeferredTensor.Operand {
    /// A differentiated constant's tape node.
    var origin: (any TapeOrigin)? {
        if case .constant(_, let origin) = self { return origin }
        return nil
    }
}
