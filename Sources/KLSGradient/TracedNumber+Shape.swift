import KLSDiagnostics
import KLSTensor

/// Reductions, selection, reshaping and products of numbers that may be traced.
extension TracedNumber {
    /// The sum over `axes` (all of them when nil), the axes dropped.
    package static func sum(_ x: TracedNumber, axes: [Int]?) throws(KLSError) -> TracedNumber {
        let plain = x.value
        let out = try plain.reduce(.sum, axes: axes, keepdims: false)
        guard let t = x.node else { return .plain(out) }
        return unary(t, out) { g throws(KLSError) in try GradientRules.expand(g, over: axes, of: plain.shape) }
    }

    /// a where mask is non-zero, else b; the gradient follows the same choice.
    package static func select(_ mask: Tensor, _ a: TracedNumber, _ b: TracedNumber) throws(KLSError)
        -> TracedNumber
    {
        let (x, y) = (a.value, b.value)
        let out = try Tensor.select(mask, x, y)
        guard let tape = try tape([a, b]) else { return .plain(out) }
        let (ta, tb) = (a.node, b.node)
        return .traced(
            tape.record(out) { g, pass throws(KLSError) in
                let zero = Tensor(scalar: 0)
                if let ta { try pass(ta, try GradientRules.unbroadcast(try Tensor.select(mask, g, zero), to: x.shape)) }
                if let tb { try pass(tb, try GradientRules.unbroadcast(try Tensor.select(mask, zero, g), to: y.shape)) }
            })
    }

    /// x reshaped; the gradient is reshaped back.
    package static func reshape(_ x: TracedNumber, _ shape: [Int]) throws(KLSError) -> TracedNumber {
        let plain = x.value
        let out = try plain.reshaped(shape)
        guard let t = x.node else { return .plain(out) }
        return unary(t, out) { g throws(KLSError) in try g.reshaped(plain.shape) }
    }

    /// The transpose of each matrix of a stack.
    package static func matrixTranspose(_ x: TracedNumber) throws(KLSError) -> TracedNumber {
        let out = try x.value.matrixTransposed()
        guard let t = x.node else { return .plain(out) }
        return unary(t, out) { g throws(KLSError) in try g.matrixTransposed() }
    }

    /// `x.T`: every axis reversed.
    package static func transpose(_ x: TracedNumber) throws(KLSError) -> TracedNumber {
        let out = try x.value.transposed()
        guard let t = x.node else { return .plain(out) }
        return unary(t, out) { g throws(KLSError) in try g.transposed() }
    }

    /// `x[components]`: the gradient lands in the selected places.
    package static func index(_ x: TracedNumber, _ components: [IndexComponent]) throws(KLSError) -> TracedNumber {
        let out = try x.value.index(components)
        guard let t = x.node else { return .plain(out) }
        let shape = t.value.shape
        return unary(t, out) { g throws(KLSError) in
            var full = try Tensor(repeating: 0, shape: shape)
            try full.assign(components, g)
            return full
        }
    }

    /// The items stacked along a new first axis; each gets its slice of the gradient.
    package static func stack(_ items: [TracedNumber]) throws(KLSError) -> TracedNumber {
        let tensors = items.map(\.value)
        guard tensors.allSatisfy({ $0.shape == tensors[0].shape }) else {
            throw KLSError("the items of a bracket literal under grad must have one shape to stack")
        }
        let out = try Tensor.stack(tensors, axis: 0)
        guard let tape = try tape(items) else { return .plain(out) }
        return .traced(
            tape.record(out) { g, pass throws(KLSError) in
                for (i, item) in items.enumerated() {
                    if let t = item.node { try pass(t, try g.index([.single(i)])) }
                }
            })
    }

    /// `a @ b`: vectors, matrices and stacks of matrices whose leading axes
    /// broadcast, as NumPy's matmul.
    package static func matmul(_ a: TracedNumber, _ b: TracedNumber) throws(KLSError) -> TracedNumber {
        let (x, y) = (a.value, b.value)
        let out = try Tensor.matmul(x, y)
        guard let tape = try tape([a, b]) else { return .plain(out) }
        let (ta, tb) = (a.node, b.node)
        return .traced(
            tape.record(out) { g, pass throws(KLSError) in
                // As matrices: a vector x is a row [1, k], a vector y a column [k, 1].
                let xm = x.rank == 1 ? try x.reshaped([1, x.count]) : x
                let ym = y.rank == 1 ? try y.reshaped([y.count, 1]) : y
                let m = xm.shape[xm.rank - 2]
                let n = ym.shape[ym.rank - 1]
                let matrixAxes = (x.rank == 1 ? 0 : 1) + (y.rank == 1 ? 0 : 1)
                let gm = try g.reshaped(Array(out.shape.dropLast(matrixAxes)) + [m, n])
                if let ta {
                    let share = try Tensor.matmul(gm, try ym.matrixTransposed())
                    try pass(ta, try GradientRules.unbroadcast(share, to: xm.shape).reshaped(x.shape))
                }
                if let tb {
                    let share = try Tensor.matmul(try xm.matrixTransposed(), gm)
                    try pass(tb, try GradientRules.unbroadcast(share, to: ym.shape).reshaped(y.shape))
                }
            })
    }
}
