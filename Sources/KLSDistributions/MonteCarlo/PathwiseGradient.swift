import Foundation
import KLSDiagnostics
import KLSGradient
import KLSTensor

/// The pathwise (reparameterised) gradient of a Monte Carlo KL estimate: the
/// gradient of the mean of the estimator's terms over n draws z = g(ε; θ) of
/// q, at the estimate's own ε, streamed in chunks of ε so that memory stays
/// bounded for any n. Gaussian pairs have closed-form per-draw derivatives
/// (`gaussianSums`); any other reparameterised q and p with a density formula
/// differentiate their formulas on a tape per chunk (`generalSums`).
package enum PathwiseGradient {
    /// Draws per chunk times the event size stays near this many numbers.
    package static let chunkElements = 1 << 16

    /// Where the gradient's draws come from: n standard draws from `start`.
    package struct Draws {
        package let standard: any Distribution
        package let generator: Philox
        package let start: UInt64
        package let n: Int

        package init(standard: any Distribution, generator: Philox, start: UInt64, n: Int) {
            (self.standard, self.generator, self.start, self.n) = (standard, generator, start, n)
        }
    }

    /// The gradient sums for any reparameterised q and any p with a formula
    /// density: each chunk of draws on a tape of its own, dropped after it.
    package static func generalSums(
        _ g: Tensor, _ plain: [Tensor], _ q: DifferentiableParts, _ p: DifferentiableParts, _ estimator: Estimator,
        _ draws: Draws
    ) throws(KLSError) -> [Tensor] {
        let perDraw = Swift.max(1, (draws.standard.batchShape + draws.standard.eventShape).reduce(1, *))
        let chunk = Swift.max(1, chunkElements / perDraw)
        let qCount = q.values.count
        var sums: [Tensor?] = Array(repeating: nil, count: plain.count)
        var done = 0
        while done < draws.n {
            try Cancellation.check()
            let m = Swift.min(chunk, draws.n - done)
            let epsilon = try draws.standard.sample(
                m, generator: draws.generator, start: draws.start + UInt64(done * draws.standard.drawsPerSample))
            let tape = GradientTape()
            let leaves = plain.map { tape.leaf($0) }
            let innerQ = q.with(leaves[..<qCount].map { .traced($0) })
            let z = try innerQ.draw(epsilon)
            let logP = try p.with(leaves[qCount...].map { .traced($0) }).logpdf(z)
            let terms = try estimator.terms(innerQ.logpdf(z) - logP)
            try add(terms, g, tape, leaves, into: &sums)
            done += m
        }
        return try totals(sums, plain)
    }

    /// The gradient sums when q does not depend on the variable: q's own draws
    /// (the estimate's: the same stream positions), log q plain, and only log p
    /// on a tape — no pathwise draw is needed, so q may be any family (a
    /// Mixture, VonMises, a count) and p any with a density formula.
    package static func fixedQSums(
        _ g: Tensor, _ plain: [Tensor], _ q: any Distribution, _ p: DifferentiableParts, _ estimator: Estimator,
        _ draws: Draws
    ) throws(KLSError) -> [Tensor] {
        let chunk = Swift.max(1, chunkElements / Swift.max(1, (q.batchShape + q.eventShape).reduce(1, *)))
        var sums: [Tensor?] = Array(repeating: nil, count: plain.count)
        var done = 0
        while done < draws.n {
            try Cancellation.check()
            let m = Swift.min(chunk, draws.n - done)
            let z = try q.sample(m, generator: draws.generator, start: draws.start + UInt64(done * q.drawsPerSample))
            let tape = GradientTape()
            let leaves = plain.map { tape.leaf($0) }
            let logP = try p.with(leaves.map { .traced($0) }).logpdf(.plain(z))
            try add(try estimator.terms(.plain(try q.logpdf(z)) - logP), g, tape, leaves, into: &sums)
            done += m
        }
        return try totals(sums, plain)
    }

    /// Adds the gradient of Σ (terms summed over the draws) · g to each leaf's running sum.
    private static func add(
        _ terms: TracedNumber, _ g: Tensor, _ tape: GradientTape, _ leaves: [Traced], into sums: inout [Tensor?]
    ) throws(KLSError) {
        let weighted = try TracedNumber.sum(terms, axes: [0]) * .plain(g)
        guard case .traced(let loss) = try TracedNumber.sum(weighted, axes: nil) else { return }
        let gradients = try tape.gradients(of: loss)
        for (i, leaf) in leaves.enumerated() {
            guard let share = gradients[leaf.id] else { continue }
            if let sum = sums[i] { sums[i] = try Tensor.binary(.add, sum, share) } else { sums[i] = share }
        }
    }

    /// The running sums, a zero where a parameter received no gradient.
    private static func totals(_ sums: [Tensor?], _ plain: [Tensor]) throws(KLSError) -> [Tensor] {
        var result: [Tensor] = []
        for (i, sum) in sums.enumerated() {
            if let sum { result.append(sum) } else { result.append(try Tensor(repeating: 0, shape: plain[i].shape)) }
        }
        return result
    }

    /// Σ over n draws of ∂(g · estimator terms)/∂(q mean, q std, p mean, p std),
    /// by the closed-form per-draw derivatives of the Gaussian log-ratio. With
    /// z = μq + σq ε and u = (z − μp)/σp, log r = ½ε² − ½u² + log σq − log σp, so
    /// ∂log r/∂μq = −u/σp, ∂/∂σq = 1/σq − uε/σp, ∂/∂μp = u/σp, ∂/∂σp = (u² − 1)/σp;
    /// the estimator's term t(log r) contributes t′ times those (t′ = −1 for k1,
    /// log r for k2, r − 1 for k3), t′ taken at the log-ratio summed over the event.
    package static func gaussianSums(
        _ g: Tensor, _ parameters: [Tensor], _ diagonal: Bool, _ estimator: Estimator, _ draws: Draws
    ) throws(KLSError) -> [Tensor] {
        let (standard, generator, start, n) = (draws.standard, draws.generator, draws.start, draws.n)
        let shape = standard.batchShape + standard.eventShape
        let elements = Swift.max(1, shape.reduce(1, *))
        let event = diagonal ? (shape.last ?? 1) : 1
        let full = try parameters.map { t throws(KLSError) in try t.broadcast(to: shape) }
        let weights = try (diagonal ? g.reshaped(Array(shape.dropLast())) : g).broadcast(
            to: diagonal ? Array(shape.dropLast()) : shape)
        let chunk = Swift.max(1, chunkElements / elements)
        let chunks = (n + chunk - 1) / chunk
        // Chunks are fixed by n alone and their sums added in order: the same bits
        // on any number of cores.
        let partials = Parallel.mapChunks(chunks, cost: chunk * elements * 8) { range -> Result<[[Double]], KLSError> in
            var sums = [[Double]](repeating: [Double](repeating: 0, count: elements), count: 4)
            for c in range {
                let m = Swift.min(chunk, n - c * chunk)
                do throws(KLSError) {
                    let epsilon = try standard.sample(
                        m, generator: generator, start: start + UInt64(c * chunk * standard.drawsPerSample))
                    accumulate(epsilon, m, full, weights, event, estimator, into: &sums)
                } catch {
                    return .failure(error)
                }
            }
            return .success(sums)
        }
        var totals = [[Double]](repeating: [Double](repeating: 0, count: elements), count: 4)
        for partial in partials {
            let sums: [[Double]]
            switch partial {
            case .success(let s): sums = s
            case .failure(let error): throw error
            }
            for k in 0..<4 { for e in 0..<elements { totals[k][e] += sums[k][e] } }
        }
        var result: [Tensor] = []
        for k in 0..<4 {
            let summed = try Tensor(shape: shape, values: totals[k])
            result.append(try GradientRules.unbroadcast(summed, to: parameters[k].shape))
        }
        return result
    }

    /// Adds the draws' derivative terms to `sums` (q mean, q std, p mean, p std).
    private static func accumulate(
        _ epsilon: Tensor, _ m: Int, _ full: [Tensor], _ weights: Tensor, _ event: Int, _ estimator: Estimator,
        into sums: inout [[Double]]
    ) {
        let elements = sums[0].count
        // Per coordinate, in one block of raw memory (array accesses' bounds checks
        // kept the inner loops from vectorising): μq, σq, μp, 1/σp, 1/σq, log σq − log σp.
        let table = UnsafeMutablePointer<Double>.allocate(capacity: 6 * elements)
        defer { table.deallocate() }
        for i in 0..<elements {
            let (sigmaQ, sigmaP) = (full[1][flat: i], full[3][flat: i])
            table[i] = full[0][flat: i]
            table[elements + i] = sigmaQ
            table[2 * elements + i] = full[2][flat: i]
            table[3 * elements + i] = 1 / sigmaP
            table[4 * elements + i] = 1 / sigmaQ
            table[5 * elements + i] = log(sigmaQ) - log(sigmaP)
        }
        let (muQ, sigmaQ, muP) = (table, table + elements, table + 2 * elements)
        // log σq − log σp: each coordinate's share of log r beyond the quadratic terms.
        let (inverseP, inverseQ, logScaleRatio) = (table + 3 * elements, table + 4 * elements, table + 5 * elements)
        let weight = weights.values
        // Each estimator's term as a function of log r = log p − log q, its slope
        // there: k1 = −log r (−1), k2 = ½(log r)² (log r), k3 = (r − 1) − log r
        // (r − 1). k1's slope is the same for every draw, which then need not sum log r.
        let needsLogR = estimator != .k1
        let slopeOf: (Double) -> Double =
            switch estimator {
            case .k1: { _ in -1 }
            case .k2: { $0 }
            case .k3: { expm1($0) }
            }
        let out = UnsafeMutablePointer<Double>.allocate(capacity: 4 * elements)
        defer { out.deallocate() }
        out.initialize(repeating: 0, count: 4 * elements)
        let u = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, event))
        defer { u.deallocate() }
        epsilon.withBuffer { draws in
            guard let draws = draws.baseAddress else { return }
            for s in 0..<m {
                let row = draws + s * elements
                for block in 0..<(elements / event) {
                    let first = block * event
                    // Element-wise loops, eight lanes at a time (LLVM left them scalar),
                    // the sum in a loop of its own.
                    var i = first
                    while i + 8 <= first + event {
                        let ui =
                            (Lanes.at(muQ, i) + Lanes.at(sigmaQ, i) * Lanes.at(row, i) - Lanes.at(muP, i))
                            * Lanes.at(inverseP, i)
                        Lanes.store(ui, u, i - first)
                        i += 8
                    }
                    while i < first + event {
                        u[i - first] = (muQ[i] + sigmaQ[i] * row[i] - muP[i]) * inverseP[i]
                        i += 1
                    }
                    var logR = 0.0
                    if needsLogR {
                        for i in first..<first + event {
                            let (eps, ui) = (row[i], u[i - first])
                            logR += 0.5 * (eps * eps - ui * ui) + logScaleRatio[i]
                        }
                    }
                    let w = slopeOf(logR) * weight[block]
                    i = first
                    while i + 8 <= first + event {
                        let ui = Lanes.at(u, i - first)
                        let scaled = w * ui * Lanes.at(inverseP, i)
                        Lanes.store(Lanes.at(out, i) - scaled, out, i)
                        let q = Lanes.at(out, elements + i) + (w * Lanes.at(inverseQ, i) - scaled * Lanes.at(row, i))
                        Lanes.store(q, out, elements + i)
                        Lanes.store(Lanes.at(out, 2 * elements + i) + scaled, out, 2 * elements + i)
                        let p = Lanes.at(out, 3 * elements + i) + (scaled * ui - w * Lanes.at(inverseP, i))
                        Lanes.store(p, out, 3 * elements + i)
                        i += 8
                    }
                    for i in i..<first + event {
                        let ui = u[i - first]
                        let scaled = w * ui * inverseP[i]
                        out[i] -= scaled
                        out[elements + i] += w * inverseQ[i] - scaled * row[i]
                        out[2 * elements + i] += scaled
                        out[3 * elements + i] += (scaled * ui - w * inverseP[i])
                    }
                }
            }
        }
        let flat = UnsafeBufferPointer(start: out, count: 4 * elements)
        for k in 0..<4 {
            for i in 0..<elements { sums[k][i] += flat[k * elements + i] }
        }
    }
}

extension Estimator {
    /// Each draw's term from its log-ratio ℓ = log q − log p (as `Estimator`
    /// defines it): k1 = ℓ, k2 = ½ℓ², k3 = (e^(−ℓ) − 1) + ℓ.
    package func terms(_ logRatio: TracedNumber) throws(KLSError) -> TracedNumber {
        switch self {
        case .k1: return logRatio
        case .k2: return try 0.5 * TracedNumber.square(logRatio)
        case .k3: return try TracedNumber.expm1(-1 * logRatio) + logRatio
        }
    }
}

/// Eight doubles at a time through raw memory, for `accumulate`'s loops.
private enum Lanes {
    @inline(__always) static func at(_ p: UnsafePointer<Double>, _ i: Int) -> SIMD8<Double> {
        UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Double>.self)
    }

    @inline(__always) static func store(_ v: SIMD8<Double>, _ p: UnsafeMutablePointer<Double>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: SIMD8<Double>.self)
    }
}
