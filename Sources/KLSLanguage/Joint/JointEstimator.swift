import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// Monte Carlo KL of two joints, streamed in spans of draws of q: every
/// estimate of joints (`kl_mc`, `compare`, `kl_trace`) comes from here, one
/// per batch element. From the same draws it gives, when asked:
/// - each layer's contribution E_q[log q_l − log p_l] (the k1 terms of that
///   layer; they add up to the total);
/// - the Rao–Blackwellised ("analytic") estimate: for each layer whose
///   conditional KL(q_l(·|parents) ‖ p_l(·|parents)) has a closed form, and
///   whose q_l and p_l condition only on layers q draws before it, that closed
///   form at the drawn parents instead of the layer's log-ratio — the same
///   expectation (by the tower rule), usually with far less variance.
///
/// A span holds at most `pointsPerSpan` draws of the whole batch (so 10,000
/// data points take a few rows per call and memory stays bounded); its
/// log-ratios are folded in chunks of the engine's size, so an unbatched joint
/// gets the engine's sums. Spans and chunks depend on the shapes alone: a seed
/// gives the same estimate whatever the thread count.
struct JointEstimator {
    let pair: JointPair
    /// The estimators applied to each draw's total log-ratio.
    var estimators: [Estimator] = [.k1]
    /// Whether to keep each layer's moments.
    var perLayer = false
    /// Whether to compute the analytic estimate.
    var analytic = false
    /// Whether to keep every log-ratio (`[n] + batch`), for traces.
    var keepTerms = false

    /// Draws of the whole batch held by one span (rows × batch elements).
    static let pointsPerSpan = 65_536

    /// What a run gives, per batch element: each layer's k1 moments, each
    /// estimator's moments, the analytic moments, the ratio diagnostics; which
    /// layers used their closed form; every log-ratio, when kept.
    struct Result {
        var layers: [[Moments]]
        var totals: [[Moments]]
        var analytic: [Moments]
        var closedForm: [Bool]
        var ratios: RatioAccumulator
        var terms: TensorStorage?
    }

    init(
        _ pair: JointPair, estimators: [Estimator] = [.k1], perLayer: Bool = false, analytic: Bool = false,
        keepTerms: Bool = false
    ) {
        self.pair = pair
        self.estimators = estimators
        self.perLayer = perLayer
        self.analytic = analytic
        self.keepTerms = keepTerms
    }

    var batchCount: Int { pair.batchShape.reduce(1, *) }

    /// Samples per fold: the engine's for a sample of this many elements.
    var chunk: Int {
        MonteCarloEngine.samplesPerChunk(elements: batchCount * (pair.q.eventShape.first ?? 1))
    }

    /// Rows per call of the layers' functions: the engine's span for a small
    /// batch, fewer as the batch grows (at least one).
    var span: Int {
        Swift.max(1, Swift.min(chunk * MonteCarloEngine.confinedSpan, Self.pointsPerSpan / Swift.max(batchCount, 1)))
    }

    /// `progress` hears, after each span, the draws done and the first estimator's moments so far.
    func run(n: Int, generator: Philox, start: UInt64, progress: ((Int, Moments) -> Void)? = nil) throws(KLSError)
        -> Result
    {
        let (batch, layers) = (batchCount, pair.q.layers.count)
        let empty = [Moments](repeating: Moments(), count: batch)
        var result = Result(
            layers: Array(repeating: empty, count: perLayer ? layers : 0),
            totals: Array(repeating: empty, count: estimators.count), analytic: empty,
            closedForm: pair.blocked.map { $0 == nil }, ratios: try RatioAccumulator(n: n, batch: batch),
            terms: nil)
        if keepTerms {
            result.terms = try TensorStorage(
                uninitializedCount: try Checked.product([n, batch], what: "\(n) draws of the batch"))
        }
        var first = 0
        while first < n {
            try Cancellation.check()
            let c = Swift.min(span, n - first)
            try span(c, generator: generator, first: first, start: start, into: &result)
            first += c
            progress?(first, result.totals.first?.first ?? Moments())
        }
        return result
    }

    /// Draws `first ..< first + c` folded into `result`.
    private func span(_ c: Int, generator: Philox, first: Int, start: UInt64, into result: inout Result)
        throws(KLSError)
    {
        let (q, shape) = (pair.q, [c] + pair.batchShape)
        let (draws, conditionals) = try q.draw(c, generator: generator, start: start &+ UInt64(first))
        var logRatio = try Tensor(repeating: 0, shape: shape)
        var replaced = logRatio
        for l in q.layers.indices {
            let (terms, pl) = try pair.layerLogRatios(l, conditionals[l], draws, rows: c, batch: pair.batchShape)
            logRatio = try Tensor.binary(.add, logRatio, terms)
            if perLayer { fold(terms, c) { base, rows in Self.merge(base, rows, [.k1], into: &result.layers[l]) } }
            guard analytic else { continue }
            if result.closedForm[l], let closed = try KLRegistry.closedForm(conditionals[l], pl) {
                replaced = try Tensor.binary(.add, replaced, try closed.broadcast(to: shape))
            } else {
                result.closedForm[l] = false
                replaced = try Tensor.binary(.add, replaced, terms)
            }
        }
        if analytic { fold(replaced, c) { base, rows in Self.merge(base, rows, [.k1], into: &result.analytic) } }
        let batch = batchCount
        fold(logRatio, c) { base, rows in
            for (e, estimator) in estimators.enumerated() {
                Self.merge(base, rows, [estimator], into: &result.totals[e])
            }
            result.ratios.add(base, count: rows)
        }
        if let kept = result.terms {
            logRatio.withBuffer { b in
                guard let base = b.baseAddress else { return }
                (kept.pointer + first * batch).update(from: base, count: c * batch)
            }
        }
    }

    /// Folds one chunk's moments of `estimator`'s terms into `moments`, per batch element.
    private static func merge(
        _ base: UnsafePointer<Double>, _ rows: Int, _ estimator: [Estimator], into moments: inout [Moments]
    ) {
        let part = MonteCarloEngine.moments(base, count: rows, batch: moments.count, estimators: estimator)[0]
        for b in moments.indices { moments[b].merge(part[b]) }
    }

    /// Calls `body` on each of the engine's chunks of the `c` rows of `t` (`[c] + batch`), in order.
    private func fold(_ t: Tensor, _ c: Int, _ body: (UnsafePointer<Double>, Int) -> Void) {
        let (size, batch) = (Swift.min(chunk, span), batchCount)
        t.withBuffer { b in
            guard let base = b.baseAddress else { return }
            for first in stride(from: 0, to: c, by: size) {
                body(base + first * batch, Swift.min(size, c - first))
            }
        }
    }
}
