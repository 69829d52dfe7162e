import KLSDiagnostics
import KLSTensor

/// What the backward pass of a fused node needs, found once: the
/// differentiated tensors the graph reads (over the rows, or broadcast), a
/// reader of rows for each part of the graph that carries no gradient, and
/// the rows per block.
final class FusedGradientPlan: @unchecked Sendable {
    let root: DeferredTensor
    /// Differentiated tensors read over the rows, and broadcast into each block.
    private(set) var rowOrigins: [Traced] = []
    private(set) var constantOrigins: [Traced] = []
    private(set) var rowIndex: [ObjectIdentifier: Int] = [:]
    private(set) var constantIndex: [ObjectIdentifier: Int] = [:]
    /// Rows of the parts without a gradient, by node.
    private(set) var plain: [ObjectIdentifier: DeferredRows] = [:]
    /// Rows per block: a multiple of eight, about `blockElements` of the widest node.
    private(set) var blockRows = 8

    /// Elements per block aimed at: large enough that the per-block tape and its
    /// tensors cost little beside the arithmetic, small enough to stay in L2.
    static let blockElements = 1 << 14

    init(_ root: DeferredTensor) throws(KLSError) {
        self.root = root
        var seen = Set<ObjectIdentifier>()
        var widest = 1
        var pending = [root]
        while let node = pending.popLast() {
            guard seen.insert(ObjectIdentifier(node)).inserted else { continue }
            widest = Swift.max(widest, node.width)
            guard node.isTraced else {
                plain[ObjectIdentifier(node)] = try DeferredRows(node)
                continue
            }
            if let origin = node.origin as? Traced {
                note(origin, &rowOrigins, &rowIndex)
                continue
            }
            guard let recipe = node.recipe else { continue }
            for case let origin as Traced in recipe.constantOrigins { note(origin, &constantOrigins, &constantIndex) }
            pending += recipe.inputs
        }
        blockRows = Swift.max(8, FusedGradientPlan.blockElements / widest / 8 * 8)
    }

    private func note(_ origin: Traced, _ list: inout [Traced], _ index: inout [ObjectIdentifier: Int]) {
        guard index[ObjectIdentifier(origin)] == nil else { return }
        index[ObjectIdentifier(origin)] = list.count
        list.append(origin)
    }
}

/// One thread's backward pass over blocks of a fused node's rows (see `FusedGradient`).
final class FusedGradientPass {
    private let plan: FusedGradientPlan
    private var readers: [ObjectIdentifier: DeferredRows.Reader] = [:]
    // The current block's tape, values by node, and leaves by origin.
    private var tape = GradientTape()
    private var rows = 0..<0
    private var memo: [ObjectIdentifier: TracedNumber] = [:]
    private var rowLeaves: [Int: Traced] = [:]
    private var constantLeaves: [Int: Traced] = [:]

    init(_ plan: FusedGradientPlan) throws(KLSError) {
        self.plan = plan
        for (id, rows) in plan.plain { readers[id] = try rows.reader() }
    }

    /// Recomputes `rows` of the graph on a fresh tape and passes `seed`'s rows
    /// back: the row tensors' gradients into `rowTargets`, the constants' added to `sums`.
    func run(
        rows: Range<Int>, seed: FusedGradient.Seed, rowTargets: [UnsafeMutablePointer<Double>], sums: inout [Tensor?]
    ) throws(KLSError) {
        (tape, self.rows, memo, rowLeaves, constantLeaves) = (GradientTape(), rows, [:], [:], [:])
        guard case .traced(let out) = try value(plan.root) else { return }
        let gradients = try tape.gradients(of: out, seed: try seedRows(seed, out.value))
        for (k, leaf) in rowLeaves {
            guard let g = gradients[leaf.id] else { continue }
            let width = g.count / Swift.max(1, rows.count)
            withExtendedLifetime(g) {
                (rowTargets[k] + rows.lowerBound * width).update(from: g.storage.pointer, count: g.count)
            }
        }
        for (k, leaf) in constantLeaves {
            guard let g = gradients[leaf.id] else { continue }
            sums[k] = try sums[k].map { s throws(KLSError) in try Tensor.binary(.add, s, g) } ?? g
        }
    }

    private func seedRows(_ seed: FusedGradient.Seed, _ value: Tensor) throws(KLSError) -> Tensor {
        switch seed {
        case .rows(let g): return try g.rows(rows)
        case .constant(let c): return try Tensor(repeating: c, shape: value.shape)
        case .softmax(let scale, let logSumExp):
            let shifted = try Tensor.binary(.subtract, value, scalar: logSumExp, scalarOnLeft: false).map(.exp)
            return try Tensor.binary(.multiply, shifted, scalar: scale, scalarOnLeft: false)
        }
    }

    /// The current block of `node`, traced when a gradient flows through it.
    private func value(_ node: DeferredTensor) throws(KLSError) -> TracedNumber {
        if let known = memo[ObjectIdentifier(node)] { return known }
        let result = try compute(node)
        memo[ObjectIdentifier(node)] = result
        return result
    }

    private func compute(_ node: DeferredTensor) throws(KLSError) -> TracedNumber {
        if let reader = readers[ObjectIdentifier(node)] { return .plain(try reader(rows)) }
        guard let recipe = node.recipe else { throw FusedGradientPass.lost() }
        if let origin = node.origin as? Traced, case .stored(let t) = recipe {
            guard let k = plan.rowIndex[ObjectIdentifier(origin)] else { throw FusedGradientPass.lost() }
            if let leaf = rowLeaves[k] { return .traced(leaf) }
            let leaf = tape.leaf(try t.rows(rows))
            rowLeaves[k] = leaf
            return .traced(leaf)
        }
        switch recipe {
        case .map(let function, let x):
            let input = try value(x)
            return function == .negate ? try TracedNumber.negate(input) : try TracedNumber.apply(function, input)
        case .combine(let op, let a, let b):
            let (x, y) = (try operand(a), try operand(b))
            if op == .maximum || op == .minimum { return try TracedNumber.extremum(op, x, y) }
            return try TracedNumber.binary(op, x, y)
        case .select(let c, let a, let b):
            return try TracedNumber.select(try operand(c).value, try operand(a), try operand(b))
        case .product(let x, let matrix, let origin):
            let m = try origin.map { o throws(KLSError) in try constant(o, matrix) } ?? .plain(matrix)
            return try TracedNumber.matmul(try value(x), m)
        case .reduce(let reduction, let x, let length):
            let input = try value(x)
            let shape = input.value.shape
            var first = shape.count
            var run = 1
            while first > 1 && run < length {
                first -= 1
                run *= shape[first]
            }
            let reduced = try TracedNumber.reduce(input, reduction, axes: Array(first..<shape.count), keepdims: false)
            return try TracedNumber.reshape(reduced, [rows.count] + Array(node.shape.dropFirst()))
        case .columns(let x, let offset, let length):
            let column: IndexComponent =
                node.shape.count == 1 ? .single(offset) : .slice(start: offset, stop: offset + length, step: nil)
            return try TracedNumber.index(try value(x), [.slice(start: nil, stop: nil, step: nil), column])
        case .stored, .normal, .uniform:
            throw FusedGradientPass.lost()
        }
    }

    private func operand(_ operand: DeferredTensor.Operand) throws(KLSError) -> TracedNumber {
        switch operand {
        case .rows(let node): return try value(node)
        case .constant(let t, let origin):
            return try origin.map { o throws(KLSError) in try constant(o, t) } ?? .plain(t)
        }
    }

    /// A differentiated tensor broadcast into the block: one leaf per block.
    private func constant(_ origin: any TapeOrigin, _ t: Tensor) throws(KLSError) -> TracedNumber {
        guard let traced = origin as? Traced, let k = plan.constantIndex[ObjectIdentifier(traced)] else {
            throw FusedGradientPass.lost()
        }
        let leaf = constantLeaves[k] ?? tape.leaf(t)
        constantLeaves[k] = leaf
        return .traced(leaf)
    }

    private static func lost() -> KLSError {
        KLSError("internal: a fused node's gradient met a node it cannot differentiate")
    }
}
