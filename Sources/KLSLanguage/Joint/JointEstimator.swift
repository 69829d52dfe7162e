import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// Layer by layer estimates for two joints with the same layers, streamed in
/// the engine's fixed chunks from the same draws `kl_mc` uses:
/// - each layer's contribution E_q[log q_l − log p_l] (the k1 terms of that
///   layer; they add up to the total);
/// - the Rao–Blackwellised ("analytic") estimate: for each layer whose
///   conditional KL(q_l(·|parents) ‖ p_l(·|parents)) has a closed form, that
///   closed form at the drawn parents instead of the layer's log-ratio — the
///   same expectation (by the tower rule), usually with far less variance.
struct JointEstimator {
    let q: JointDistribution
    let p: JointDistribution
    /// The estimator applied to each draw's total log-ratio (for `total`).
    var estimator = Estimator.k1

    /// What a run gives: per layer, the moments of its log-ratios; the moments
    /// of `estimator` on the total log-ratio and of the analytic estimate, per
    /// draw; the ratio diagnostics of the total log-ratios; which layers had a
    /// closed form.
    struct Result {
        var layers: [Moments]
        var total: Moments
        var analytic: Moments
        var analyticLayers: [Bool]
        var ratios: RatioAccumulator
    }

    func run(n: Int, generator: Philox, start: UInt64) throws(KLSError) -> Result {
        let count = q.layers.count
        var result = Result(
            layers: Array(repeating: Moments(), count: count), total: Moments(), analytic: Moments(),
            analyticLayers: Array(repeating: true, count: count), ratios: try RatioAccumulator(n: n, batch: 1))
        var first = 0
        while first < n {
            try Cancellation.check()
            let c = Swift.min(MonteCarloEngine.chunkSize, n - first)
            try chunk(c, generator: generator, start: start &+ UInt64(first), into: &result)
            first += c
        }
        return result
    }

    /// One chunk of `c` draws folded into `result`.
    private func chunk(_ c: Int, generator: Philox, start: UInt64, into result: inout Result) throws(KLSError) {
        let draws = try q.sampleLayers(c, generator: generator, start: start)
        var total = [Double](repeating: 0, count: c)
        var analytic = [Double](repeating: 0, count: c)
        for l in q.layers.indices {
            let ql = try q.distribution(of: l, given: draws, count: c)
            let pl = try p.distribution(of: l, given: draws, count: c)
            let terms = try rows(try Tensor.binary(.subtract, try ql.logpdf(draws[l]), try pl.logpdf(draws[l])), c)
            var layerAnalytic = terms
            if let closed = try KLRegistry.closedForm(ql, pl) {
                layerAnalytic = try rows(closed, c)
            } else {
                result.analyticLayers[l] = false
            }
            for r in 0..<c {
                total[r] += terms[r]
                analytic[r] += layerAnalytic[r]
            }
            terms.withUnsafeBufferPointer { b in
                if let base = b.baseAddress { result.layers[l].merge(Moments(base, c)) }
            }
        }
        analytic.withUnsafeBufferPointer { b in
            if let base = b.baseAddress { result.analytic.merge(Moments(base, c)) }
        }
        total.withUnsafeBufferPointer { b in
            if let base = b.baseAddress { result.ratios.add(base, count: c) }
        }
        let terms = total.map(estimator.term)
        terms.withUnsafeBufferPointer { b in
            if let base = b.baseAddress { result.total.merge(Moments(base, c)) }
        }
    }

    /// A per-row value (`[c]`, or one value for every row) as `c` numbers.
    private func rows(_ t: Tensor, _ c: Int) throws(KLSError) -> [Double] {
        let full = t.count == c ? t : try t.broadcast(to: [c])
        return full.withBuffer { Array($0) }
    }
}
