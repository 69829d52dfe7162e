import KLSDiagnostics

/// One component of a basic (NumPy) index: `x[2]`, `x[1:5:2]`, `x[:]`.
public enum IndexComponent: Sendable, Equatable {
    /// A single position; the axis is dropped. Negative counts from the end.
    case single(Int)
    /// `start:stop:step`, each optional, with Python's meaning of omitted and
    /// negative bounds.
    case slice(start: Int?, stop: Int?, step: Int?)
}

extension IndexComponent {
    /// Python's `slice.indices`: the concrete start, step and element count of a
    /// slice applied to an axis of `length`.
    public static func resolve(start: Int?, stop: Int?, step: Int?, length: Int) throws(KLSError) -> (
        start: Int, step: Int, count: Int
    ) {
        let step = step ?? 1
        guard step != 0 else { throw KLSError("slice step cannot be zero") }
        func clamp(_ value: Int?, _ fallback: Int, low: Int, high: Int) -> Int {
            guard var v = value else { return fallback }
            if v < 0 { v += length }
            return Swift.min(Swift.max(v, low), high)
        }
        let first: Int
        let last: Int
        if step > 0 {
            first = clamp(start, 0, low: 0, high: length)
            last = clamp(stop, length, low: 0, high: length)
        } else {
            first = clamp(start, length - 1, low: -1, high: length - 1)
            last = clamp(stop, -1, low: -1, high: length - 1)
        }
        let span = last - first
        let count =
            step > 0 ? (span > 0 ? (span + step - 1) / step : 0) : (span < 0 ? (-span + (-step) - 1) / (-step) : 0)
        return (first, step, count)
    }

    /// A single index resolved against an axis; throws when out of bounds.
    public static func resolve(single i: Int, length: Int, axis: Int) throws(KLSError) -> Int {
        let resolved = i < 0 ? i + length : i
        guard resolved >= 0 && resolved < length else {
            throw KLSError("index \(i) is out of bounds for axis \(axis) with size \(length)")
        }
        return resolved
    }
}

extension Tensor {
    /// The strided view a basic index selects: its shape, strides and first element.
    func view(_ components: [IndexComponent]) throws(KLSError) -> (shape: [Int], strides: [Int], offset: Int) {
        guard components.count <= rank else {
            throw KLSError(
                "too many indices: \(components.count) for a tensor of rank \(rank) (shape \(Shape.describe(shape)))")
        }
        let strides = Shape.strides(shape)
        var newShape: [Int] = []
        var newStrides: [Int] = []
        var offset = 0
        for axis in 0..<rank {
            let component = axis < components.count ? components[axis] : .slice(start: nil, stop: nil, step: nil)
            switch component {
            case .single(let i):
                offset += try IndexComponent.resolve(single: i, length: shape[axis], axis: axis) * strides[axis]
            case .slice(let start, let stop, let step):
                let s = try IndexComponent.resolve(start: start, stop: stop, step: step, length: shape[axis])
                if s.count > 0 { offset += s.start * strides[axis] }
                newShape.append(s.count)
                newStrides.append(strides[axis] * s.step)
            }
        }
        return (newShape, newStrides, offset)
    }

    /// Basic indexing: integers drop their axis, slices keep it; missing trailing
    /// components mean `:`. The result is a copy, so later index assignments to
    /// either tensor never show in the other.
    public func index(_ components: [IndexComponent]) throws(KLSError) -> Tensor {
        let (newShape, newStrides, offset) = try view(components)
        return try Tensor(shape: newShape) { out in
            withBuffer { input in Tensor.gather(input, shape: newShape, strides: newStrides, offset: offset, into: out)
            }
        }
    }

    /// `x[components] = value`: the selected elements replaced by `value`,
    /// broadcast to the selection's shape (NumPy). Writes in place when this
    /// tensor is the storage's only owner, so a loop filling a tensor element by
    /// element costs O(1) per assignment; otherwise copies first (value semantics).
    public mutating func assign(_ components: [IndexComponent], _ value: Tensor) throws(KLSError) {
        let (selection, strides, offset) = try view(components)
        let source = try value.broadcastStrides(to: selection)
        try makeUnique()
        withExtendedLifetime(value) {
            let input = value.storage.pointer
            scatter(selection, strides, offset, source) { input[$0] }
        }
    }

    /// `x[components] = value` for one number: every selected element set to it.
    public mutating func assign(_ components: [IndexComponent], scalar value: Double) throws(KLSError) {
        let (selection, strides, offset) = try view(components)
        try makeUnique()
        scatter(selection, strides, offset, [Int](repeating: 0, count: selection.count)) { _ in value }
    }

    /// Copies the storage unless this tensor is its only owner.
    private mutating func makeUnique() throws(KLSError) {
        guard !isKnownUniquelyReferenced(&storage) else {
            storage.referenceLine = nil
            return
        }
        let copy = try TensorStorage(uninitializedCount: count)
        copy.pointer.update(from: storage.pointer, count: count)
        storage = copy
    }

    /// Writes `read(k)` into each element of the view, where k walks `source` strides.
    private func scatter(
        _ selection: [Int], _ strides: [Int], _ offset: Int, _ source: [Int], _ read: (Int) -> Double
    ) {
        var total = 1
        for extent in selection { total *= extent }
        guard total > 0 else { return }
        let target = storage.pointer
        var position = [Int](repeating: 0, count: selection.count)
        var destination = offset
        var from = 0
        for _ in 0..<total {
            target[destination] = read(from)
            // Odometer over the selection, last axis fastest.
            var axis = selection.count - 1
            while axis >= 0 {
                position[axis] += 1
                destination += strides[axis]
                from += source[axis]
                if position[axis] < selection[axis] { break }
                destination -= strides[axis] * selection[axis]
                from -= source[axis] * selection[axis]
                position[axis] = 0
                axis -= 1
            }
        }
    }

    /// Strides that read this tensor broadcast to `target` (0 along stretched axes).
    func broadcastStrides(to target: [Int]) throws(KLSError) -> [Int] {
        guard rank <= target.count else {
            throw KLSError(
                "cannot assign a value of shape \(Shape.describe(shape)) to a selection of shape "
                    + Shape.describe(target))
        }
        let own = Shape.strides(shape)
        var result = [Int](repeating: 0, count: target.count)
        for k in 0..<rank {
            let axis = target.count - rank + k
            if shape[k] == target[axis] {
                result[axis] = own[k]
            } else if shape[k] != 1 {
                throw KLSError(
                    "cannot assign a value of shape \(Shape.describe(shape)) to a selection of shape "
                        + Shape.describe(target))
            }
        }
        return result
    }

    /// The sub-tensor at position `i` of the first axis (what `for` iterates).
    public func slice(at i: Int) throws(KLSError) -> Tensor {
        try index([.single(i)])
    }
}
