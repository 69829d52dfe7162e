import KLSDiagnostics
import KLSTensor

/// Derivative rules of the operations that work lane by lane along one axis
/// (all elements when the axis is nil): the scans (cumsum, cummean, cumprod)
/// and the order statistics (sort, quantile, median). Each backward pass joins
/// what a lane needs — x's lane and the gradient's — along the axis and walks
/// the lanes with `mapLanes`.
///
/// sort passes each sorted position's gradient to the element that landed
/// there (ties in argsort's stable order); quantile and median pass it to the
/// two order statistics they interpolate, weighted as the interpolation is.
extension TracedNumber {
    /// cumsum and cummean: x̄ᵢ = Σ_{j≥i} ḡⱼ (over j + 1 for cummean).
    package static func scan(_ x: TracedNumber, mean: Bool, axis: Int?) throws(KLSError) -> TracedNumber {
        let plain = x.value
        let out = try plain.scan(mean: mean, axis: axis)
        guard let t = x.node else { return .plain(out) }
        let n = laneLength(plain, axis)
        return unary(t, out) { g throws(KLSError) in
            let back = try g.mapLanes(axis: axis, width: n) { lane, result in
                var total = 0.0
                for i in stride(from: lane.count - 1, through: 0, by: -1) {
                    total += mean ? lane[i] / Double(i + 1) : lane[i]
                    result[i] = total
                }
            }
            return try back.reshaped(plain.shape)
        }
    }

    /// cumprod: x̄ₖ = Σ_{i≥k} ḡᵢ Π_{j≤i, j≠k} xⱼ — by yᵢ/xₖ in O(n) when the lane
    /// has no zero, else by the products themselves.
    package static func cumulativeProduct(_ x: TracedNumber, axis: Int?) throws(KLSError) -> TracedNumber {
        let plain = x.value
        let out = try plain.cumulativeProduct(axis: axis)
        guard let t = x.node else { return .plain(out) }
        let n = laneLength(plain, axis)
        return unary(t, out) { g throws(KLSError) in
            let joined = try join(plain, g.reshaped(plain.shape), axis)
            let back = try joined.mapLanes(axis: axis, width: n) { lane, result in
                cumprodLane(Array(lane[0..<n]), Array(lane[n...]), into: result)
            }
            return try back.reshaped(plain.shape)
        }
    }

    private static func cumprodLane(_ x: [Double], _ g: [Double], into result: UnsafeMutableBufferPointer<Double>) {
        let n = x.count
        if !x.contains(0) {
            var product = 1.0
            var weighted = [Double](repeating: 0, count: n)
            for i in 0..<n {
                product *= x[i]
                weighted[i] = g[i] * product
            }
            var total = 0.0
            for k in stride(from: n - 1, through: 0, by: -1) {
                total += weighted[k]
                result[k] = total / x[k]
            }
            return
        }
        var prefix = 1.0
        for k in 0..<n {
            var others = prefix
            var total = g[k] * others
            for i in (k + 1)..<Swift.max(k + 1, n) {
                others *= x[i]
                total += g[i] * others
            }
            result[k] = total
            prefix *= x[k]
        }
    }

    /// sort: each sorted position's gradient goes back to the element sorted there.
    package static func sort(_ x: TracedNumber, axis: Int?) throws(KLSError) -> TracedNumber {
        let plain = x.value
        let out = try plain.sorted(axis: axis)
        guard let t = x.node else { return .plain(out) }
        let order = try plain.sortingIndices(axis: axis)
        let n = laneLength(plain, axis)
        return unary(t, out) { g throws(KLSError) in
            let joined = try join(order, g.reshaped(plain.shape), axis)
            let back = try joined.mapLanes(axis: axis, width: n) { lane, result in
                for k in 0..<n { result[Int(lane[k])] = lane[n + k] }
            }
            return try back.reshaped(plain.shape)
        }
    }

    /// quantile(x, q, axis) and median (q = 0.5).
    package static func quantiles(_ x: TracedNumber, _ q: Tensor, axis: Int?) throws(KLSError) -> TracedNumber {
        let plain = x.value
        let out = try plain.quantiles(q, axis: axis)
        guard let t = x.node else { return .plain(out) }
        return unary(t, out) { g throws(KLSError) in try quantileBackward(plain, q.values, axis, g) }
    }

    /// The gradient of quantiles: each lane's sorting order (argsort's, as
    /// `sort` uses) joined with its k gradients (moved from the front, where
    /// `quantiles` puts them, to the axis).
    private static func quantileBackward(_ x: Tensor, _ q: [Double], _ axis: Int?, _ g: Tensor) throws(KLSError)
        -> Tensor
    {
        let n = laneLength(x, axis)
        let k = q.count
        let order = try x.sortingIndices(axis: axis)
        let a = try Shape.normalize(axis: axis ?? 0, rank: order.rank)
        let rest = Array(order.shape.enumerated().filter { $0.offset != a }.map(\.element))
        var grads = try g.reshaped([k] + rest)
        var axes = Array(1..<grads.rank)
        axes.insert(0, at: a)
        grads = try grads.permuted(axes)
        let joined = try Tensor.concatenate([order, grads], axis: a)
        let back = try joined.mapLanes(axis: a, width: n) { lane, result in
            result.initialize(repeating: 0)
            let positions = (0..<n).map { Int(lane[$0]) }
            for (j, p) in q.enumerated() {
                let position = p * Double(n - 1)
                let below = Int(position.rounded(.down))
                let above = Swift.min(below + 1, n - 1)
                let fraction = position - Double(below)
                result[positions[below]] += lane[n + j] * (1 - fraction)
                result[positions[above]] += lane[n + j] * fraction
            }
        }
        return try back.reshaped(x.shape)
    }

    /// The length of the lanes along `axis` (all elements when nil).
    private static func laneLength(_ x: Tensor, _ axis: Int?) -> Int {
        guard let axis else { return x.count }
        return (try? Shape.normalize(axis: axis, rank: x.rank)).map { x.shape[$0] } ?? 0
    }

    /// a and b (of one shape) joined along `axis`, so each lane holds a's lane then b's.
    private static func join(_ a: Tensor, _ b: Tensor, _ axis: Int?) throws(KLSError) -> Tensor {
        guard let axis else { return try Tensor.concatenate([a.reshaped([a.count]), b.reshaped([b.count])], axis: 0) }
        return try Tensor.concatenate([a, b], axis: axis)
    }
}
