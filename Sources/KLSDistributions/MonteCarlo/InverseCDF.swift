import KLSDiagnostics
import KLSTensor

/// Draws of a continuous scalar distribution from given uniforms: x = F⁻¹(u),
/// the smallest double with cdf(x) ≥ u, per batch element.
///
/// One bisection for all the uniforms of a chunk at once, on the doubles'
/// order (their bit patterns as integers, as `MassLocator.quantile`), so every
/// step is one vectorised `cdf` call and 64 steps reach the exact double from
/// any bracket. (Newton's steps inside the bracket were tried: with the
/// density's cost on top of the cdf's, and the bracket closing from one side,
/// they took 1.5× as long on Gamma.) Slower than a family's own closed-form
/// quantile, but it serves every family with a cdf, and randomised
/// quasi-Monte Carlo needs exactly this map: the points' low discrepancy
/// survives a monotone transform.
enum InverseCDF {
    /// `q`'s quantiles at `u` (`[count, 1]`, in (0, 1)): `[count] + batch`.
    static func quantiles(_ q: any Distribution, _ u: Tensor, batch: [Int]) throws(KLSError) -> Tensor {
        let count = u.shape[0]
        let shape = [count] + batch
        let levels = try u.reshaped([count] + [Int](repeating: 1, count: batch.count)).broadcast(to: shape).values
        let support = q.support
        let total = levels.count
        // F(value(low)) < u ≤ F(value(high)) throughout.
        var low = [Int64](
            repeating: MassLocator.key(Swift.max(support.lowerBound, -.greatestFiniteMagnitude)), count: total)
        var high = [Int64](
            repeating: MassLocator.key(Swift.min(support.upperBound, .greatestFiniteMagnitude)), count: total)
        for _ in 0..<66 {
            guard zip(low, high).contains(where: { $0 < $1 - 1 }) else { break }
            let middle = try Tensor(shape: shape) { out in
                for i in 0..<total { out[i] = MassLocator.value(midpoint(low[i], high[i])) }
            }
            let below = try q.cdf(middle).broadcast(to: shape)
            for i in 0..<total where low[i] < high[i] - 1 {
                let mid = midpoint(low[i], high[i])
                if below[flat: i] >= levels[i] { high[i] = mid } else { low[i] = mid }
            }
            try Cancellation.check()
        }
        return try Tensor(shape: shape) { out in for i in 0..<total { out[i] = MassLocator.value(high[i]) } }
    }

    /// The integer halfway between two keys, without overflow.
    static func midpoint(_ a: Int64, _ b: Int64) -> Int64 { (a >> 1) + (b >> 1) + (a & b & 1) }
}
