/// Keeping draws inside the open support, where the density is finite and
/// positive. A Gamma(0.01) draw underflows to exactly 0 and a Beta(0.93, 0.35)
/// draw rounds to exactly 1, where the density is infinite or 0 and every
/// log-ratio built on it is nan; PyTorch clamps such draws the same way.
enum Support {
    /// `x` moved inside (`low`, `high`): the nearest double strictly inside
    /// when it rounded onto or past an end. The moved draws are a set of
    /// probability zero in exact arithmetic, so moments do not change.
    static func open(_ x: Double, above low: Double, below high: Double = .infinity) -> Double {
        let lowest = low == 0 ? Double.leastNormalMagnitude : low.nextUp
        let highest = high == 1 ? 1 - Double.ulpOfOne / 2 : (high.isFinite ? high.nextDown : .greatestFiniteMagnitude)
        if x.isNaN { return x }
        return Swift.min(Swift.max(x, lowest), highest)
    }
}
