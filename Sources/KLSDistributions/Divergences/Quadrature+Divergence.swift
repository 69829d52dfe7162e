import Foundation
import KLSDiagnostics
import KLSTensor

extension Quadrature {
    /// ∫ q·term(log q − log p) over q's support, for scalar, batch-free,
    /// continuous q and p (`divergence_quad`): the expectation over q that
    /// `Divergence.value(fromMean:)` turns into the divergence. Where p has no
    /// density the log-ratio is +inf and the term its limit (`DivergenceTerm`).
    public static func expectation(
        _ q: any Distribution, _ p: any Distribution, of term: DivergenceTerm, tolerance: Double = defaultTolerance
    ) throws(KLSError) -> QuadratureResult {
        try expectation(q, p, tolerance: tolerance) { l throws(KLSError) in term(l) }
    }

    /// ∫ q·term(log q − log p) for any term (an f-divergence's user function).
    public static func expectation(
        _ q: any Distribution, _ p: any Distribution, tolerance: Double = defaultTolerance,
        term: @escaping (Double) throws(KLSError) -> Double
    ) throws(KLSError) -> QuadratureResult {
        guard q.eventShape.isEmpty, p.eventShape.isEmpty, q.batchShape.isEmpty, p.batchShape.isEmpty else {
            throw KLSError(
                DistributionError.quadratureNeedsScalars(q, p), hint: "use divergence_mc for vectors and batches")
        }
        guard !q.isDiscrete, !p.isDiscrete else {
            throw KLSError(
                "divergence_quad is for continuous distributions; \(q.isDiscrete ? q.family : p.family) is discrete",
                hint: "use divergence(q, p, kind)")
        }
        let qs = q.support
        if let unreachable = try unreachableMass(q, qs) { return unreachable }
        let integrand = { (x: Double) throws(KLSError) -> Double in
            let lq = try q.logpdf(Tensor(scalar: x))[flat: 0]
            if lq == -.infinity || lq.isNaN { return 0 }
            let t = try term(lq - (try p.logpdf(Tensor(scalar: x))[flat: 0]))
            if t == 0 || t.isNaN { return t.isNaN ? .nan : 0 }
            // q·t as ±e^(log q + log|t|): far out, q underflows while t is huge.
            let magnitude = Foundation.exp(lq + Foundation.log(Swift.abs(t)))
            return t > 0 ? magnitude : -magnitude
        }
        let ps = p.support
        let ends = [ps.lowerBound, ps.upperBound].filter { $0.isFinite && qs.contains($0) }
        let breakpoints = MassLocator.joining(
            kinks: q.kinks + p.kinks + ends, to: try MassLocator.breakpoints(of: q, in: qs))
        let massBeyond = { (end: Double, reached: Double) throws(KLSError) -> Double in
            let cdf = try q.cdf(Tensor(scalar: reached))[flat: 0]
            return end < reached ? cdf : 1 - cdf
        }
        return try integrate(
            integrand, over: qs, breakpoints: breakpoints, tolerance: tolerance, massBeyond: massBeyond)
    }
}
