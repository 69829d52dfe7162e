import Foundation

/// Wynn's epsilon algorithm ("On a device for computing the e_m(S_n)
/// transformation", MTAC 10, 1956): the limit of a sequence of partial sums
/// whose terms shrink like sums of geometric sequences — exactly what the
/// contributions of ever smaller (or larger) shells next to a singularity or
/// an infinite end are. QUADPACK's QAGS and QAWF extrapolate the same way
/// (its DQELG); like DQELG, only the latest 50 terms are used.
enum EpsilonAlgorithm {
    static func limit(_ sums: [Double]) -> (value: Double, error: Double)? { limit(sums[...]) }

    /// The extrapolated limit of `sums` and an estimate of its error; nil for
    /// fewer than three terms.
    static func limit(_ sums: ArraySlice<Double>) -> (value: Double, error: Double)? {
        let s = Array(sums.suffix(50))
        guard s.count >= 3, let last = s.last else { return nil }
        // Columns of the table, each one shorter than the one before; even
        // columns are estimates of the limit.
        var previous = [Double](repeating: 0, count: s.count + 1)
        var current = s
        var best: (value: Double, error: Double) = (last, Swift.abs(last - s[s.count - 2]))
        var column = 0
        var lastEstimates: [Double] = [last]
        while current.count >= 2 {
            var next = [Double](repeating: 0, count: current.count - 1)
            for j in 0..<(current.count - 1) {
                let difference = current[j + 1] - current[j]
                // A zero difference: this column has converged (or the table breaks down) here.
                guard difference != 0 else { return best }
                next[j] = previous[j + 1] + 1 / difference
            }
            guard next.allSatisfy(\.isFinite) else { return best }
            column += 1
            previous = current
            current = next
            if column % 2 == 0, let estimate = current.last {
                // The change along the column and against the column before bound the error, as in DQELG.
                let along = current.count >= 2 ? Swift.abs(estimate - current[current.count - 2]) : .infinity
                let across = lastEstimates.last.map { Swift.abs(estimate - $0) } ?? .infinity
                let error = Swift.max(along, across, 5 * Double.ulpOfOne * Swift.abs(estimate))
                if error < best.error { best = (estimate, error) }
                lastEstimates.append(estimate)
            }
        }
        return best
    }
}
