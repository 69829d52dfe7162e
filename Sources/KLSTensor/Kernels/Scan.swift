import KLSDiagnostics

/// Running sums, means and products along an axis.
extension Tensor {
    /// Cumulative product along `axis`; with no axis, over the flattened tensor.
    public func cumulativeProduct(axis: Int?) throws(KLSError) -> Tensor {
        guard let axis else { return try reshaped([count]).cumulativeProduct(axis: 0) }
        let a = try Shape.normalize(axis: axis, rank: rank)
        let n = shape[a]
        let inner = shape[(a + 1)...].reduce(1, *)
        let outer = shape[..<a].reduce(1, *)
        return try Tensor(shape: shape) { out in
            withBuffer { x in
                for o in 0..<outer {
                    for i in 0..<inner {
                        var product = 1.0
                        for t in 0..<n {
                            let index = (o * n + t) * inner + i
                            product *= x[index]
                            out[index] = product
                        }
                    }
                }
            }
        }
    }

    /// Cumulative sum (or running mean when `mean` is true) along `axis`; with no
    /// axis, over the flattened tensor (NumPy).
    public func scan(mean: Bool, axis: Int?) throws(KLSError) -> Tensor {
        guard let axis else { return try reshaped([count]).scan(mean: mean, axis: 0) }
        let a = try Shape.normalize(axis: axis, rank: rank)
        let n = shape[a]
        let inner = shape[(a + 1)...].reduce(1, *)
        let outer = shape[..<a].reduce(1, *)
        return try Tensor(shape: shape) { out in
            withBuffer { x in
                for o in 0..<outer {
                    for i in 0..<inner {
                        // Compensated running sum: a long running mean (a convergence
                        // trace of a million draws) stays accurate to the last digit.
                        var total = CompensatedSum()
                        for t in 0..<n {
                            let index = (o * n + t) * inner + i
                            total.add(x[index])
                            out[index] = mean ? total.value / Double(t + 1) : total.value
                        }
                    }
                }
            }
        }
    }
}
