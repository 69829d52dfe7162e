import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// Layer by layer estimates for two joints with the same layers, streamed in
/// fixed spans of draws (as the engine draws joints) from the draws `kl_mc` uses:
/// - each layer's contribution E_q[log q_l − log p_l] (the k1 terms of that
///   layer; they add up to the total);
/// - the Rao–Blackwellised ("analytic") estimate: for each layer whose
///   conditional KL(q_l(·|parents) ‖ p_l(·|parents)) has a closed form, that
///   closed form at the drawn parents instead of the layer's log-ratio — the
///   same expectation (by the tower rule), usually with far less variance.
struct JointEstimator {
    let q: JointDistribution
    let p: JointDistribution
    /// The estimators applied to each draw's total log-ratio (for `totals`).
    var estimators: [Estimator] = [.k1]

    /// What a run gives: per layer, the moments of its log-ratios; per
    /// estimator, the moments of its terms on the total log-ratio, and those of
    /// the analytic estimate, per draw; the ratio diagnostics of the total
    /// log-ratios; which layers had a closed form. The totals and diagnostics
    /// equal the engine's to the bit (same sums, same chunks), so `compare` and
    /// `kl_mc(per_layer=true)` agree with `kl_mc`.
    struct Result {
        var layers: [Moments]
        var totals: [Moments]
        var analytic: Moments
        var analyticLayers: [Bool]
        var ratios: RatioAccumulator
    }

    /// Samples per chunk: the engine's for these joints, so that the sums are its sums.
    private var chunk: Int {
        let shape = try? Shape.broadcast(q.batchShape, p.batchShape) + q.eventShape
        return MonteCarloEngine.samplesPerChunk(elements: (try? Shape.elementCount(shape ?? [])) ?? 0)
    }

    /// `progress` hears, after each span, the draws done and the first estimator's moments so far.
    func run(n: Int, generator: Philox, start: UInt64, progress: ((Int, Moments) -> Void)? = nil) throws(KLSError)
        -> Result
    {
        let count = q.layers.count
        var result = Result(
            layers: Array(repeating: Moments(), count: count),
            totals: Array(repeating: Moments(), count: estimators.count), analytic: Moments(),
            analyticLayers: Array(repeating: true, count: count), ratios: try RatioAccumulator(n: n, batch: 1))
        var first = 0
        while first < n {
            try Cancellation.check()
            // As many draws per call as the engine takes from a joint.
            let c = Swift.min(chunk * MonteCarloEngine.confinedSpan, n - first)
            try span(c, generator: generator, start: start &+ UInt64(first), into: &result)
            first += c
            progress?(first, result.totals.first ?? Moments())
        }
        return result
    }

    /// One span of `c` draws folded into `result`.
    private func span(_ c: Int, generator: Philox, start: UInt64, into result: inout Result) throws(KLSError) {
        let (draws, conditionals) = try q.sampleConditionals(c, generator: generator, start: start)
        // log q and log p summed over the layers as the joints sum them for the engine.
        var (logQ, logP) = (try Tensor(repeating: 0, shape: [c]), try Tensor(repeating: 0, shape: [c]))
        var analytic = [Double](repeating: 0, count: c)
        for l in q.layers.indices {
            let (ql, pl) = (conditionals[l], try p.distribution(of: l, given: draws, count: c))
            let (termQ, termP) = (try rows(try ql.logpdf(draws[l]), c), try rows(try pl.logpdf(draws[l]), c))
            logQ = try Tensor.binary(.add, logQ, termQ)
            logP = try Tensor.binary(.add, logP, termP)
            let terms = try Tensor.binary(.subtract, termQ, termP)
            var layerAnalytic = terms
            if let closed = try KLRegistry.closedForm(ql, pl) {
                layerAnalytic = try rows(closed, c)
            } else {
                result.analyticLayers[l] = false
            }
            layerAnalytic.withBuffer { b in for r in 0..<c { analytic[r] += b[r] } }
            fold(terms, c) { base, rows in result.layers[l].merge(Moments(base, rows)) }
        }
        analytic.withUnsafeBufferPointer { b in
            if let base = b.baseAddress { result.analytic.merge(Moments(base, c)) }
        }
        let terms = UnsafeMutablePointer<Double>.allocate(capacity: Swift.min(c, chunk))
        defer { terms.deallocate() }
        fold(try Tensor.binary(.subtract, logQ, logP), c) { base, rows in
            for (e, estimator) in estimators.enumerated() {
                estimator.terms(base, rows, into: terms)
                result.totals[e].merge(Moments(terms, rows))
            }
            result.ratios.add(base, count: rows)
        }
    }

    /// Calls `body` on each of the engine's chunks of the `c` values of `t`, in order.
    private func fold(_ t: Tensor, _ c: Int, _ body: (UnsafePointer<Double>, Int) -> Void) {
        t.withBuffer { b in
            guard let base = b.baseAddress else { return }
            for first in stride(from: 0, to: c, by: chunk) {
                body(base + first, Swift.min(chunk, c - first))
            }
        }
    }

    /// A per-row value (`[c]`, or one value for every row) as a tensor `[c]`.
    private func rows(_ t: Tensor, _ c: Int) throws(KLSError) -> Tensor {
        t.shape == [c] ? t : try t.broadcast(to: [c])
    }
}
