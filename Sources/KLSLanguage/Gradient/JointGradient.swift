import KLSDiagnostics
import KLSDistributions
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

    /// `c` reparameterised draws of every layer (each `[c] + shape`), rows
    /// `start…` of the joint's stream, and their log-density `[c]`.
    static func draws(_ q: JointDistribution, _ c: Int, _ generator: Philox, _ start: UInt64, _ session: Interpreter)
        throws(KLSError) -> (layers: [Value], logDensity: Value)
    {
        var layers: [Value] = []
        var total: Value = .tensor(try Tensor(repeating: 0, shape: [c]))
        for (l, layer) in q.layers.enumerated() {
            let d = try conditional(q, l, given: layers, session)
            let (count, first) = layer.placement(of: d, rows: c, start: start)
            let stream = generator.derived(l)
            let z: Value
            if let parts = DifferentiableParts(d), d is TracedDistribution {
                z = try parts.draw(try parts.standard(d).sample(count, generator: stream, start: first))
            } else {
                z = .tensor(try d.sample(count, generator: stream, start: first))
            }
            total = try TracedMath.add(total, try rows(try logpdf(d, z), c))
            layers.append(z)
        }
        return (layers, total)
    }

    /// Σ over the layers of log p_l(z_l | parents), `[c]`, at draws that may be traced.
    static func logDensity(_ p: JointDistribution, _ layers: [Value], _ c: Int, _ session: Interpreter)
        throws(KLSError) -> Value
    {
        var total: Value = .tensor(try Tensor(repeating: 0, shape: [c]))
        for l in p.layers.indices {
            let d = try conditional(p, l, given: layers, session)
            total = try TracedMath.add(total, try rows(try logpdf(d, layers[l]), c))
        }
        return total
    }

    /// Layer l's distribution given the earlier layers' (possibly traced) draws.
    private static func conditional(_ joint: JointDistribution, _ l: Int, given layers: [Value], _ session: Interpreter)
        throws(KLSError) -> any Distribution
    {
        let layer = joint.layers[l]
        if let fixed = layer.fixed { return fixed }
        guard let function = layer.function else { throw KLSError("joint: internal: layer without a function") }
        return try JointBuilder.call(function, layer: layer.name, parents: layer.parents.map { layers[$0] }, session)
    }

    /// log d(z) with d's parameters or z traced.
    private static func logpdf(_ d: any Distribution, _ z: Value) throws(KLSError) -> Value {
        if let parts = DifferentiableParts(d) { return try parts.logpdf(z) }
        if let mixture = d as? Mixture { return try DistributionDerivatives.mixtureLogpdf(mixture, z) }
        guard case .traced = z else { return .tensor(try d.logpdf(try z.asTensor())) }
        throw DistributionDerivatives.unsupported(d)
    }

    /// A layer's log-density as one number per row: summed over the rest, or
    /// spread over the rows when the layer gave one number.
    private static func rows(_ v: Value, _ c: Int) throws(KLSError) -> Value {
        let rank = try Differentiation.tensor(v, "logpdf").rank
        if rank > 1 { return try TracedMath.sum(v, axes: Array(1..<rank)) }
        return try TracedMath.add(v, .tensor(try Tensor(repeating: 0, shape: [c])))
    }
}

extension JointGradient {
    /// kl_mc(q, p) on joints under grad: the plain estimate, whose `value`
    /// passes back the pathwise gradient of the same draws, streamed.
    static func monteCarlo(_ a: Arguments, _ session: Interpreter) throws(KLSError) -> Value {
        let (qd, pd) = (try DistributionBuiltins.distribution(a, "q"), try DistributionBuiltins.distribution(a, "p"))
        guard let q = qd as? JointDistribution, let p = pd as? JointDistribution else {
            throw KLSError("grad of kl_mc takes two joints, or two distributions; got \(qd.family) and \(pd.family)")
        }
        guard let tape = q.tape ?? p.tape else { return try KLBuiltins.monteCarlo(a, session) }
        let estimator = try a.string("estimator")
        guard ["k1", "k2", "k3"].contains(estimator), a.isNone("samples"), !(try a.bool("per_layer")) else {
            throw KLSError(
                "grad of kl_mc on joints takes estimator \"k1\", \"k2\" or \"k3\" on fresh draws (no samples=, "
                    + "per_layer= or \"analytic\")")
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
        let traced = tape.record(try value.asTensor()) { g, pass throws(KLSError) in
            var first = 0
            while first < n {
                try Cancellation.check()
                let c = Swift.min(chunk, n - first)
                let mark = tape.count
                let (layers, logQ) = try draws(q, c, generator, start &+ UInt64(first), session)
                let logP = try logDensity(p, layers, c, session)
                let terms = try MonteCarloGradient.estimatorTerms(try TracedMath.sub(logP, logQ), estimator)
                let scaled = try TracedMath.mul(try TracedMath.sum(terms, axes: nil), .tensor(g))
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
        try MemoryLimit.check(elements: count * Swift.max(1, joint.eventShape[0]))
        let (generator, start) = try RandomBuiltins.stream(a, session, count: count)
        let (layers, _) = try draws(joint, n ?? 1, generator, start, session)
        var fields: [(String, Value)] = []
        for (layer, z) in zip(joint.layers, layers) {
            fields.append((layer.name, n == nil ? try TracedMath.reshape(z, layer.shape) : z))
        }
        return .record(Record(fields))
    }

    /// logpdf(joint, record) under grad: Σ over the layers, one number per draw.
    static func logpdf(_ joint: JointDistribution, _ x: Value, _ session: Interpreter) throws(KLSError) -> Value {
        guard case .record(let r) = x, r.names == joint.layers.map(\.name) else {
            throw KLSError(
                "logpdf of a joint under grad takes a record with layers "
                    + joint.layers.map(\.name).joined(separator: ", "))
        }
        let first = try Differentiation.tensor(r.values[0], "x")
        let single = first.shape == joint.layers[0].shape
        let c = single ? 1 : (first.shape.first ?? 1)
        var layers: [Value] = []
        for (layer, z) in zip(joint.layers, r.values) {
            layers.append(single ? try TracedMath.reshape(z, [1] + layer.shape) : z)
        }
        let total = try logDensity(joint, layers, c, session)
        return single ? try TracedMath.reshape(total, []) : total
    }
}
