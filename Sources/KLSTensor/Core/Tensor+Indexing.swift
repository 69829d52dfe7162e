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
    /// Basic indexing: integers drop their axis, slices keep it; missing trailing
    /// components mean `:`. The result is a copy (kls has no index assignment, so
    /// a view would be indistinguishable).
    public func index(_ components: [IndexComponent]) throws(KLSError) -> Tensor {
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
        return try Tensor(shape: newShape) { out in
            withBuffer { input in Tensor.gather(input, shape: newShape, strides: newStrides, offset: offset, into: out)
            }
        }
    }

    /// The sub-tensor at position `i` of the first axis (what `for` iterates).
    public func slice(at i: Int) throws(KLSError) -> Tensor {
        try index([.single(i)])
    }
}
