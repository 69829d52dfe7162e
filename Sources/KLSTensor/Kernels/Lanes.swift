import KLSDiagnostics

/// Work along one axis at a time: sorting, quantiles.
extension Tensor {
    /// Runs `body` on each lane along `axis` (all elements when nil), copied
    /// contiguous, and assembles the outputs: `width` numbers per lane in place of
    /// the axis, or the axis removed when `width` is nil (then `body` writes one).
    public func mapLanes(
        axis: Int?, width: Int?,
        _ body: (UnsafeBufferPointer<Double>, UnsafeMutableBufferPointer<Double>) throws(KLSError) -> Void
    ) throws(KLSError) -> Tensor {
        guard let axis else {
            return try reshaped([count]).mapLanes(axis: 0, width: width, body)
        }
        let a = try Shape.normalize(axis: axis, rank: rank)
        let others = (0..<rank).filter { $0 != a }
        let moved = try permuted(others + [a])
        let n = shape[a]
        let lanes = n == 0 ? others.reduce(1) { $0 * shape[$1] } : count / n
        let w = width ?? 1
        let result = try Tensor(shape: others.map { shape[$0] } + [w]) { out throws(KLSError) in
            try withExtendedLifetime(moved) { () throws(KLSError) in
                let input = UnsafeBufferPointer(moved.storage.buffer)
                for lane in 0..<lanes {
                    let source = UnsafeBufferPointer(rebasing: input[lane * n..<(lane + 1) * n])
                    try body(source, UnsafeMutableBufferPointer(rebasing: out[lane * w..<(lane + 1) * w]))
                }
            }
        }
        guard width != nil else { return try result.reshaped(others.map { shape[$0] }) }
        // The output axis goes back where the input axis was.
        var order = Array(0..<(rank - 1))
        order.insert(rank - 1, at: a)
        return try result.permuted(order)
    }

    /// The elements sorted along `axis` (the last by default; all when nil), NaN last.
    public func sorted(axis: Int?) throws(KLSError) -> Tensor {
        let n = axis.map { a in (try? Shape.normalize(axis: a, rank: rank)).map { shape[$0] } ?? 0 } ?? count
        return try mapLanes(axis: axis, width: n) { lane, out in
            var values = Array(lane)
            values.sort { $0 < $1 || (!$0.isNaN && $1.isNaN) }
            _ = out.initialize(from: values)
        }
    }

    /// The indices that sort each lane along `axis` (all elements when nil),
    /// stable, NaN last: `x[argsort(x)]` is `sort(x)`.
    public func sortingIndices(axis: Int?) throws(KLSError) -> Tensor {
        let n = axis.map { a in (try? Shape.normalize(axis: a, rank: rank)).map { shape[$0] } ?? 0 } ?? count
        return try mapLanes(axis: axis, width: n) { lane, out in
            let order = lane.indices.sorted { i, j in
                let (a, b) = (lane[i], lane[j])
                if a.isNaN || b.isNaN { return !a.isNaN && b.isNaN || (a.isNaN && b.isNaN && i < j) }
                return a < b || (a == b && i < j)
            }
            for (k, i) in order.enumerated() { out[k] = Double(i) }
        }
    }

    /// NumPy's default ("linear") quantile of each lane along `axis` (all
    /// elements when nil) at each probability in `q`; the result has `q`'s axes
    /// first, then the remaining axes. NaN in a lane gives NaN, as in NumPy.
    public func quantiles(_ q: Tensor, axis: Int?) throws(KLSError) -> Tensor {
        let probabilities = q.values
        for p in probabilities where !(0...1).contains(p) {
            throw KLSError("quantiles must be between 0 and 1, got \(p)")
        }
        let laneLength = try axis.map { a throws(KLSError) in shape[try Shape.normalize(axis: a, rank: rank)] } ?? count
        guard laneLength > 0 else { throw KLSError("cannot take a quantile of no elements") }
        let k = probabilities.count
        let perLane = try mapLanes(axis: axis, width: k) { lane, out in
            var sorted = Array(lane)
            guard !sorted.contains(where: \.isNaN) else {
                out.initialize(repeating: .nan)
                return
            }
            sorted.sort()
            for (j, p) in probabilities.enumerated() {
                let position = p * Double(sorted.count - 1)
                let below = Int(position.rounded(.down))
                let above = Swift.min(below + 1, sorted.count - 1)
                let fraction = position - Double(below)
                // NumPy's lerp: exact at both ends.
                let (lo, hi) = (sorted[below], sorted[above])
                out[j] = fraction >= 0.5 ? hi - (hi - lo) * (1 - fraction) : lo + (hi - lo) * fraction
            }
        }
        // Move the quantile axis (where `axis` was, or last for all elements) to the front.
        let qAxis = axis.map { (try? Shape.normalize(axis: $0, rank: rank)) ?? 0 } ?? 0
        var order = [qAxis]
        order += (0..<perLane.rank).filter { $0 != qAxis }
        let front = try perLane.permuted(order)
        return try front.reshaped(q.shape + Array(front.shape.dropFirst()))
    }
}
