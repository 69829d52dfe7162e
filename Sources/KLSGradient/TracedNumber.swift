import KLSDiagnostics
import KLSTensor

/// A number that may be traced: a plain tensor, or a node on a gradient tape.
/// It is the number type of every formula under `grad` — the families' own
/// logpdf, entropy, moments and KL (`FormulaNumber`), the operators and the
/// builtins' derivative rules: each operation computes its value as usual and,
/// when an operand is traced, records how the gradient flows back to it.
public enum TracedNumber: Sendable {
    case plain(Tensor)
    case traced(Traced)

    /// The constant `c`, a scalar that broadcasts against anything.
    package init(_ c: Double) { self = .plain(Tensor(scalar: c)) }

    /// The value, as the computation would have it without `grad`.
    package var value: Tensor {
        switch self {
        case .plain(let t): return t
        case .traced(let t): return t.value
        }
    }

    /// The node on the tape, if traced.
    package var node: Traced? {
        if case .traced(let t) = self { return t }
        return nil
    }

    /// Whether the number is on a tape.
    package var isTraced: Bool { node != nil }

    /// The tape of the traced numbers among `numbers` (they must share one).
    package static func tape(_ numbers: [TracedNumber]) throws(KLSError) -> GradientTape? {
        var found: GradientTape?
        for n in numbers {
            guard let t = n.node, let tape = t.tape else { continue }
            if let found, found !== tape { throw GradientTape.nested() }
            found = tape
        }
        return found
    }

    /// The result of an operation whose single traced operand is `t`:
    /// `backward` turns the output's gradient into t's share.
    package static func unary(
        _ t: Traced, _ out: Tensor, _ backward: @escaping (Tensor) throws(KLSError) -> Tensor
    ) -> TracedNumber {
        guard let tape = t.tape else { return .plain(out) }
        return .traced(tape.record(out) { g, pass throws(KLSError) in try pass(t, try backward(g)) })
    }
}
