import KLSDiagnostics

/// Running sums, means and products along an axis.
extension Tensor {
    /// Cumulative product along `axis`; with no axis, over the flattened tensor.
    public func cumulativeProduct(axis: Int?) throws(KLSError) -> Tensor {
        try running(axis: axis) { x, out, indices in
            var product = 1.0
            for index in indices {
                product *= x[index]
                out[index] = product
            }
        }
    }

    /// Runs `lane` on each lane along `axis` (the flattened tensor when nil): it
    /// gets the input, the output and the lane's flat indices in order.
    private func running(
        axis: Int?,
        _ lane: (UnsafeBufferPointer<Double>, UnsafeMutableBufferPointer<Double>, StrideTo<Int>) -> Void
    ) throws(KLSError) -> Tensor {
        guard let axis else { return try reshaped([count]).running(axis: 0, lane) }
        let a = try Shape.normalize(axis: axis, rank: rank)
        let n = shape[a]
        let inner = shape[(a + 1)...].reduce(1, *)
        let outer = shape[..<a].reduce(1, *)
        return try Tensor(shape: shape) { out in
            withBuffer { x in
                for o in 0..<outer {
                    for i in 0..<inner {
                        let first = o * n * inner + i
                        lane(x, out, stride(from: first, to: first + n * inner, by: inner))
                    }
                }
            }
        }
    }

    /// Cumulative sum (or running mean when `mean` is true) along `axis`; with no
    /// axis, over the flattened tensor (NumPy).
    public func scan(mean: Bool, axis: Int?) throws(KLSError) -> Tensor {
        try running(axis: axis) { x, out, indices in
            // Compensated running sum: a long running mean (a convergence trace of
            // a million draws) stays accurate to the last digit.
            var total = CompensatedSum()
            for (t, index) in indices.enumerated() {
                total.add(x[index])
                out[index] = mean ? total.value / Double(t + 1) : total.value
            }
        }
    }
}
