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
    typealias Backward = (Tensor, _ pass: (Traced, Tensor) throws(KLSError) -> Void) throws(KLSError) -> Void

    private var backwards: [Backward?] = []

    /// How many `grad` calls are running: while none is, no value can be traced
    /// and builtins skip looking for one.
    static let active = Atomic<Int>(0)

    /// A new input: a node with no parents.
    func leaf(_ value: Tensor) -> Traced {
        backwards.append(nil)
        return Traced(tape: self, id: backwards.count - 1, value: value)
    }

    /// A node computed from others; `backward` passes its gradient on.
    func record(_ value: Tensor, _ backward: @escaping Backward) -> Traced {
        backwards.append(backward)
        return Traced(tape: self, id: backwards.count - 1, value: value)
    }

    /// The gradient of `output` (one number) with respect to every node, by id.
    func gradients(of output: Traced) throws(KLSError) -> [Tensor?] {
        var gradients = [Tensor?](repeating: nil, count: backwards.count)
        gradients[output.id] = try Tensor(repeating: 1, shape: output.value.shape)
        for id in stride(from: output.id, through: 0, by: -1) {
            guard let gradient = gradients[id], let backward = backwards[id] else { continue }
            if id & 255 == 0 { try Cancellation.check() }
            try backward(gradient) { parent, share throws(KLSError) in
                guard parent.tape === self else { throw GradientTape.nested() }
                if let existing = gradients[parent.id] {
                    gradients[parent.id] = try Tensor.binary(.add, existing, share)
                } else {
                    gradients[parent.id] = share
                }
            }
        }
        return gradients
    }

    static func nested() -> KLSError {
        KLSError("grad of a function that itself calls grad on the same values is not supported (no nested grad)")
    }
}

/// A tensor being differentiated: its value and its node on a tape.
public final class Traced: @unchecked Sendable {
    let tape: GradientTape
    let id: Int
    /// The value, as the computation would have it without `grad`.
    public let value: Tensor

    init(tape: GradientTape, id: Int, value: Tensor) {
        self.tape = tape
        self.id = id
        self.value = value
    }
}
