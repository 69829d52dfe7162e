import Dispatch
import KLSDiagnostics
import KLSTensor

/// Streams Monte Carlo KL estimates: draws from q in fixed chunks, evaluates the
/// log-ratio, and folds per-chunk moments in chunk order. Memory stays bounded
/// by the chunk size, whatever n; results depend only on the seed and n.
public struct MonteCarloEngine {
    /// Samples per chunk when a sample holds 16 or more elements (batch × event).
    public static let chunkSize = 4096

    /// Samples per chunk of this engine (`samplesPerChunk(elements:)`).
    public let samplesPerChunk: Int

    /// Samples per chunk for samples of `elements` elements (batch × event):
    /// `chunkSize`, or below 16 elements as many as make 65,536 elements, at
    /// most 16,384 — so a 1-D pair pays the per-chunk costs (buffers, a task,
    /// the tail's selection) once per 16,384 draws, not per 4,096. Fixed by the
    /// shapes alone, so that a seed gives the same estimate for any thread count.
    public static func samplesPerChunk(elements: Int) -> Int {
        guard elements > 0, elements < 16 else { return chunkSize }
        return Swift.min(16_384, chunkSize * (16 / elements))
    }

    /// The most draws one estimate takes: 1e9 (the largest n the language
    /// promises to stream) is seconds for the fused Gaussian pairs and about a
    /// minute for the generic ones; more is refused rather than left to run for
    /// many minutes. Runs with seed=1, 2, … split larger work.
    public static let maximumDraws = 1_000_000_000

    let q: any Distribution
    let p: any Distribution
    /// The broadcast batch shape of the estimate.
    public let batchShape: [Int]
    let fused: (any FusedKernel)?
    /// When set, the ratio diagnostics describe q/p = e^ℓ instead of r = p/q
    /// (`divergence_mc`'s χ² and Rényi with α > 1, whose terms grow in q/p).
    public var diagnosesQOverP = false

    /// An engine for KL(q‖p); throws when the event shapes differ.
    public init(q: any Distribution, p: any Distribution) throws(KLSError) {
        try KLRegistry.checkEvents(q, p)
        try q.requireElements()
        try p.requireElements()
        self.q = q
        self.p = p
        batchShape = try Shape.broadcast(q.batchShape, p.batchShape)
        fused =
            GaussianKernel(q: q, p: p, batchShape: batchShape)
            ?? MultivariateGaussianKernel(q: q, p: p, batchShape: batchShape)
        samplesPerChunk = Self.samplesPerChunk(elements: try Shape.elementCount(batchShape + q.eventShape))
    }

    /// Elements per sample of the estimate (the batch size).
    public var batchCount: Int { batchShape.reduce(1, *) }

    /// Random indices one sample of q consumes.
    public var drawsPerSample: Int { q.drawsPerSample }

    /// Log-ratios ℓ = log q(z) − log p(z) of samples `first ..< first + count`,
    /// written to `out` (count × batch).
    func logRatios(first: Int, count: Int, generator: Philox, start: UInt64, into out: UnsafeMutablePointer<Double>)
        throws(KLSError)
    {
        let offset = start &+ UInt64(first) &* UInt64(q.drawsPerSample)
        if let fused {
            fused.logRatios(count: count, generator: generator, start: offset, into: out)
            return
        }
        let z = try q.sample(count, generator: generator, start: offset)
        try Self.logRatios(q, p, z, batchShape: batchShape, into: out)
    }

    /// log q − log p at draws `z` (leading sample axis), as a tensor `[n] + batch`
    /// (a q without p's batch axes meets every batch element, as in `run`).
    public static func logRatios(_ q: any Distribution, _ p: any Distribution, at z: Tensor) throws(KLSError)
        -> Tensor
    {
        let batchShape = try Shape.broadcast(q.batchShape, p.batchShape)
        let n = z.shape.first ?? 1
        let storage = try TensorStorage(uninitializedCount: try Checked.product([n] + batchShape, what: "log-ratios"))
        try logRatios(q, p, z, batchShape: batchShape, into: storage.pointer)
        return try Tensor(shape: [n] + batchShape, adopting: storage)
    }

    /// ℓ for given draws `z` (leading sample axis), broadcast to `[n] + batch`.
    static func logRatios(
        _ q: any Distribution, _ p: any Distribution, _ z: Tensor, batchShape: [Int],
        into out: UnsafeMutablePointer<Double>
    ) throws(KLSError) {
        var z = z
        if q.batchShape.count < batchShape.count, let n = z.shape.first {
            // q's draws have fewer batch axes than p's batch: ones after the sample
            // axis, so that each draw meets every batch element of p (Normal(0, 2) ‖
            // Normal([0, 1], 1)), not the draws lined up against p's batch.
            let ones = [Int](repeating: 1, count: batchShape.count - q.batchShape.count)
            z = try z.reshaped([n] + ones + Array(z.shape.dropFirst()))
        }
        let difference: Tensor
        if let q = q as? any LogArgumentDensity, let p = p as? any LogArgumentDensity {
            // Both densities from one log per draw (Gamma ‖ LogNormal, …).
            let logZ = try ScalarLogs.of(z)
            difference = try Tensor.binary(.subtract, try q.logpdf(z, logOfX: logZ), try p.logpdf(z, logOfX: logZ))
        } else {
            difference = try Tensor.binary(.subtract, try q.logpdf(z), try p.logpdf(z))
        }
        try write(difference, rows: z.shape.first ?? 1, batchShape: batchShape, into: out)
    }

    /// Log-ratios broadcast to `[rows] + batch`, copied to `out`.
    static func write(_ difference: Tensor, rows n: Int, batchShape: [Int], into out: UnsafeMutablePointer<Double>)
        throws(KLSError)
    {
        let full = try difference.broadcast(to: [n] + batchShape)
        full.withBuffer { b in
            guard let base = b.baseAddress else { return }
            out.update(from: base, count: b.count)
        }
    }

    /// Per-batch, per-estimator moments of n draws and the diagnostics of their
    /// ratios. With `keepTerms`, also every log-ratio (n × batch), for traces.
    /// `progress` hears, on the calling thread after each round of chunks, how
    /// many draws are done and the first estimator's moments so far (batch element 0).
    public func run(
        n: Int, estimators: [MonteCarloTerm], generator: Philox, start: UInt64,
        keepTerms: Bool = false, progress: ((Int, Moments) -> Void)? = nil
    ) throws(KLSError) -> MonteCarloRun {
        let batch = batchCount
        try MemoryLimit.check(
            elements: try Checked.product([samplesPerChunk, batch, 3], what: "a Monte Carlo chunk"),
            what: "a Monte Carlo chunk")
        var ratios = try RatioAccumulator(n: n, batch: batch)
        var kept: TensorStorage? = nil
        if keepTerms {
            kept = try TensorStorage(
                uninitializedCount: try Checked.product([n, batch], what: "\(n) draws of the batch"))
        }
        var totals = [[Moments]](repeating: [Moments](repeating: Moments(), count: batch), count: estimators.count)
        let chunks = (n + samplesPerChunk - 1) / samplesPerChunk
        let confined = q.isThreadConfined || p.isThreadConfined
        let perRound = confined ? Self.confinedSpan : 16 * Parallel.workers
        var firstChunk = 0
        while firstChunk < chunks {
            try Cancellation.check()
            let count = Swift.min(perRound, chunks - firstChunk)
            let round = Round(
                firstChunk: firstChunk, chunks: count, n: n, estimators: estimators, generator: generator,
                start: start, kept: kept, ratios: (ratios.thresholds, ratios.keep))
            let partials = try confined ? processConfinedRound(round) : processRound(round)
            for chunk in partials {
                for (e, perBatch) in chunk.moments.enumerated() {
                    for b in 0..<batch { totals[e][b].merge(perBatch[b]) }
                }
                ratios.merge(chunk.ratios)
            }
            firstChunk += count
            if let progress, let first = totals.first?.first {
                progress(Swift.min(n, firstChunk * samplesPerChunk), first)
            }
        }
        let terms = try kept.map { storage throws(KLSError) in
            try Tensor(shape: [n] + batchShape, adopting: storage)
        }
        return MonteCarloRun(moments: totals, logRatios: terms, ratios: ratios.diagnostics())
    }

    /// `run` with KL's estimators.
    public func run(
        n: Int, estimators: [Estimator], generator: Philox, start: UInt64,
        keepTerms: Bool = false, progress: ((Int, Moments) -> Void)? = nil
    ) throws(KLSError) -> MonteCarloRun {
        try run(
            n: n, estimators: estimators.map { .kl($0) }, generator: generator, start: start, keepTerms: keepTerms,
            progress: progress)
    }

    /// Chunks a thread-confined q or p draws in one call: 16,384 draws give each
    /// tensor operation inside a joint's layers enough work for every core.
    public static let confinedSpan = 4

    /// A run of consecutive chunks and what each needs.
    private struct Round {
        let firstChunk: Int
        let chunks: Int
        let n: Int
        let estimators: [MonteCarloTerm]
        let generator: Philox
        let start: UInt64
        let kept: TensorStorage?
        let ratios: (thresholds: [Double], keep: Int)
    }

    /// One round of chunks in parallel; returns each chunk's moments in order.
    private func processRound(_ round: Round) throws(KLSError) -> [ChunkResult] {
        let (firstChunk, chunks, n, estimators) = (round.firstChunk, round.chunks, round.n, round.estimators)
        let (generator, start, kept, ratios) = (round.generator, round.start, round.kept, round.ratios)
        let batch = batchCount
        let results = UnsafeMutableBufferPointer<Result<ChunkResult, KLSError>?>.allocate(capacity: chunks)
        results.initialize(repeating: nil)
        defer {
            results.deinitialize()
            results.deallocate()
        }
        let work = Unchecked((self, results, kept))
        Parallel.perform(iterations: chunks) { i in
            let (engine, results, kept) = work.value
            let first = (firstChunk + i) * samplesPerChunk
            let count = Swift.min(samplesPerChunk, n - first)
            do throws(KLSError) {
                // Each chunk looks once more, so Ctrl-C does not wait for the round.
                try Cancellation.check()
                results[i] = .success(
                    try engine.chunkMoments(
                        first: first, count: count, batch: batch, estimators: estimators,
                        generator: generator, start: start, kept: kept, ratios: ratios))
            } catch {
                results[i] = .failure(error)
            }
        }
        var ordered: [ChunkResult] = []
        for r in results {
            switch r {
            case .success(let m)?: ordered.append(m)
            case .failure(let error)?: throw error
            case nil: throw KLSError("internal: a Monte Carlo chunk did not run")
            }
        }
        return ordered
    }

    /// One round whose draws come from a thread-confined distribution: the
    /// log-ratios of all its chunks in one call on this thread, then each chunk's
    /// moments as `processRound` computes them, so the results are the same.
    private func processConfinedRound(_ round: Round) throws(KLSError) -> [ChunkResult] {
        let batch = batchCount
        let first = round.firstChunk * samplesPerChunk
        let count = Swift.min(round.chunks * samplesPerChunk, round.n - first)
        let buffer =
            round.kept.map { $0.pointer + first * batch }
            ?? UnsafeMutablePointer<Double>.allocate(capacity: count * batch)
        defer { if round.kept == nil { buffer.deallocate() } }
        try logRatios(first: first, count: count, generator: round.generator, start: round.start, into: buffer)
        var results: [ChunkResult?] = Array(repeating: nil, count: round.chunks)
        let work = Unchecked(UnsafePointer(buffer))
        results.withUnsafeMutableBufferPointer { slots in
            let output = Unchecked(slots)
            Parallel.perform(iterations: round.chunks) { i in
                let rows = Swift.min(samplesPerChunk, count - i * samplesPerChunk)
                let part = work.value + i * samplesPerChunk * batch
                output.value[i] = Self.chunkResult(
                    part, count: rows, batch: batch, estimators: round.estimators, ratios: round.ratios,
                    flipped: diagnosesQOverP)
            }
        }
        return results.compactMap { $0 }
    }

    private func chunkMoments(
        first: Int, count: Int, batch: Int, estimators: [MonteCarloTerm], generator: Philox,
        start: UInt64, kept: TensorStorage?, ratios: (thresholds: [Double], keep: Int)
    ) throws(KLSError) -> ChunkResult {
        let buffer =
            kept.map { $0.pointer + first * batch } ?? UnsafeMutablePointer<Double>.allocate(capacity: count * batch)
        defer { if kept == nil { buffer.deallocate() } }
        try logRatios(first: first, count: count, generator: generator, start: start, into: buffer)
        return Self.chunkResult(
            buffer, count: count, batch: batch, estimators: estimators, ratios: ratios, flipped: diagnosesQOverP)
    }

    /// One chunk's moments and ratio diagnostics from its `count` × `batch` log-ratios.
    private static func chunkResult(
        _ logRatios: UnsafePointer<Double>, count: Int, batch: Int, estimators: [MonteCarloTerm],
        ratios: (thresholds: [Double], keep: Int), flipped: Bool
    ) -> ChunkResult {
        ChunkResult(
            moments: moments(logRatios, count: count, batch: batch, estimators: estimators),
            ratios: ratioPart(logRatios, count: count, batch: batch, ratios: ratios, flipped: flipped))
    }

    /// The ratio diagnostics' part of one chunk: of r = p/q = e^(−ℓ), or of q/p when `flipped`.
    private static func ratioPart(
        _ logRatios: UnsafePointer<Double>, count: Int, batch: Int, ratios: (thresholds: [Double], keep: Int),
        flipped: Bool
    ) -> RatioPart {
        guard flipped else {
            return RatioPart(logRatios, count: count, batch: batch, thresholds: ratios.thresholds, keep: ratios.keep)
        }
        let negated = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, count * batch))
        defer { negated.deallocate() }
        for i in 0..<(count * batch) { negated[i] = -logRatios[i] }
        return RatioPart(negated, count: count, batch: batch, thresholds: ratios.thresholds, keep: ratios.keep)
    }

    /// Moments of the estimators on the user's own draws `samples` (leading axis
    /// n), and the diagnostics of their ratios.
    public func estimate(samples: Tensor, estimators: [MonteCarloTerm]) throws(KLSError) -> MonteCarloRun {
        let n = samples.shape.first ?? 0
        let count = try Checked.product([n, batchCount], what: "the samples")
        try MemoryLimit.check(elements: count, what: "the log-ratios of the samples")
        let buffer = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, count))
        defer { buffer.deallocate() }
        try Self.logRatios(q, p, samples, batchShape: batchShape, into: buffer)
        return try Self.summarize(buffer, count: n, batch: batchCount, estimators: estimators)
    }

    /// `estimate(samples:estimators:)` with KL's estimators.
    public func estimate(samples: Tensor, estimators: [Estimator]) throws(KLSError) -> MonteCarloRun {
        try estimate(samples: samples, estimators: estimators.map { .kl($0) })
    }

    /// `estimate(logRatios:estimators:)` with KL's estimators.
    public static func estimate(logRatios: Tensor, estimators: [Estimator]) throws(KLSError) -> MonteCarloRun {
        try estimate(logRatios: logRatios, estimators: estimators.map { .kl($0) })
    }

    /// `moments` with KL's estimators.
    public static func moments(_ logRatios: UnsafePointer<Double>, count: Int, batch: Int, estimators: [Estimator])
        -> [[Moments]]
    {
        moments(logRatios, count: count, batch: batch, estimators: estimators.map { .kl($0) })
    }

    /// Estimates from log-ratios someone else computed: `logRatios` has shape
    /// `[n]` or `[n] + batch`, one row per draw.
    public static func estimate(logRatios: Tensor, estimators: [MonteCarloTerm]) throws(KLSError) -> MonteCarloRun {
        let n = logRatios.shape.first ?? 0
        let batch = Array(logRatios.shape.dropFirst()).reduce(1, *)
        var result: Result<MonteCarloRun, KLSError> = .failure(KLSError("estimate: there are no log-ratios"))
        logRatios.withBuffer { b in
            guard let base = b.baseAddress, n > 0, batch > 0 else { return }
            do throws(KLSError) {
                result = .success(try summarize(base, count: n, batch: batch, estimators: estimators))
            } catch {
                result = .failure(error)
            }
        }
        return try result.get()
    }

    /// The moments and ratio diagnostics of `count` rows of log-ratios (count × batch).
    static func summarize(_ buffer: UnsafePointer<Double>, count n: Int, batch: Int, estimators: [MonteCarloTerm])
        throws(KLSError) -> MonteCarloRun
    {
        var ratios = try RatioAccumulator(n: n, batch: batch)
        ratios.merge(RatioPart(buffer, count: n, batch: batch, thresholds: ratios.thresholds, keep: ratios.keep))
        return MonteCarloRun(
            moments: moments(buffer, count: n, batch: batch, estimators: estimators), logRatios: nil,
            ratios: ratios.diagnostics())
    }

    /// Moments of each estimator's terms, per batch element, for `count` samples.
    public static func moments(_ logRatios: UnsafePointer<Double>, count: Int, batch: Int, estimators: [MonteCarloTerm])
        -> [[Moments]]
    {
        let terms = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(count, 1))
        defer { terms.deallocate() }
        return estimators.map { estimator in
            if case .divergence(let term) = estimator, batch > 1 {
                // Every batch element's terms at once (the vector kernels), then each column's moments.
                let all = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(count * batch, 1))
                defer { all.deallocate() }
                term.terms(logRatios, count * batch, into: all)
                return (0..<batch).map { b in Moments(all + b, count, stride: batch) }
            }
            if batch == 1 {
                // k1's terms are the log-ratios themselves: no copy.
                if estimator == .kl(.k1) { return [Moments(logRatios, count)] }
                estimator.terms(logRatios, count, into: terms)
                return [Moments(terms, count)]
            }
            return (0..<batch).map { b in
                for s in 0..<count { terms[s] = estimator.term(logRatios[s * batch + b]) }
                return Moments(terms, count)
            }
        }
    }
}

/// What one Monte Carlo run gives back.
public struct MonteCarloRun {
    /// Per estimator, per batch element.
    public let moments: [[Moments]]
    /// Every log-ratio (n × batch), when asked for.
    public let logRatios: Tensor?
    /// Per batch element.
    public let ratios: [RatioDiagnostics]

    public init(moments: [[Moments]], logRatios: Tensor?, ratios: [RatioDiagnostics]) {
        self.moments = moments
        self.logRatios = logRatios
        self.ratios = ratios
    }
}

/// One chunk's moments and its part of the ratio diagnostics.
struct ChunkResult {
    let moments: [[Moments]]
    let ratios: RatioPart
}

/// What a Monte Carlo run averages per draw: one of KL's estimators, or the
/// term of another divergence (`DivergenceTerm`), from the draw's log-ratio.
public enum MonteCarloTerm: Sendable, Equatable {
    case kl(Estimator)
    case divergence(DivergenceTerm)

    /// The term of one log-ratio.
    @inlinable public func term(_ logRatio: Double) -> Double {
        switch self {
        case .kl(let estimator): return estimator.term(logRatio)
        case .divergence(let term): return term(logRatio)
        }
    }

    /// Terms of `count` log-ratios (contiguous) into `out`.
    public func terms(_ logRatios: UnsafePointer<Double>, _ count: Int, into out: UnsafeMutablePointer<Double>) {
        switch self {
        case .kl(let estimator): estimator.terms(logRatios, count, into: out)
        case .divergence(let term): term.terms(logRatios, count, into: out)
        }
    }
}
