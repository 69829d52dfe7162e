import KLSDiagnostics

/// Shape manipulation: reshape, axis permutation, joining.
extension Tensor {
    /// Reshape allowing one `-1` extent, inferred from the element count (NumPy).
    public func reshape(_ requested: [Int]) throws(KLSError) -> Tensor {
        let unknown = requested.indices.filter { requested[$0] == -1 }
        guard unknown.count <= 1 else {
            throw KLSError("only one extent of a reshape can be -1, got \(Shape.describe(requested))")
        }
        guard let axis = unknown.first else { return try reshaped(requested) }
        var known = requested
        known[axis] = 1
        let rest = try Shape.elementCount(known)
        guard rest > 0, count % rest == 0 else {
            throw KLSError(TensorMessages.cannotReshape(shape, count: count, into: requested))
        }
        known[axis] = count / rest
        return try reshaped(known)
    }

    /// The axes reordered: axis `i` of the result is axis `order[i]` of `self`.
    public func permuted(_ order: [Int]) throws(KLSError) -> Tensor {
        guard order.count == rank, Set(order) == Set(0..<rank) else {
            throw KLSError(TensorMessages.notAPermutation(order, shape: shape))
        }
        if order == Array(0..<rank) { return self }
        let newShape = order.map { shape[$0] }
        let sourceStrides = Shape.strides(shape)
        let strides = order.map { sourceStrides[$0] }
        return try Tensor(shape: newShape) { out in
            withBuffer { input in Tensor.gather(input, shape: newShape, strides: strides, offset: 0, into: out) }
        }
    }

    /// Swaps the last two axes of a matrix, or reverses the axes in general
    /// (NumPy's `.T`); a vector is returned unchanged.
    public func transposed() throws(KLSError) -> Tensor {
        try permuted(Array((0..<rank).reversed()))
    }

    /// Swaps the last two axes: the transpose of each matrix of a stack. A vector
    /// or a scalar is returned unchanged.
    public func matrixTransposed() throws(KLSError) -> Tensor {
        guard rank >= 2 else { return self }
        var order = Array(0..<rank)
        order.swapAt(rank - 1, rank - 2)
        return try permuted(order)
    }

    /// Copies the strided view `(shape, strides, offset)` of `input` into `out` in
    /// row-major order.
    static func gather(
        _ input: UnsafeBufferPointer<Double>, shape: [Int], strides: [Int], offset: Int,
        into out: UnsafeMutableBufferPointer<Double>
    ) {
        let rank = shape.count
        guard let src = input.baseAddress, let dst = out.baseAddress, !shape.contains(0) else { return }
        if rank == 0 {
            dst[0] = src[offset]
            return
        }
        let inner = shape[rank - 1]
        let step = strides[rank - 1]
        var index = [Int](repeating: 0, count: rank - 1)
        var position = offset
        var written = 0
        let rows = out.count / Swift.max(inner, 1)
        for _ in 0..<rows {
            if step == 1 {
                (dst + written).update(from: src + position, count: inner)
            } else {
                for j in 0..<inner { dst[written + j] = src[position + j * step] }
            }
            written += inner
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                position += strides[axis]
                if index[axis] < shape[axis] { break }
                position -= strides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }

    /// Joins tensors along an existing axis; all other extents must agree.
    public static func concatenate(_ parts: [Tensor], axis: Int) throws(KLSError) -> Tensor {
        guard let first = parts.first else { throw KLSError("concat needs at least one tensor") }
        guard first.rank > 0 else {
            throw KLSError("concat needs tensors of rank 1 or more; use stack to join scalars")
        }
        let a = try Shape.normalize(axis: axis, rank: first.rank)
        var total = 0
        for (i, part) in parts.enumerated() {
            var expected = first.shape
            var actual = part.shape
            guard actual.count == expected.count else {
                throw KLSError(TensorMessages.concatRank(tensor: i, part.shape, first: first.shape))
            }
            expected[a] = 0
            actual[a] = 0
            guard expected == actual else {
                throw KLSError(TensorMessages.concatShapes(first.shape, part.shape, axis: a))
            }
            total = try Checked.sum(total, part.shape[a], what: "concat's result")
        }
        var shape = first.shape
        shape[a] = total
        let outer = first.shape[..<a].reduce(1, *)
        return try Tensor(shape: shape) { out in
            var written = 0
            for o in 0..<outer {
                for part in parts {
                    let run = part.shape[a...].reduce(1, *)
                    part.withBuffer { input in
                        for j in 0..<run { out[written + j] = input[o * run + j] }
                    }
                    written += run
                }
            }
        }
    }

    /// Joins tensors of one shape along a new axis.
    public static func stack(_ parts: [Tensor], axis: Int) throws(KLSError) -> Tensor {
        guard let first = parts.first else { throw KLSError("stack needs at least one tensor") }
        let a = try Shape.normalize(axis: axis, rank: first.rank + 1)
        for (i, part) in parts.enumerated() where part.shape != first.shape {
            throw KLSError(
                "stack: tensor \(i) has shape \(Shape.describe(part.shape)), expected \(Shape.describe(first.shape))")
        }
        var expanded = first.shape
        expanded.insert(1, at: a)
        return try concatenate(parts.map { Tensor(shape: expanded, storage: $0.storage) }, axis: a)
    }
}

extension Tensor {
    /// This tensor repeated along broadcast axes to fill `target` (NumPy's
    /// `broadcast_to`, as a copy).
    public func broadcast(to target: [Int]) throws(KLSError) -> Tensor {
        if shape == target { return self }
        let combined = try Shape.broadcast(shape, target)
        guard combined == target else {
            throw KLSError("cannot broadcast shape \(Shape.describe(shape)) to \(Shape.describe(target))")
        }
        let strides = Shape.broadcastStrides(shape, to: target)
        return try Tensor(shape: target) { out in
            withBuffer { input in Tensor.gather(input, shape: target, strides: strides, offset: 0, into: out) }
        }
    }
}

extension Tensor {
    /// NumPy's `where`: the three operands broadcast to one shape, then `x`
    /// where `condition` is non-zero, else `y`.
    public static func select(_ condition: Tensor, _ x: Tensor, _ y: Tensor) throws(KLSError) -> Tensor {
        let shape = try Shape.broadcast(try Shape.broadcast(condition.shape, x.shape), y.shape)
        let (c, xb, yb) = (try condition.broadcast(to: shape), try x.broadcast(to: shape), try y.broadcast(to: shape))
        return try Tensor(shape: shape) { out in
            for i in 0..<out.count { out[i] = c[flat: i] != 0 ? xb[flat: i] : yb[flat: i] }
        }
    }

    /// One block of `select`: each operand's elements and shape, broadcast to `shape`.
    static func select(
        _ condition: (UnsafePointer<Double>, [Int]), _ x: (UnsafePointer<Double>, [Int]),
        _ y: (UnsafePointer<Double>, [Int]), into out: UnsafeMutablePointer<Double>, shape: [Int]
    ) {
        let count = shape.reduce(1, *)
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 * count) { scratch in
            guard let base = scratch.baseAddress else { return }
            func expanded(_ operand: (UnsafePointer<Double>, [Int]), _ slot: Int) -> UnsafePointer<Double> {
                let (p, own) = operand
                if own.reduce(1, *) == count { return p }
                let target = UnsafeMutableBufferPointer(start: base + slot * count, count: count)
                let input = UnsafeBufferPointer(start: p, count: own.reduce(1, *))
                gather(input, shape: shape, strides: Shape.broadcastStrides(own, to: shape), offset: 0, into: target)
                return UnsafePointer(base + slot * count)
            }
            let (c, a, b) = (expanded(condition, 0), expanded(x, 1), expanded(y, 2))
            for i in 0..<count { out[i] = c[i] != 0 ? a[i] : b[i] }
        }
    }
}
