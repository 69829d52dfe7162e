import KLSDiagnostics
import KLSGradient
import KLSTensor

/// `compare(q, p, grad=true)` for any reparameterised q (LogNormal, Laplace,
/// Gamma, MvNormal, …) and p with a density formula (a Mixture of such components too).
///
/// Per-draw gradients come from one tape per chunk whose leaves are q's
/// parameters repeated once per draw (`[m] + shape`): the gradient of the
/// chunk's summed terms with respect to draw s's copy is draw s's own
/// gradient. k1, k2 and k3 share the chunk's forward pass; the score-function
/// estimator f(z) ∇log q(z), f = log q − log p, runs on a second tape with z
/// held fixed; the exact gradient is that of the closed-form KL when there is one.
extension GradientComparison {
    package struct GeneralPair {
        let q: any Distribution
        let qParts: DifferentiableParts
        let pParts: DifferentiableParts

        package init(q: any Distribution, qParts: DifferentiableParts, pParts: DifferentiableParts) {
            (self.q, self.qParts, self.pParts) = (q, qParts, pParts)
        }
    }

    package static func generalTable(_ pair: GeneralPair, n: Int, _ generator: Philox, _ start: UInt64)
        throws(KLSError) -> Summary
    {
        let plain = pair.qParts.values.map(\.value)
        let sizes = plain.map(\.count)
        let slots = sizes.reduce(0, +)
        let standard = try pair.qParts.standard(pair.q)
        let drawRank = (standard.batchShape + standard.eventShape).count
        let perDraw = Swift.max(1, (standard.batchShape + standard.eventShape).reduce(1, *) + slots)
        let chunk = Swift.max(1, PathwiseGradient.chunkElements / (4 * perDraw))
        var totals = estimators.map { _ in Accumulator(size: slots) }
        var done = 0
        while done < n {
            try Cancellation.check()
            let m = Swift.min(chunk, n - done)
            let epsilon = try standard.sample(
                m, generator: generator, start: start + UInt64(done * standard.drawsPerSample))
            let rows = try chunkGradients(pair, plain, epsilon, m, drawRank)
            for (k, gradients) in rows.enumerated() { totals[k].merge(accumulate(gradients, m, slots)) }
            done += m
        }
        let exact = try? exactGradient(pair, plain)
        return Summary(names: names(pair), shapes: plain.map(\.shape), totals: totals, exact: exact)
    }

    /// Per-draw gradients `[m, slots]` of k1, k2, k3 and the score function, in estimators' order.
    private static func chunkGradients(
        _ pair: GeneralPair, _ plain: [Tensor], _ epsilon: Tensor, _ m: Int, _ drawRank: Int
    ) throws(KLSError) -> [Tensor] {
        let tape = GradientTape()
        let leaves = try plain.map { t throws(KLSError) in tape.leaf(try repeated(t, m, drawRank)) }
        let inner = pair.qParts.with(leaves.map { .traced($0) })
        let z = try inner.draw(epsilon)
        let logRatio = try inner.logpdf(z) - logP(pair, z)
        var result: [Tensor] = []
        for estimator in Estimator.allCases {
            let terms = try estimator.terms(logRatio)
            result.append(try perDraw(tape, try TracedNumber.sum(terms, axes: nil), leaves, m))
        }
        // Score function: f(z) ∇log q(z) at the same draws, held fixed.
        let f = logRatio.value
        let scoreTape = GradientTape()
        let scoreLeaves = try plain.map { t throws(KLSError) in scoreTape.leaf(try repeated(t, m, drawRank)) }
        let logQ = try pair.qParts.with(scoreLeaves.map { .traced($0) }).logpdf(.plain(z.value))
        let weighted = try TracedNumber.sum(.plain(f) * logQ, axes: nil)
        result.append(try perDraw(scoreTape, weighted, scoreLeaves, m))
        return result
    }

    /// The gradient of `loss` for each draw's copy of the parameters, as rows `[m, slots]`.
    private static func perDraw(_ tape: GradientTape, _ loss: TracedNumber, _ leaves: [Traced], _ m: Int)
        throws(KLSError)
        -> Tensor
    {
        guard case .traced(let output) = loss else {
            return try Tensor(repeating: 0, shape: [m, leaves.reduce(0) { $0 + $1.value.count / m }])
        }
        let gradients = try tape.gradients(of: output)
        var parts: [Tensor] = []
        for leaf in leaves {
            let g: Tensor
            if let found = gradients[leaf.id] {
                g = found
            } else {
                g = try Tensor(repeating: 0, shape: leaf.value.shape)
            }
            parts.append(try g.reshaped([m, leaf.value.count / m]))
        }
        return try Tensor.concatenate(parts, axis: 1)
    }

    /// `t` repeated for m draws, `[m] + ones + shape`, so that it lines up with draws `[m] + sample shape`.
    private static func repeated(_ t: Tensor, _ m: Int, _ drawRank: Int) throws(KLSError) -> Tensor {
        let padding = [Int](repeating: 1, count: Swift.max(0, drawRank - t.rank))
        return try t.reshaped([1] + padding + t.shape).broadcast(to: [m] + padding + t.shape)
    }

    private static func logP(_ pair: GeneralPair, _ z: TracedNumber) throws(KLSError) -> TracedNumber {
        try pair.pParts.logpdf(z)
    }

    /// Rows `[m, slots]` folded into running moments.
    private static func accumulate(_ rows: Tensor, _ m: Int, _ slots: Int) -> Accumulator {
        var total = Accumulator(size: slots)
        rows.withBuffer { b in
            for s in 0..<m {
                total.count += 1
                for j in 0..<slots {
                    let x = b[s * slots + j]
                    let delta = x - total.mean[j]
                    total.mean[j] += delta / total.count
                    total.m2[j] += delta * (x - total.mean[j])
                }
            }
        }
        return total
    }

    /// The gradient of the closed-form KL in q's parameters (throws when there is none).
    private static func exactGradient(_ pair: GeneralPair, _ plain: [Tensor]) throws(KLSError) -> [Double] {
        let p = pair.pParts
        let tape = GradientTape()
        let leaves = plain.map { tape.leaf($0) }
        let kl = try pair.qParts.with(leaves.map { .traced($0) }).kl(to: p, pair.q.family, "p")
        guard case .traced(let output) = try TracedNumber.sum(kl, axes: nil) else { throw KLSError("constant") }
        let gradients = try tape.gradients(of: output)
        var flat: [Double] = []
        for leaf in leaves {
            if let g = gradients[leaf.id] {
                flat += g.values
            } else {
                flat += [Double](repeating: 0, count: leaf.value.count)
            }
        }
        return flat
    }

    /// The names of q's parameters, as the gradient table shows them.
    private static func names(_ pair: GeneralPair) -> [String] {
        switch pair.qParts {
        case .gaussian: return ["mean", "std"]
        case .mvNormal: return ["mean", "scale_tril"]
        case .scalar, .discrete, .vector, .mixture: return pair.q.parameters.map(\.name)
        }
    }
}
