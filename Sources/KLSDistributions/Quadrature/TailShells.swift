import Foundation
import KLSDiagnostics

/// The integral from a breakpoint to one end of the support, as a series of
/// shells: toward a finite end e from c, [e + (c − e)/2^(k+1), e + (c − e)/2^k];
/// toward an infinite end, [c + w(2^k − 1), c + w(2^(k+1) − 1)]. Each shell is
/// smooth enough for QAG; near an integrable singularity (x^α log x at a Beta
/// or Gamma end) or in a power-law tail, the shells shrink geometrically, and
/// where doubles run out the partial sums are extrapolated (Wynn's epsilon
/// algorithm). Toward an infinite end, shells that stop shrinking mean the
/// integral diverges.
struct TailShells {
    /// One tail's sum.
    struct Sum {
        var value = 0.0
        var error = 0.0
        var absolute = 0.0
        var divergent = false
        /// Nothing sound could be said: the first shells overflowed, or they
        /// stopped shrinking at a finite end where doubles ran out.
        var unresolved = false
        /// The end approached.
        var end = 0.0
        /// The outer boundary of the last shell integrated (the start when none was).
        var reached = 0.0
    }

    var rule: GaussKronrod
    /// ∫|f| over the pieces between breakpoints: shells below 1e-17 of it are negligible.
    let scale: Double
    let tolerance: Double

    /// Shells stop once |x| passes this: beyond it squares overflow and densities lose meaning.
    static let farthest = 1e150
    /// Consecutive negligible shells that end a tail.
    static let quietShells = 3

    /// The tail from `c` toward `end`; `width` sizes the first shell toward an infinite end.
    mutating func sum(from c: Double, toward end: Double, width: Double) throws(KLSError) -> Sum {
        var result = Sum(end: end, reached: c)
        guard c != end else { return result }
        var partials: [Double] = []
        var shells: [Double] = []
        var inner = c
        var quiet = 0
        for k in 0..<4000 {
            guard let outer = boundary(k + 1, from: c, toward: end, width: width), outer != inner else {
                // Not one shell fits between c and the end: that sliver is beyond the resolution of doubles.
                if k == 0 { result.unresolved = true }
                break
            }
            let estimate = try rule.adaptive([(Swift.min(inner, outer), Swift.max(inner, outer))], limit: 60) {
                Swift.max(1e-3 * tolerance * Swift.abs($0), 1e-3 * tolerance * scale)
            }
            guard estimate.value.isFinite else {
                // Far out, an overflow ends the shells and the rest is extrapolated;
                // with fewer than three shells there is nothing to extrapolate from.
                if partials.count < 3 { result.unresolved = true }
                break
            }
            result.value += estimate.value
            result.error += estimate.error
            result.absolute += estimate.absolute
            partials.append(result.value)
            shells.append(estimate.absolute)
            result.reached = outer
            quiet = estimate.absolute <= 1e-17 * Swift.max(scale, result.absolute) ? quiet + 1 : 0
            if quiet >= Self.quietShells { return result }
            inner = outer
        }
        return finish(result, partials: partials, shells: shells)
    }

    /// The outer end of shell k − 1 (k ≥ 1); nil past the farthest point.
    func boundary(_ k: Int, from c: Double, toward end: Double, width: Double) -> Double? {
        if end.isFinite {
            // Within 1e-11 of a nonzero end, or 1e-290 of 0 (subnormals have few
            // bits), the nodes of a shell round to few distinct doubles: the
            // shells stop and the rest is extrapolated.
            let offset = (c - end) * Foundation.scalbn(1.0, -k)
            guard Swift.abs(offset) >= Swift.max(1e-11 * Swift.abs(end), 1e-290) else { return nil }
            let x = end + offset
            return x == end ? nil : x
        }
        let step = width * (Foundation.scalbn(1.0, k) - 1)
        let x = end > c ? c + step : c - step
        return Swift.abs(x) > Self.farthest ? nil : x
    }

    /// The shells ran out before becoming negligible: extrapolate, or call the
    /// tail divergent when its shells stopped shrinking toward an infinite end.
    func finish(_ sum: Sum, partials: [Double], shells: [Double]) -> Sum {
        var result = sum
        if result.unresolved { return result }
        if shells.count >= 24 {
            let recent = shells[shells.count - 1]
            let earlier = shells[shells.count - 17]
            // Per-shell ratio over the last 16 shells: a convergent power-law tail
            // x^−(1+ε) shrinks by 2^−ε per shell, and the epsilon algorithm sums it
            // down to ε ≈ 0.003; a divergent one (1/x or slower) does not shrink.
            // At a finite end q's mass is finite, so shells that do not shrink mean
            // mass beyond the resolution of doubles (Gamma(1e-300)), not divergence.
            if earlier > 0, Foundation.pow(recent / earlier, 1.0 / 16) >= 0.999 {
                if sum.end.isFinite { result.unresolved = true } else { result.divergent = true }
                return result
            }
        }
        if let limit = EpsilonAlgorithm.limit(partials) {
            // The table's own estimate is optimistic; ten times it, and the change
            // when the last shell or two are left out, bound the error on kls's
            // reference pairs (one shell was not enough for Beta(1.29, 0.58)'s end).
            let shorter = (1...2).map { dropped in
                EpsilonAlgorithm.limit(partials.dropLast(dropped)).map { Swift.abs($0.value - limit.value) } ?? 0
            }
            result.value = limit.value
            result.error += Swift.max(10 * limit.error, shorter.max() ?? 0)
        } else {
            result.error += shells.last ?? 0
        }
        return result
    }
}
