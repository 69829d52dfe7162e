import KLSDiagnostics
import KLSDistributions
import KLSGradient
import KLSTensor

/// Gradients through joints whose layers depend on grad's variable — a
/// hierarchical VAE's encoder and prior. A joint's draw is taken layer by
/// layer as its plain draw is (each layer's stream, the same indices), but
/// reparameterised: a layer with traced parameters draws ε from its standard
/// family and moves it by its parameters, so z₂ = μ(z₁) + σ(z₁) ε₂ carries the
/// gradient through z₁ too.
///
/// `kl_mc`'s estimate is the plain one, computed with the tape paused; its
/// gradient is taken when the gradient flows back, one chunk of draws at a
/// time: each chunk is recorded on the tape, walked back to the parameters
/// and dropped (`GradientTape.backpropagate`), so memory stays bounded for
/// any n and the chunks run in one order whatever the thread count.
enum JointGradient {
    /// Rows per chunk of the streamed gradient.
    static let chunk = 4096

    /// `joint(…)` with traced layers: the joint itself (it records its tape).
    static let joint = Derivative.custom { a, session throws(KLSError) in
        guard case .record(let layers) = a["layers"] else { throw KLSError("joint: internal: no layers") }
        return .distribution(try JointBuilder.make(layers, session))
    }

    /// `c` reparameterised draws of every layer (each `[c] + batch + event`),
    /// rows `start…` of the joint's stream, and their log-density `[c] + batch`.
    static func draws(
        _ q: JointDistribution, _ c: Int, batch: [Int], _ generator: Philox, _ start: UInt64, _ session: Interpreter
    ) throws(KLSError) -> (layers: [Value], logDensity: TracedNumber) {
        let run = try layerDraws(q, c, generator, start, session)
        var total = TracedNumber.plain(try Tensor(repeating: 0, shape: [c] + batch))
        for term in run.logDensities { total = try total + term }
        return (run.layers, total)
    }

    /// Per layer: the reparameterised draws, the conditional they came from,
    /// and its log-density at them.
    static func layerDraws(
        _ q: JointDistribution, _ c: Int, _ generator: Philox, _ start: UInt64, _ session: Interpreter
    ) throws(KLSError) -> (layers: [Value], conditionals: [any Distribution], logDensities: [TracedNumber]) {
        var layers: [Value] = []
        var conditionals: [any Distribution] = []
        var logDensities: [TracedNumber] = []
        for (l, layer) in q.layers.enumerated() {
            let d = try conditional(q, l, parents: layer.parents.map { layers[$0] }, session)
            let (count, first) = layer.placement(of: d, rows: c, start: start)
            let stream = generator.derived(l)
            let z: Value
            if let parts = DifferentiableParts(d), d is TracedDistribution {
                z = Value(try parts.draw(try parts.standard(d).sample(count, generator: stream, start: first)))
            } else {
                z = .tensor(try d.sample(count, generator: stream, start: first))
            }
            logDensities.append(try logpdf(d, z))
            conditionals.append(d)
            layers.append(z)
        }
        return (layers, conditionals, logDensities)
    }

    /// The Rao–Blackwellised terms of `c` draws, `[c] + batch`: per layer, its
    /// closed-form conditional KL (as a formula in both sides' parameters)
    /// where the estimate used one, else its log-ratio.
    static func analyticTerms(
        _ pair: JointPair, _ c: Int, _ generator: Philox, _ start: UInt64, _ session: Interpreter
    ) throws(KLSError) -> TracedNumber {
        let run = try layerDraws(pair.q, c, generator, start, session)
        var total = TracedNumber.plain(try Tensor(repeating: 0, shape: [c] + pair.batchShape))
        for (l, j) in pair.pIndex.enumerated() {
            let pd = try conditional(pair.p, j, parents: pair.pParents[l].map { run.layers[$0] }, session)
            let qd = run.conditionals[l]
            if pair.blocked[l] == nil, let qParts = DifferentiableParts(qd), let pParts = DifferentiableParts(pd),
                try KLRegistry.closedForm(plain(qd), plain(pd)) != nil,
                let closed = try? qParts.kl(to: pParts, qd.family, pd.family)
            {
                total = try total + closed
            } else {
                let logP = try logpdf(pd, run.layers[l])
                total = try total + (run.logDensities[l] - logP)
            }
        }
        return total
    }

    /// A traced distribution's plain value, for asking the registry what it knows.
    private static func plain(_ d: any Distribution) -> any Distribution {
        (d as? TracedDistribution)?.base ?? d
    }

    /// Σ over p's layers of log p_l(z_l | parents), `[c] + batch`, at q's
    /// draws (in q's layer order; p's layers found by name), which may be traced.
    static func logDensity(_ pair: JointPair, _ layers: [Value], _ c: Int, _ session: Interpreter)
        throws(KLSError) -> TracedNumber
    {
        var total = TracedNumber.plain(try Tensor(repeating: 0, shape: [c] + pair.batchShape))
        for (l, j) in pair.pIndex.enumerated() {
            let d = try conditional(pair.p, j, parents: pair.pParents[l].map { layers[$0] }, session)
            total = try total + logpdf(d, layers[l])
        }
        return total
    }

    /// Layer l's distribution given its parents' (possibly traced) draws.
    private static func conditional(_ joint: JointDistribution, _ l: Int, parents: [Value], _ session: Interpreter)
        throws(KLSError) -> any Distribution
    {
        let layer = joint.layers[l]
        if let fixed = layer.fixed { return fixed }
        guard let function = layer.function else { throw KLSError("joint: internal: layer without a function") }
        return try JointBuilder.call(function, layer: layer.name, parents: parents, session)
    }

    /// log d(z) with d's parameters or z traced.
    private static func logpdf(_ d: any Distribution, _ z: Value) throws(KLSError) -> TracedNumber {
        let x = try Differentiation.number(z, "x")
        if let parts = DifferentiableParts(d) { return try parts.logpdf(x) }
        guard x.isTraced else { return .plain(try d.logpdf(x.value)) }
        throw DistributionDerivatives.unsupported(d)
    }
}

extension JointGradient {
    /// kl_mc(q, p) on joints under grad: the plain estimate, whose `value`
    /// passes back the pathwise gradient of the same draws, streamed.
    static func monteCarlo(_ a: Arguments, _ session: Interpreter) throws(KLSError) -> Value {
        let (qd, pd) = (try DistributionBuiltins.distribution(a, "q"), try DistributionBuiltins.distribution(a, "p"))
        let pair = try JointPair(qd, pd)
        let (q, p) = (pair.q, pair.p)
        guard let tape = q.tape ?? p.tape else { return try KLBuiltins.monteCarlo(a, session) }
        let name = try a.string("estimator")
        let estimator = name == "analytic" ? nil : try KLBuiltins.estimator(a)
        guard a.isNone("samples"), !(try a.bool("per_layer")) else {
            throw KLSError(
                "grad of kl_mc on joints takes fresh draws: no samples= or per_layer= (per_layer's shares have "
                    + "no gradient of their own)")
        }
        let n = try a.integer("n", atLeast: 1)
        let (record, generator, start) = try MonteCarloGradient.estimateAndStream(session) { () throws(KLSError) in
            guard
                case .record(let r) = try tape.paused({ () throws(KLSError) in try KLBuiltins.monteCarlo(a, session) })
            else { throw KLSError("internal: kl_mc gave no estimate") }
            return r
        } stream: { () throws(KLSError) in
            try KLBuiltins.stream(a, session, q, n)
        }
        guard let value = record["value"] else { throw KLSError("internal: kl_mc gave no estimate") }
        // Rows per recorded chunk: fewer as the batch grows, so a tape holds at most
        // the estimator's span of draws of the whole batch.
        let rows = Swift.max(
            1, Swift.min(chunk, JointEstimator.pointsPerSpan / Swift.max(1, pair.batchShape.reduce(1, *))))
        // Weakly: the closure lives on the tape it walks (see `Traced`).
        let traced = tape.record(try value.asTensor()) { [weak tape] g, pass throws(KLSError) in
            guard let tape else { return }
            var first = 0
            while first < n {
                try Cancellation.check()
                let c = Swift.min(rows, n - first)
                let mark = tape.count
                let at = start &+ UInt64(first)
                let terms: TracedNumber
                if let estimator {
                    let (layers, logQ) = try draws(q, c, batch: pair.batchShape, generator, at, session)
                    let logP = try logDensity(pair, layers, c, session)
                    terms = try estimator.terms(logQ - logP)
                } else {
                    terms = try analyticTerms(pair, c, generator, at, session)
                }
                // g has the estimate's shape (the batch): each element's terms meet its own g.
                let scaled = try TracedNumber.sum(terms * .plain(g), axes: nil)
                if case .traced(let loss) = scaled {
                    let seed = Tensor(scalar: 1 / Double(n))
                    try tape.backpropagate(from: loss, seed: seed, since: mark, deliver: pass)
                }
                first += c
            }
        }
        return MonteCarloGradient.estimate(record, value: traced)
    }

    /// sample(joint, n) under grad: a record of reparameterised layer draws.
    static func sample(_ joint: JointDistribution, _ a: Arguments, _ session: Interpreter) throws(KLSError) -> Value {
        let n: Int? = a.isNone("n") ? nil : try a.integer("n", atLeast: 0)
        let count = try Shape.elementCount([n ?? 1, joint.drawsPerSample])
        try MemoryLimit.check(elements: try Shape.elementCount([count] + joint.batchShape + joint.eventShape))
        let (generator, start) = try RandomBuiltins.stream(a, session, count: count)
        let (layers, _) = try draws(joint, n ?? 1, batch: joint.batchShape, generator, start, session)
        var fields: [(String, Value)] = []
        for (layer, z) in zip(joint.layers, layers) {
            let zero = try Tensor(repeating: 0, shape: [n ?? 1] + joint.batchShape + layer.event)
            let full = try Differentiation.number(z, layer.name) + .plain(zero)
            fields.append(
                (layer.name, Value(n == nil ? try TracedNumber.reshape(full, joint.batchShape + layer.event) : full)))
        }
        return .record(Record(fields))
    }

    /// logpdf(joint, record) under grad: Σ over the layers, one number per draw and batch element.
    static func logpdf(_ joint: JointDistribution, _ x: Value, _ session: Interpreter) throws(KLSError)
        -> TracedNumber
    {
        guard case .record(let r) = x, Set(r.names) == Set(joint.names), r.names.count == joint.names.count else {
            throw KLSError(
                "logpdf of a joint under grad takes a record with layers " + joint.names.joined(separator: ", "))
        }
        let first = try Differentiation.tensor(r[joint.layers[0].name] ?? .none, "x")
        let single = first.rank == joint.batchShape.count + joint.layers[0].event.count
        let c = single ? 1 : (first.shape.first ?? 1)
        var layers: [Value] = []
        for layer in joint.layers {
            let z = r[layer.name] ?? .none
            guard single else {
                layers.append(z)
                continue
            }
            let number = try Differentiation.number(z, "x")
            layers.append(Value(try TracedNumber.reshape(number, [1] + number.value.shape)))
        }
        let pair = try JointPair(joint, joint)
        var total = TracedNumber.plain(try Tensor(repeating: 0, shape: [c] + joint.batchShape))
        total = try total + logDensity(pair, layers, c, session)
        return single ? try TracedNumber.reshape(total, joint.batchShape) : total
    }
}
