import Foundation
import KLSDiagnostics
import KLSTensor

/// Where a scalar distribution keeps its mass: quantiles found by bisecting
/// the cdf over the doubles themselves (64 halvings of the ordered bit
/// patterns reach any quantile exactly, however far or narrow the mass). They
/// split the integration range so that no piece holds mass the rule can miss.
enum MassLocator {
    /// Levels from 1e-12 to 1 − 1e-12, denser in the tails.
    static let levels: [Double] = [
        1e-12, 1e-9, 1e-6, 1e-4, 1e-3, 0.01, 0.05, 0.15, 0.3, 0.5, 0.7, 0.85, 0.95, 0.99, 0.999, 1 - 1e-4,
        1 - 1e-6, 1 - 1e-9, 1 - 1e-12,
    ]

    /// Distinct points strictly inside `support` where q's mass lies, ascending;
    /// from the mean and standard deviation when q has no cdf, and never empty.
    /// A mixture's are its components' together: the mixture's own quantiles
    /// would put a narrow component's lower tail in one wide piece between
    /// components, where the rule sees only zeros and reports convergence.
    static func breakpoints(of q: any Distribution, in support: ClosedRange<Double>) throws(KLSError) -> [Double] {
        if let mixture = q as? Mixture {
            var points: Set<Double> = []
            for component in mixture.components {
                points.formUnion(try breakpoints(of: component, in: support))
            }
            return points.sorted()
        }
        var points: [Double] = []
        if (try? q.cdf(Tensor(scalar: 0))) != nil {
            for level in levels {
                try Cancellation.check()
                points.append(try quantile(q, level, in: support))
            }
        } else if let mean = try? q.mean()[flat: 0], let sd = try? q.variance()[flat: 0].squareRoot(),
            mean.isFinite, sd.isFinite, sd > 0
        {
            points = [-8.0, -4, -2, -1, 0, 1, 2, 4, 8].map { mean + $0 * sd }
        }
        var inside = Array(Set(points.filter { $0 > support.lowerBound && $0 < support.upperBound })).sorted()
        if inside.isEmpty {
            inside = [middle(of: support)]
        }
        return inside
    }

    /// `points` with the kinks inside their span added (a piece must end where
    /// either density has one). A point that is not a kink and lies within 1% of
    /// a kink's gap to its other neighbour gives way to it: a piece a few ulps
    /// wide would make rounding the nodes look like a large error
    /// (`Quadrature.roundingError`).
    static func joining(kinks: [Double], to points: [Double]) -> [Double] {
        guard let first = points.first, let last = points.last else { return points }
        let inside = Set(kinks.filter { $0 > first && $0 < last })
        var joined = Array(Set(points).union(inside)).sorted()
        for kink in inside.sorted() {
            guard let index = joined.firstIndex(of: kink) else { continue }
            let below = index > 0 ? kink - joined[index - 1] : .infinity
            let above = index + 1 < joined.count ? joined[index + 1] - kink : .infinity
            if below < 0.01 * above, index - 1 > 0, !inside.contains(joined[index - 1]) {
                joined.remove(at: index - 1)
            } else if above < 0.01 * below, index + 2 < joined.count, !inside.contains(joined[index + 1]) {
                joined.remove(at: index + 1)
            }
        }
        return joined
    }

    /// The smallest x in `support` with cdf(x) ≥ level, to the resolution of doubles.
    static func quantile(_ q: any Distribution, _ level: Double, in support: ClosedRange<Double>) throws(KLSError)
        -> Double
    {
        var low = key(Swift.max(support.lowerBound, -Double.greatestFiniteMagnitude))
        var high = key(Swift.min(support.upperBound, Double.greatestFiniteMagnitude))
        while low < high - 1 {
            let mid = (low >> 1) + (high >> 1) + (low & high & 1)
            let x = value(mid)
            if try q.cdf(Tensor(scalar: x))[flat: 0] >= level { high = mid } else { low = mid }
        }
        return value(high)
    }

    /// A point inside an interval, for a distribution without quantiles.
    static func middle(of support: ClosedRange<Double>) -> Double {
        switch (support.lowerBound.isFinite, support.upperBound.isFinite) {
        case (true, true): return 0.5 * (support.lowerBound + support.upperBound)
        case (true, false): return support.lowerBound + 1
        case (false, true): return support.upperBound - 1
        case (false, false): return 0
        }
    }

    /// Doubles in order as integers: negative numbers' bit patterns run backwards.
    static func key(_ x: Double) -> Int64 {
        let bits = Int64(bitPattern: x.bitPattern)
        return bits >= 0 ? bits : Int64.min &- bits
    }

    static func value(_ key: Int64) -> Double {
        Double(bitPattern: UInt64(bitPattern: key >= 0 ? key : Int64.min &- key))
    }
}
