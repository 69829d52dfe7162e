import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// Two joints matched layer by layer by name, for KL(q‖p): q draws its layers
/// in its own order (bottom-up, say: x → z1 → z2) and p scores those draws in
/// whatever order it was written (top-down: z2 → z1), each of p's layers
/// called on q's draws of its parents. Their batches broadcast, so a prior
/// without a batch stands against q's batch of data points.
struct JointPair {
    let q: JointDistribution
    let p: JointDistribution
    /// For each of q's layers, the index of p's layer of the same name.
    let pIndex: [Int]
    /// For each of q's layers, where p's layer of that name finds its parents
    /// among q's layers (q's indices, in p's parameter order).
    let pParents: [[Int]]
    /// The broadcast batch of q and p: one estimate per element.
    let batchShape: [Int]
    /// Per q layer: nil when its conditional KL given its parents may stand in
    /// for its log-ratio (q_l and p_l condition only on layers drawn before l
    /// in q's order), else why not.
    let blocked: [String?]

    /// Pairs two distributions of which at least one is a joint; both must be,
    /// with the same layer names and event shapes, and batches that broadcast.
    init(_ q: any Distribution, _ p: any Distribution) throws(KLSError) {
        guard let jq = q as? JointDistribution, let jp = p as? JointDistribution else {
            let qIsJoint = q is JointDistribution
            throw KLSError(
                "q and p must both be joints: \(qIsJoint ? "p" : "q") is a \(qIsJoint ? p.family : q.family)",
                hint: "make the other one a joint with the same layers")
        }
        self.q = jq
        self.p = jp
        guard Set(jq.names) == Set(jp.names), jq.names.count == jp.names.count else {
            throw KLSError(JointMessages.differentLayers(q: jq.names, p: jp.names))
        }
        var pIndex: [Int] = []
        for layer in jq.layers {
            guard let j = jp.index(of: layer.name) else {
                throw KLSError(JointMessages.differentLayers(q: jq.names, p: jp.names))
            }
            guard jp.layers[j].event == layer.event else {
                throw KLSError(JointMessages.differentEvents(layer.name, q: layer.event, p: jp.layers[j].event))
            }
            pIndex.append(j)
        }
        self.pIndex = pIndex
        // Every p layer's parents are among q's layers: the names match as sets.
        let pParents = pIndex.map { j in jp.layers[j].parents.map { jq.index(of: jp.layers[$0].name) ?? 0 } }
        self.pParents = pParents
        batchShape = try Self.batch(jq, jp)
        blocked = jq.layers.indices.map { l in
            guard let later = pParents[l].first(where: { $0 >= l }) else { return nil }
            return "p's '\(jq.layers[l].name)' depends on '\(jq.layers[later].name)', which q draws after it"
        }
    }

    /// The broadcast of the two batches, or an error naming two layers that clash.
    private static func batch(_ q: JointDistribution, _ p: JointDistribution) throws(KLSError) -> [Int] {
        if let shape = try? Shape.broadcast(q.batchShape, p.batchShape) { return shape }
        for a in q.layers {
            for b in p.layers where (try? Shape.broadcast(a.batch, b.batch)) == nil {
                throw KLSError(JointMessages.pairBatch(a.name, a.batch, b.name, b.batch))
            }
        }
        throw KLSError(
            "q and p have batches that do not broadcast: q's is \(Shape.describe(q.batchShape)), p's "
                + Shape.describe(p.batchShape))
    }

    /// p's conditional for q's layer l at `c` rows of q's draws.
    func pConditional(_ l: Int, draws: [Tensor], count c: Int) throws(KLSError) -> any Distribution {
        try p.distribution(of: pIndex[l], parents: pParents[l].map { draws[$0] }, count: c)
    }

    /// Layer l's log-ratios log q_l − log p_l at `c` rows of q's draws,
    /// `[c] + batch`, given q's conditional `ql`; and p's conditional.
    func layerLogRatios(_ l: Int, _ ql: any Distribution, _ draws: [Tensor], rows c: Int, batch: [Int])
        throws(KLSError) -> (terms: Tensor, p: any Distribution)
    {
        let name = q.layers[l].name
        let pl = try pConditional(l, draws: draws, count: c)
        let termQ = try JointDistribution.logDensity(ql, draws[l], rows: c, batch: batch, layer: name)
        let termP = try JointDistribution.logDensity(pl, draws[l], rows: c, batch: batch, layer: name)
        return (try Tensor.binary(.subtract, termQ, termP), pl)
    }
}

extension JointPair {
    /// log q(z) − log p(z) at `c` rows of draws of q's layers, `[c] + batch`
    /// (the pair's batch, or a larger one the draws carry).
    func logRatios(_ draws: [Tensor], rows c: Int, batch: [Int]? = nil) throws(KLSError) -> Tensor {
        let batchShape = batch ?? self.batchShape
        var total = try Tensor(repeating: 0, shape: [c] + batchShape)
        for (l, layer) in q.layers.enumerated() {
            let ql = try q.distribution(of: l, parents: layer.parents.map { draws[$0] }, count: c)
            let terms = try layerLogRatios(l, ql, draws, rows: c, batch: batchShape).terms
            total = try Tensor.binary(.add, total, terms)
        }
        return total
    }
}
