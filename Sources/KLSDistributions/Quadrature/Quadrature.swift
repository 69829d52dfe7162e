import Foundation
import KLSDiagnostics
import KLSTensor

/// What `kl_quad` found: the integral, a bound on its error, and whether the
/// tolerance was met. A value of +inf comes with the reason.
public struct QuadratureResult: Sendable {
    /// The integral (+inf when it diverges).
    public let value: Double
    /// Estimated absolute error.
    public let error: Double
    /// Integrand evaluations used.
    public let evaluations: Int
    /// True when the error estimate meets the tolerance.
    public let converged: Bool
    /// Why the value is +inf, or why the tolerance was not met; nil otherwise.
    public let note: String?

    public init(value: Double, error: Double, evaluations: Int, converged: Bool, note: String?) {
        (self.value, self.error, self.evaluations, self.converged, self.note) = (
            value, error, evaluations, converged, note
        )
    }
}

/// KL(q‖p) = ∫ q (log q − log p) for scalar continuous pairs, by QUADPACK's
/// design (Piessens et al. 1983): adaptive 21-point Gauss–Kronrod on the pieces
/// between q's quantiles (so mass that is narrow or far from 0 is found first),
/// and, toward each end of the support, shells that halve toward a finite end
/// or double toward an infinite one, whose partial sums are extrapolated with
/// Wynn's epsilon algorithm — as QAGS does at endpoint singularities and QAWF
/// over cycles. A tail whose shells stop shrinking is a divergent integral.
public enum Quadrature {
    /// Relative accuracy asked of `kl_quad`.
    public static let defaultTolerance = 1e-10

    /// KL(q‖p) for scalar, batch-free, continuous q and p.
    public static func kl(_ q: any Distribution, _ p: any Distribution, tolerance: Double = defaultTolerance)
        throws(KLSError) -> QuadratureResult
    {
        guard q.eventShape.isEmpty, p.eventShape.isEmpty, q.batchShape.isEmpty, p.batchShape.isEmpty else {
            throw KLSError(
                DistributionError.quadratureNeedsScalars(q, p),
                hint: "use kl_mc for vectors and batches")
        }
        guard !q.isDiscrete, !p.isDiscrete else {
            throw KLSError(
                "kl_quad is for continuous distributions; \(q.isDiscrete ? q.family : p.family) is discrete",
                hint: "use kl(q, p)")
        }
        let (qs, ps) = (q.support, p.support)
        if qs.lowerBound < ps.lowerBound || qs.upperBound > ps.upperBound {
            return QuadratureResult(
                value: .infinity, error: 0, evaluations: 0, converged: true,
                note: "q's support \(describe(qs)) is not inside p's \(describe(ps)): q puts mass where p has "
                    + "none, so KL(q‖p) = +inf")
        }
        if let unreachable = try unreachableMass(q, qs) { return unreachable }
        let overflow = DensityOverflow()
        let integrand = { (x: Double) throws(KLSError) -> Double in
            let lq = try q.logpdf(Tensor(scalar: x))[flat: 0]
            if lq == -.infinity || lq.isNaN { return 0 }
            let difference = lq - (try p.logpdf(Tensor(scalar: x))[flat: 0])
            if difference.isNaN || difference == 0 { return 0 }
            // q·(log q − log p) as ±e^(log q + log|…|): far out, q underflows while the difference is huge.
            let magnitude = Foundation.exp(lq + Foundation.log(Swift.abs(difference)))
            // A finite difference times a huge density: q is too dense for doubles, not infinitely far from p.
            if magnitude == .infinity, difference.isFinite { overflow.seen = true }
            return difference > 0 ? magnitude : -magnitude
        }
        let breakpoints = MassLocator.joining(
            kinks: q.kinks + p.kinks, to: try MassLocator.breakpoints(of: q, in: qs))
        // q's mass between a finite end and the last shell, which only extrapolation covers.
        let massBeyond = { (end: Double, reached: Double) throws(KLSError) -> Double in
            let cdf = try q.cdf(Tensor(scalar: reached))[flat: 0]
            return end < reached ? cdf : 1 - cdf
        }
        let result = try integrate(
            integrand, over: qs, breakpoints: breakpoints, tolerance: tolerance, massBeyond: massBeyond,
            evaluationError: evaluationError(q, p))
        if result.value == .infinity, result.note?.hasPrefix(infiniteIntegrandNote) == true, overflow.seen {
            return unresolved(
                "q's density times log(q/p) exceeds the largest double (q is narrower than about 1e-305), so "
                    + "the integrand cannot be evaluated; kl(q, p) or kl_mc(q, p) can", evaluations: result.evaluations)
        }
        return result
    }

    /// How far rounding may carry the integrand q·(log q − log p) at x: each
    /// log-density's own bound (its formula on `BoundedNumber`s) through the
    /// integrand's derivatives, e^(log q)·[(1 + |log q − log p|)·δq + δp], and the
    /// product's own rounding. In log form, as the integrand, so a narrow q's
    /// density does not overflow it.
    static func evaluationError(_ q: any Distribution, _ p: any Distribution) -> (Double) throws(KLSError) -> Double {
        { (x: Double) throws(KLSError) -> Double in
            let lq = try q.boundedLogDensity(at: x)
            guard lq.value > -.infinity, !lq.value.isNaN else { return 0 }
            let lp = try p.boundedLogDensity(at: x)
            let difference = Swift.abs(lq.value - lp.value)
            guard difference.isFinite else { return 0 }
            let spread = (1 + difference) * lq.error + lp.error + 4 * BoundedNumber.unitRoundoff * difference
            guard spread > 0 else { return 0 }
            return Foundation.exp(lq.value + Foundation.log(spread))
        }
    }

    /// Set by the integrand when q·log(q/p) overflowed with log(q/p) finite.
    final class DensityOverflow: @unchecked Sendable {
        var seen = false
    }

    /// A result that cannot be trusted at all: nan, with the reason.
    static func unresolved(_ why: String, evaluations: Int) -> QuadratureResult {
        QuadratureResult(value: .nan, error: .infinity, evaluations: evaluations, converged: false, note: why)
    }

    /// nan with a reason when more than 1e-9 of q's mass lies beyond ±1.8e308
    /// (StudentT(1e-300), LogNormal(0, 1e300)): no quadrature over doubles sees it.
    static func unreachableMass(_ q: any Distribution, _ support: ClosedRange<Double>) throws(KLSError)
        -> QuadratureResult?
    {
        var outside = 0.0
        if support.lowerBound == -.infinity {
            outside += try q.cdf(Tensor(scalar: -Double.greatestFiniteMagnitude))[flat: 0]
        }
        if support.upperBound == .infinity {
            outside += 1 - (try q.cdf(Tensor(scalar: Double.greatestFiniteMagnitude))[flat: 0])
        }
        guard outside > 1e-9 else { return nil }
        return unresolved(
            "q puts \(format(outside)) of its mass beyond ±1.8e308, where doubles do not reach: quadrature "
                + "cannot integrate it", evaluations: 0)
    }

    /// ∫ f over `range` (ends may be infinite), split at `breakpoints` (inside
    /// the range, ascending; the midpoint or 0 when none are given). With
    /// `massBeyond(end, reached)`, the probability between a finite end and the
    /// last shell toward it: above 1% the extrapolation would carry too much,
    /// and the result is unresolved. With `evaluationError`, a bound on how far
    /// rounding may carry f at each x, its integral over the pieces joins the
    /// error estimate: the rule's estimate assumes f exact.
    public static func integrate(
        _ f: @escaping (Double) throws(KLSError) -> Double, over range: ClosedRange<Double>,
        breakpoints: [Double] = [], tolerance: Double = defaultTolerance,
        massBeyond: ((Double, Double) throws(KLSError) -> Double)? = nil,
        evaluationError: ((Double) throws(KLSError) -> Double)? = nil
    ) throws(KLSError) -> QuadratureResult {
        var points = breakpoints.filter { x in
            x - range.lowerBound >= margin(range.lowerBound, range)
                && range.upperBound - x >= margin(range.upperBound, range)
        }
        if points.isEmpty { points = [MassLocator.middle(of: range)] }
        var rule = GaussKronrod(f)
        let pieces = zip(points, points.dropFirst()).flatMap { geometricPieces($0, $1) }
        let inner = try rule.adaptive(pieces, limit: 400 + 10 * pieces.count) {
            Swift.max(tolerance * Swift.abs($0), 1e-300)
        }
        if !inner.value.isFinite {
            return infinite(evaluations: rule.evaluations, within: points)
        }
        let scale = Swift.max(inner.absolute, Double.leastNormalMagnitude)
        var tails = TailShells(rule: rule, scale: scale, tolerance: tolerance)
        let below = try tails.sum(from: points[0], toward: range.lowerBound, width: spread(points))
        let above = try tails.sum(from: points[points.count - 1], toward: range.upperBound, width: spread(points))
        let evaluations = tails.rule.evaluations
        if let massBeyond {
            for tail in [below, above] where tail.end.isFinite && !tail.unresolved {
                let mass = try massBeyond(tail.end, tail.reached)
                if mass > 0.01 {
                    return unresolved(
                        "\(format(mass)) of q's mass lies between \(format(tail.reached)) and \(format(tail.end)), "
                            + "where the shells could not resolve the integrand (doubles run out, or q's density "
                            + "does): quadrature cannot integrate it",
                        evaluations: evaluations)
                }
            }
        }
        for tail in [below, above] where tail.unresolved {
            return unresolved(
                "the integrand cannot be resolved toward \(format(tail.end)): it overflows, or q's mass piles up "
                    + "closer to that end than doubles can tell apart", evaluations: evaluations)
        }
        for tail in [below, above] where tail.divergent {
            return QuadratureResult(
                value: .infinity, error: .infinity, evaluations: evaluations, converged: true,
                note: "the integrand does not shrink toward \(tail.end == .infinity ? "+inf" : "-inf") (by less "
                    + "than 0.1% per doubling of x): the integral diverges (+inf: q's tail is too heavy for p's "
                    + "for this divergence), or it converges too slowly to tell")
        }
        let value = inner.value + below.value + above.value
        var error = inner.error + below.error + above.error + roundingError(points, absolute: inner.absolute)
        if let evaluationError {
            // Its magnitude matters, not its digits: one 21-point rule per piece.
            var errorRule = GaussKronrod(evaluationError)
            for piece in pieces { error += try errorRule.rule(piece.lo, piece.hi).absolute }
        }
        let bound = Swift.max(
            tolerance * Swift.abs(value), 50 * Double.ulpOfOne * (inner.absolute + below.absolute + above.absolute))
        let converged = error <= bound
        return QuadratureResult(
            value: value, error: error, evaluations: evaluations, converged: converged,
            note: converged
                ? nil
                : "the error estimate \(format(error)) misses the tolerance (\(format(tolerance)) relative): "
                    + "the value may be off by about that much")
    }

    /// How far the pieces stay from a finite end of `range`: the shells toward it
    /// need room (about 20 halvings before they reach 1e-11 of the end, where
    /// doubles grow coarse) and cover everything beyond.
    static func margin(_ end: Double, _ range: ClosedRange<Double>) -> Double {
        guard end.isFinite else { return 0 }
        let width = range.upperBound - range.lowerBound
        return Swift.max(Swift.min(1e-5 * Swift.abs(end), width / 8), 1e-280)
    }

    /// [lo, hi] split so that no piece spans more than a factor of 16 when both
    /// ends have one sign: mass spread over many orders of magnitude (a Gamma
    /// shape of 0.01 has quantiles from 1e-300 to 1) would otherwise be missed.
    static func geometricPieces(_ lo: Double, _ hi: Double) -> [(lo: Double, hi: Double)] {
        guard lo * hi > 0 else { return [(lo, hi)] }
        let (small, large) = Swift.abs(lo) < Swift.abs(hi) ? (lo, hi) : (hi, lo)
        let ratio = large / small
        guard ratio > 16 else { return [(lo, hi)] }
        let count = Swift.min(4000, Int((Foundation.log(ratio) / Foundation.log(16.0)).rounded(.up)))
        let step = Foundation.pow(ratio, 1 / Double(count))
        var cuts = [small]
        for i in 1..<count { cuts.append(small * Foundation.pow(step, Double(i))) }
        cuts.append(large)
        if small > large { cuts.reverse() }
        if lo > hi { cuts.reverse() }
        let ascending = cuts.sorted()
        return zip(ascending, ascending.dropFirst()).map { (lo: $0, hi: $1) }
    }

    /// What rounding x to doubles costs: mass far from 0 and narrow (Normal(1e6,
    /// 1e-3)) is read at nodes shifted by up to an ulp of x, a relative shift of
    /// ulp/spacing between breakpoints (largest over the pieces) that no rule can undo.
    static func roundingError(_ points: [Double], absolute: Double) -> Double {
        let shift =
            zip(points, points.dropFirst()).map { a, b in
                Swift.max(Swift.abs(a), Swift.abs(b)).ulp / (b - a)
            }.max() ?? 0
        return absolute * shift
    }

    /// A width for the shells toward an infinite end: the spread of the breakpoints, or 1.
    static func spread(_ points: [Double]) -> Double {
        guard let first = points.first, let last = points.last, last > first else { return 1 }
        return (last - first) / 4
    }

    static func infinite(evaluations: Int, within points: [Double]) -> QuadratureResult {
        QuadratureResult(
            value: .infinity, error: .infinity, evaluations: evaluations, converged: true,
            note: infiniteIntegrandNote + " between \(format(points[0])) and \(format(points[points.count - 1])): "
                + "p's density is 0, or underflows, where q has mass, so KL(q‖p) is +inf or beyond the "
                + "largest double")
    }

    static let infiniteIntegrandNote = "the integrand is infinite"

    static func describe(_ r: ClosedRange<Double>) -> String { "[\(format(r.lowerBound)), \(format(r.upperBound))]" }

    static func format(_ x: Double) -> String { String(format: "%.3g", x) }
}
