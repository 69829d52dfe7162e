import Foundation
import KLSDiagnostics
import Synchronization

/// A large tensor not computed yet: the element-wise operations, row-wise matrix
/// products and trailing reductions that make it, over the tensors and random
/// streams it starts from.
///
/// `exp(x) * 2 + 1` on ten million elements computes three tensors eagerly, and a
/// model written as tensor code — `z1 = mu + exp(0.5 * lv) * randn([n, 8])`,
/// `tanh(z1 @ W.T + b)`, a log density summed over the last axis, `mean` at the
/// end — streams hundreds of megabytes through memory where the arithmetic needs
/// a few cache-sized blocks. A deferred tensor records the operations instead;
/// when something needs its elements (`tensor()`), or only their sum (`sum()`),
/// `FusedProgram` evaluates the whole graph block by block — a few hundred rows
/// at a time, every node's block in a small scratch buffer — on every core.
///
/// The graph's nodes all share the leading axis (the rows): an operand that does
/// not span the rows (a bias, a per-column vector, a scalar) is a constant,
/// computed first and broadcast into each block. Results are the eager kernels'
/// to the bit: each node runs the eager kernel's loop (`UnaryFunction.run`,
/// `BinaryOperator.combine`, `Tensor.multiplySlice`, `Reduction.reduce`) on blocks
/// that start at multiples of eight rows, so the vector functions group their
/// lanes as they do on the whole tensor, and `sum()` adds in the eager sum's
/// order (`Summation`'s parts and 4096-element blocks).
///
/// Forcing caches the elements (and drops the inputs). A node streamed once —
/// summed, or part of a graph that was computed — and needed again is computed
/// in full and kept the second time, so a deferred tensor a variable holds
/// costs at most one extra evaluation however often it is read.
public final class DeferredTensor: @unchecked Sendable {
    /// The extent of each axis; at least one axis, the rows.
    public let shape: [Int]
    /// Number of elements.
    public let count: Int
    /// The extent of the leading axis.
    package let rows: Int
    /// Elements per row.
    package let width: Int
    /// The longest path from this node down to a leaf: the bound that keeps a
    /// loop adding to a tensor from growing its graph forever.
    let depth: Int
    /// How the elements are made, and the elements once made.
    private let state: Mutex<State>
    /// For a node holding a differentiated tensor's elements: its node on a
    /// gradient tape (KLSGradient's `Traced`; opaque here).
    package let origin: (any TapeOrigin)?
    /// Whether a gradient flows through this node: it reads a differentiated
    /// tensor, and not only through a comparison or `not` (which pass none).
    public let isTraced: Bool
    /// How a traced node is made, kept after its elements are computed: the
    /// gradient recomputes the graph block by block (`FusedGradient`).
    package let recipe: Operation?

    /// How a node's elements are made.
    package enum Operation {
        /// Elements already computed.
        case stored(Tensor)
        /// Standard normal draws `start …` of a generator (`Tensor.normal`).
        case normal(Philox, start: UInt64)
        /// Uniform draws `start …` of a generator (`Tensor.uniform`).
        case uniform(Philox, start: UInt64)
        /// An element-wise function.
        case map(UnaryFunction, DeferredTensor)
        /// An operator between two operands, broadcasting.
        case combine(BinaryOperator, Operand, Operand)
        /// `where(condition, x, y)`.
        case select(Operand, Operand, Operand)
        /// Each row times a matrix: `[rows, …, k] @ [k, m]` (the matrix's origin
        /// when it is differentiated).
        case product(DeferredTensor, Tensor, origin: (any TapeOrigin)?)
        /// A reduction over the trailing axes: runs of `length` elements.
        case reduce(Reduction, DeferredTensor, length: Int)
        /// Elements `offset ..< offset + length` of each row (`x[:, a:b]`, `x[:, j]`).
        case columns(DeferredTensor, offset: Int, length: Int)
    }

    /// An operand of a node: another node over the same rows, or a tensor
    /// broadcast into every block (with its origin when it is differentiated).
    package enum Operand {
        case rows(DeferredTensor)
        case constant(Tensor, origin: (any TapeOrigin)?)
    }

    private struct State {
        var operation: Operation
        /// Times this node was evaluated without keeping its elements.
        var streamed = 0
    }

    init(shape: [Int], operation: Operation, origin: (any TapeOrigin)? = nil) {
        self.shape = shape
        self.count = shape.reduce(1, *)
        self.rows = shape[0]
        self.width = shape.dropFirst().reduce(1, *)
        self.depth = 1 + operation.inputs.reduce(0) { Swift.max($0, $1.depth) }
        self.state = Mutex(State(operation: operation))
        self.origin = origin
        self.isTraced = origin != nil || (operation.passesGradient && operation.readsTraced)
        self.recipe = isTraced ? operation : nil
    }

    /// How the elements are made now (`stored` once forced).
    package var operation: Operation { state.withLock { $0.operation } }

    /// The elements, computed on first use and kept.
    public func tensor() throws(KLSError) -> Tensor {
        if case .stored(let t) = operation { return t }
        return try Self.tensors([self])[0]
    }

    /// The elements of each of `nodes`, computed and kept: those over the same
    /// rows in one pass (a graph's shared nodes computed once for all of them,
    /// as when a layer's mean and log-variance read the same hidden units).
    public static func tensors(_ nodes: [DeferredTensor]) throws(KLSError) -> [Tensor] {
        var computed: [ObjectIdentifier: Tensor] = [:]
        var pending: [DeferredTensor] = []
        for node in nodes where computed[ObjectIdentifier(node)] == nil && !pending.contains(where: { $0 === node }) {
            if case .stored(let t) = node.operation {
                computed[ObjectIdentifier(node)] = t
            } else {
                pending.append(node)
            }
        }
        while let first = pending.first {
            let group = pending.filter { $0.rows == first.rows }
            pending.removeAll { $0.rows == first.rows }
            for (node, result) in zip(group, try FusedProgram(roots: group).materializeAll()) {
                // Kept, the inputs dropped: the graph below holds memory the result no longer needs.
                node.state.withLock { $0.operation = .stored(result) }
                computed[ObjectIdentifier(node)] = result
            }
        }
        var tensors: [Tensor] = []
        for node in nodes { if let t = computed[ObjectIdentifier(node)] { tensors.append(t) } }
        return tensors
    }

    /// This node, or a node of its elements when its graph is as deep as a
    /// graph may be (`maximumDepth`): what a new node may read. Nil for a traced
    /// node that deep: its gradient needs a node on the tape, which the caller
    /// makes by computing eagerly.
    func shallow() throws(KLSError) -> DeferredTensor? {
        if depth < DeferredTensor.maximumDepth { return self }
        return isTraced ? nil : DeferredTensor(stored: try tensor())
    }

    /// Notes an evaluation that does not keep the elements; true when there was
    /// one before (then the caller computes and keeps them instead).
    func noteStreaming() -> Bool {
        state.withLock { state in
            state.streamed += 1
            return state.streamed > 1
        }
    }

    /// The sum of the elements, in the order (and to the bit) of `Tensor.reduce(.sum)`.
    /// Streams the graph the first time; a second request computes and keeps the
    /// elements instead of streaming again.
    public func sum() throws(KLSError) -> Double {
        try total(.sum) { program throws(KLSError) in try program.sum() }
    }

    /// log Σ exp of the elements, as `Tensor.reduce(.logsumexp)` computes it
    /// (streamed twice: once for the maximum, once for the sum).
    public func logSumExp() throws(KLSError) -> Double {
        try total(.logsumexp) { program throws(KLSError) in try program.logSumExp() }
    }

    /// `reduction` of every element: `stream` on the graph the first time, the
    /// eager reduction of the kept elements when they are (or are asked for again).
    private func total(_ reduction: Reduction, stream: (FusedProgram) throws(KLSError) -> Double) throws(KLSError)
        -> Double
    {
        let again = noteStreaming()
        if again || count < Parallel.threshold || operation.isStored {
            let t = try tensor()
            return withExtendedLifetime(t) { reduction.reduce(UnsafePointer(t.storage.pointer), t.count) }
        }
        return try stream(FusedProgram(root: self))
    }

    /// The mean of the elements, as `Tensor.reduce(.mean)` computes it.
    public func mean() throws(KLSError) -> Double {
        try sum() / Double(count)
    }
}

extension DeferredTensor.Operation {
    /// True for elements already computed.
    var isStored: Bool {
        if case .stored = self { return true }
        return false
    }

    /// The nodes this one reads.
    package var inputs: [DeferredTensor] {
        switch self {
        case .stored, .normal, .uniform: return []
        case .map(_, let x), .product(let x, _, _), .reduce(_, let x, _), .columns(let x, _, _): return [x]
        case .combine(_, let a, let b): return [a, b].compactMap(\.node)
        case .select(let c, let x, let y): return [c, x, y].compactMap(\.node)
        }
    }
}

extension DeferredTensor.Operation {
    /// Whether a gradient can flow from the inputs to the output: not through
    /// a comparison, `and`/`or` or `not`, as none flows through them eagerly.
    var passesGradient: Bool {
        switch self {
        case .combine(let op, _, _):
            return [.add, .subtract, .multiply, .divide, .power, .modulo, .maximum, .minimum].contains(op)
        case .map(let function, _): return function != .logicalNot
        default: return true
        }
    }

    /// Whether an input, a constant or the matrix is differentiated.
    var readsTraced: Bool {
        switch self {
        case .combine(_, let a, let b): return a.isTraced || b.isTraced
        // The condition passes no gradient (as `TracedNumber.select` takes it).
        case .select(_, let a, let b): return a.isTraced || b.isTraced
        case .product(let x, _, let origin): return origin != nil || x.isTraced
        default: return inputs.contains { $0.isTraced }
        }
    }
}

extension DeferredTensor.Operand {
    /// Whether a gradient flows into this operand.
    var isTraced: Bool {
        switch self {
        case .rows(let n): return n.isTraced
        case .constant(_, let origin): return origin != nil
        }
    }

    /// The node, for an operand over the rows.
    var node: DeferredTensor? {
        if case .rows(let n) = self { return n }
        return nil
    }
}

/// A differentiated tensor's node on a gradient tape, as a deferred tensor
/// holds it: KLSGradient's `Traced`, opaque to this module.
public protocol TapeOrigin: AnyObject, Sendable {}
