import KLSDiagnostics
import KLSGradient
import KLSTensor

/// Derivative rules of the tensor-building builtins: flatten, concat, stack,
/// matmul and dot. Each part of a joined tensor gets its slice of the gradient.
enum TensorDerivatives {
    static let flatten = Derivative.custom { a, _ throws(KLSError) in
        let x = try a.anyTensor("x")
        return Value(try TracedNumber.reshape(try a.formulaNumber("x"), [x.count]))
    }

    static let matmul = Derivative.custom { a, _ throws(KLSError) in try Differentiation.matmul(a["x"], a["y"]) }

    /// concat and stack of a list whose items may be traced.
    static func join(stacking: Bool) -> Derivative {
        .custom { a, _ throws(KLSError) in
            let items = try a.read("tensors") { v, what throws(KLSError) -> [Value] in
                switch v {
                case .list(let list): return list.items
                case .traced(let t) where t.value.rank >= 1:
                    // A bracket literal of traced tensors arrives stacked: its rows are the items.
                    var rows: [Value] = []
                    for i in 0..<t.value.shape[0] { rows.append(try Differentiation.index(t, [.single(i)])) }
                    return rows
                default: throw KLSError("\(what) must be a list of tensors, got \(v.typeName)")
                }
            }
            var parts: [Tensor] = []
            for (i, item) in items.enumerated() { parts.append(try Differentiation.tensor(item, "tensors[\(i)]")) }
            let axis = try a.integer("axis")
            let out = stacking ? try Tensor.stack(parts, axis: axis) : try Tensor.concatenate(parts, axis: axis)
            guard let tape = try Differentiation.tape(items) else { return Value.from(out) }
            let along = try Shape.normalize(axis: axis, rank: out.rank)
            return .traced(
                tape.record(out) { g, pass throws(KLSError) in
                    var start = 0
                    for (item, part) in zip(items, parts) {
                        let width = stacking ? 1 : part.shape[along]
                        var components = [IndexComponent](
                            repeating: .slice(start: nil, stop: nil, step: nil), count: along)
                        components.append(
                            stacking ? .single(start) : .slice(start: start, stop: start + width, step: 1))
                        if let t = Differentiation.traced(item) { try pass(t, try g.index(components)) }
                        start += width
                    }
                })
        }
    }
}
