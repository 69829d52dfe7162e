import Foundation
import KLSDiagnostics
import KLSTensor

/// KL(q‖p) = ∫ q (log q − log p) by adaptive Gauss–Kronrod quadrature, for
/// scalar continuous pairs: a deterministic reference for Monte Carlo.
public struct QuadratureResult: Sendable {
    /// The integral.
    public let value: Double
    /// Estimated absolute error (sum over intervals of |K15 − G7|).
    public let error: Double
    /// Integrand evaluations used.
    public let evaluations: Int
}

public enum Quadrature {
    /// Gauss–Kronrod 7–15 nodes on [−1, 1] (QUADPACK qk15).
    static let nodes: [Double] = [
        0.991455371120812639, 0.949107912342758525, 0.864864423359769073, 0.741531185599394440,
        0.586087235467691130, 0.405845151377397167, 0.207784955007898468, 0,
    ]
    static let kronrodWeights: [Double] = [
        0.022935322010529225, 0.063092092629978553, 0.104790010322250184, 0.140653259715525919,
        0.169004726639267903, 0.190350578064785410, 0.204432940075298892, 0.209482141084727828,
    ]
    static let gaussWeights: [Double] = [
        0, 0.129484966168869693, 0, 0.279705391489276668, 0, 0.381830050505118945, 0, 0.417959183673469388,
    ]

    /// KL(q‖p) for scalar, batch-free, continuous q and p.
    public static func kl(_ q: any Distribution, _ p: any Distribution, tolerance: Double = 1e-10) throws(KLSError)
        -> QuadratureResult
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
        let integrand = { (x: Double) throws(KLSError) -> Double in
            let lq = try q.logpdf(Tensor(scalar: x))[flat: 0]
            let lp = try p.logpdf(Tensor(scalar: x))[flat: 0]
            if lq == -.infinity { return 0 }
            return Foundation.exp(lq) * (lq - lp)
        }
        return try integrate(integrand, over: q.support, tolerance: tolerance)
    }

    /// ∫ f over `range` (ends may be infinite), adaptively.
    public static func integrate(
        _ f: @escaping (Double) throws(KLSError) -> Double, over range: ClosedRange<Double>,
        tolerance: Double = 1e-10
    ) throws(KLSError) -> QuadratureResult {
        // Map to a finite interval of t: x = a + t/(1−t), x = b − (1−t)/t, or x = t/(1−t²).
        let (a, b) = (range.lowerBound, range.upperBound)
        let mapped: (Double) throws(KLSError) -> Double
        let interval: (Double, Double)
        switch (a.isFinite, b.isFinite) {
        case (true, true):
            mapped = f
            interval = (a, b)
        case (true, false):
            mapped = { t throws(KLSError) in
                let s = 1 - t
                return try f(a + t / s) / (s * s)
            }
            interval = (0, 1)
        case (false, true):
            mapped = { t throws(KLSError) in try f(b - (1 - t) / t) / (t * t) }
            interval = (0, 1)
        case (false, false):
            mapped = { t throws(KLSError) in
                let s = 1 - t * t
                return try f(t / s) * (1 + t * t) / (s * s)
            }
            interval = (-1, 1)
        }
        var evaluations = 0
        func rule(_ lo: Double, _ hi: Double) throws(KLSError) -> (Double, Double) {
            let center = (lo + hi) / 2
            let half = (hi - lo) / 2
            var kronrod = 0.0
            var gauss = 0.0
            for (i, node) in nodes.enumerated() {
                let points = node == 0 ? [center] : [center - half * node, center + half * node]
                for x in points {
                    var v = try mapped(x)
                    if !v.isFinite && !v.isNaN && x != lo && x != hi { return (v, 0) }
                    if v.isNaN { v = 0 }
                    kronrod += kronrodWeights[i] * v
                    gauss += gaussWeights[i] * v
                    evaluations += 1
                }
            }
            return (kronrod * half, Swift.abs((kronrod - gauss) * half))
        }
        var intervals: [(lo: Double, hi: Double, value: Double, error: Double)] = []
        let (v0, e0) = try rule(interval.0, interval.1)
        intervals.append((interval.0, interval.1, v0, e0))
        for _ in 0..<2000 {
            try Cancellation.check()
            let total = intervals.reduce(0) { $0 + $1.value }
            let error = intervals.reduce(0) { $0 + $1.error }
            if total.isInfinite { return QuadratureResult(value: total, error: 0, evaluations: evaluations) }
            if error <= Swift.max(tolerance, tolerance * Swift.abs(total)) { break }
            guard let worst = intervals.indices.max(by: { intervals[$0].error < intervals[$1].error }) else { break }
            let piece = intervals.remove(at: worst)
            let middle = (piece.lo + piece.hi) / 2
            let (lv, le) = try rule(piece.lo, middle)
            let (rv, re) = try rule(middle, piece.hi)
            intervals.append((piece.lo, middle, lv, le))
            intervals.append((middle, piece.hi, rv, re))
        }
        let value = intervals.reduce(0) { $0 + $1.value }
        return QuadratureResult(value: value, error: intervals.reduce(0) { $0 + $1.error }, evaluations: evaluations)
    }
}
