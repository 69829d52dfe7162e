import KLSDiagnostics
import KLSTensor
import Synchronization

/// The record of one differentiated computation, for reverse-mode automatic
/// differentiation: every value that depends on the differentiated inputs is a
/// node; each node keeps how to hand its gradient on to the nodes it came from.
///
/// `grad(f)` makes a tape, marks its inputs as leaves, runs `f` as usual (the
/// operators and builtins record onto the tape when an operand is traced), then
/// walks the tape backwards once from the output.
public final class GradientTape: @unchecked Sendable {
    /// Given the gradient of a node's output, passes each parent its share.
    package typealias Backward = (Tensor, _ pass: (Traced, Tensor) throws(KLSError) -> Void) throws(KLSError) -> Void

    private var backwards: [Backward?] = []

    /// An empty tape.
    package init() {}

    /// How many `grad` calls are running: while none is, no value can be traced
    /// and builtins skip looking for one.
    package static let active = Atomic<Int>(0)

    /// A new input: a node with no parents.
    package func leaf(_ value: Tensor) -> Traced {
        backwards.append(nil)
        return Traced(tape: self, id: backwards.count - 1, value: value)
    }

    /// While above 0, nothing is recorded: values computed from traced ones are
    /// traced in name only (id −1) and pass no gradient — for the plain
    /// evaluation of an estimate whose gradient is computed apart, chunk by chunk.
    private var pauseDepth = 0

    /// A node computed from others; `backward` passes its gradient on.
    package func record(_ value: Tensor, _ backward: @escaping Backward) -> Traced {
        guard pauseDepth == 0 else { return Traced(tape: self, id: -1, value: value) }
        backwards.append(backward)
        return Traced(tape: self, id: backwards.count - 1, value: value)
    }

    /// Runs `body` recording nothing.
    package func paused<T>(_ body: () throws(KLSError) -> T) throws(KLSError) -> T {
        pauseDepth += 1
        defer { pauseDepth -= 1 }
        return try body()
    }

    /// The number of nodes so far: a mark for `backpropagate(from:since:)`.
    package var count: Int { backwards.count }

    /// Walks back from `output` (with gradient `seed`) through the nodes
    /// recorded since `mark`, hands each earlier node its share (in id order),
    /// and drops the nodes since `mark` — so a streamed estimate's chunk leaves
    /// nothing behind on the tape.
    package func backpropagate(
        from output: Traced, seed: Tensor, since mark: Int, deliver: (Traced, Tensor) throws(KLSError) -> Void
    ) throws(KLSError) {
        defer { backwards.removeSubrange(mark...) }
        guard output.id >= mark else { return }
        var local = [Tensor?](repeating: nil, count: backwards.count - mark)
        var earlier: [Int: (Traced, Tensor)] = [:]
        local[output.id - mark] = seed
        for id in stride(from: output.id, through: mark, by: -1) {
            guard let gradient = local[id - mark], let backward = backwards[id] else { continue }
            try backward(gradient) { parent, share throws(KLSError) in
                guard parent.tape === self else { throw GradientTape.nested() }
                if parent.id >= mark {
                    let k = parent.id - mark
                    local[k] =
                        try local[k].map { existing throws(KLSError) in try Tensor.binary(.add, existing, share) }
                        ?? share
                } else if parent.id >= 0 {
                    let sum = try earlier[parent.id].map { e throws(KLSError) in try Tensor.binary(.add, e.1, share) }
                    earlier[parent.id] = (parent, sum ?? share)
                }
            }
        }
        for id in earlier.keys.sorted() {
            if let (node, share) = earlier[id] { try deliver(node, share) }
        }
    }

    /// The gradient of `output` (one number, or a tensor whose gradient is
    /// `seed`) with respect to every node, by id.
    package func gradients(of output: Traced, seed: Tensor? = nil) throws(KLSError) -> [Tensor?] {
        var gradients = [Tensor?](repeating: nil, count: backwards.count)
        guard output.id >= 0 else { return gradients }
        if let seed {
            gradients[output.id] = seed
        } else {
            gradients[output.id] = try Tensor(repeating: 1, shape: output.value.shape)
        }
        for id in stride(from: output.id, through: 0, by: -1) {
            guard let gradient = gradients[id], let backward = backwards[id] else { continue }
            if id & 255 == 0 { try Cancellation.check() }
            try backward(gradient) { parent, share throws(KLSError) in
                guard parent.tape === self else { throw GradientTape.nested() }
                guard parent.id >= 0 else { return }
                if let existing = gradients[parent.id] {
                    gradients[parent.id] = try Tensor.binary(.add, existing, share)
                } else {
                    gradients[parent.id] = share
                }
            }
        }
        return gradients
    }

    package static func nested() -> KLSError {
        KLSError("grad of a function that itself calls grad on the same values is not supported (no nested grad)")
    }
}

/// A tensor being differentiated: its value and its node on a tape.
///
/// It holds its tape weakly: the tape holds the backward closures, which hold
/// the nodes they pass gradients to, so a strong reference back would keep
/// every tape — each `grad` call's, each streamed chunk's — alive for ever
/// (a backward closure that needs its own tape holds it weakly, for the same reason).
/// The one who runs the differentiation (`grad`, a chunk's loop) owns the tape;
/// a traced value that outlives it computes as a plain one.
public final class Traced: @unchecked Sendable {
    package private(set) weak var tape: GradientTape?
    package let id: Int
    /// The value, as the computation would have it without `grad`.
    public let value: Tensor

    package init(tape: GradientTape, id: Int, value: Tensor) {
        self.tape = tape
        self.id = id
        self.value = value
    }
}
