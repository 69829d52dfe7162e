import KLSDiagnostics
import KLSGradient
import KLSTensor

/// The tensor-building builtins' derivative rules: flatten, concat, stack,
/// matmul and dot (the rules themselves `TracedNumber`'s).
enum TensorDerivatives {
    static let flatten = Derivative.custom { a, _ throws(KLSError) in
        let x = try a.formulaNumber("x")
        return Value(try TracedNumber.reshape(x, [x.value.count]))
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
            var numbers: [TracedNumber] = []
            for (i, item) in items.enumerated() { numbers.append(try Differentiation.number(item, "tensors[\(i)]")) }
            return Value(try TracedNumber.join(numbers, axis: try a.integer("axis"), stacking: stacking))
        }
    }
}
