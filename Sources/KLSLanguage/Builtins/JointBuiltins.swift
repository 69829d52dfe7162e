import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// Joint distributions over named layers (language.md §5).
enum JointBuiltins {
    static let all: [Builtin] = [
        Builtin(
            "joint",
            [
                .keywords("layers").meaning(
                    "name=distribution pairs in order; a later layer may be a function of earlier ones "
                        + "(z2=(z1) -> Normal(z1, 1))")
            ], theme: .distributions,
            summary: "A distribution over named layers: each a distribution, or a function of earlier layers.",
            example: "joint(z1=DiagNormal(zeros(2), 1), z2=(z1) -> DiagNormal(tanh(z1), 0.5))",
            details: [
                "A function's parameters name the earlier layers it depends on; it is called on whole chunks of",
                "draws (a parent arrives as [chunk] + its shape). sample gives a record with a field per layer,",
                "logpdf sums the layers, and kl_mc, compare and kl_trace take two joints with the same layer names",
                "in any order (q bottom-up, p top-down). Layers may carry a batch (one per data point): the",
                "joint's batch is theirs, broadcast, and the estimates come one per batch element.",
            ]
        ) { a, session throws(KLSError) in
            guard case .record(let layers) = a["layers"] else { throw KLSError("joint: internal: no layers") }
            return .distribution(try JointBuilder.make(layers, session))
        }.differentiable(JointGradient.joint)
    ]

    /// A joint's draws as the language shows them: a record with a field per
    /// layer, each `[c] + batch + event` (without `[c]` for one draw).
    static func record(_ joint: JointDistribution, _ draws: [Tensor], count c: Int, single: Bool) throws(KLSError)
        -> Value
    {
        let full = try joint.broadcastDraws(draws, count: c)
        var fields: [(String, Value)] = []
        for (l, layer) in joint.layers.enumerated() {
            let z = single ? try full[l].reshape(joint.batchShape + layer.event) : full[l]
            fields.append((layer.name, Value.from(z)))
        }
        return .record(Record(fields))
    }

    /// Draws of a joint's layers read from a record (or a flat tensor).
    struct Draws {
        /// Each layer's draws, `[count] + batch + event`.
        let layers: [Tensor]
        let count: Int
        /// True when the draws had no leading `[n]` (one draw).
        let single: Bool
        /// The joint's batch broadcast with the draws' (q's draws handed to p).
        let batch: [Int]
    }

    /// A record of layers (or a flat tensor) as draws of each layer. A layer
    /// holds `batch + event` (one draw) or `[n] + batch + event`, its batch
    /// broadcasting with the joint's: q's draws of 16 data points can be scored
    /// by a prior with no batch.
    static func layers(_ joint: JointDistribution, _ value: Value, _ what: String) throws(KLSError) -> Draws {
        guard case .record(let r) = value else {
            let (layers, count, single) = try joint.split(try value.asTensor(what))
            return Draws(layers: layers, count: count, single: single, batch: joint.batchShape)
        }
        guard Set(r.names) == Set(joint.names), r.names.count == joint.names.count else {
            throw KLSError(
                "\(what): a draw of this joint has layers \(joint.names.joined(separator: ", ")), "
                    + "got \(r.names.joined(separator: ", "))")
        }
        var count: Int? = nil
        var batch = joint.batchShape
        var draws: [Tensor] = []
        for layer in joint.layers {
            let z = try (r[layer.name] ?? .none).asTensor("\(what): layer '\(layer.name)'")
            let single = z.rank == joint.batchShape.count + layer.event.count
            let own = Array(z.shape.dropFirst(single ? 0 : 1).dropLast(layer.event.count))
            guard single || z.rank > joint.batchShape.count + layer.event.count,
                Array(z.shape.suffix(layer.event.count)) == layer.event, let joined = try? Shape.broadcast(own, batch)
            else {
                throw KLSError(
                    "\(what): layer '\(layer.name)' must have shape \(Shape.describe(joint.batchShape + layer.event)) "
                        + "or [n] + that, got \(Shape.describe(z.shape))")
            }
            batch = joined
            let rows = single ? 0 : z.shape[0]
            if let count, count != rows { throw KLSError("\(what): the layers hold different numbers of draws") }
            count = rows
            draws.append(single ? try z.reshape([1] + z.shape) : z)
        }
        let rows = count ?? 0
        return Draws(layers: draws, count: Swift.max(rows, 1), single: rows == 0, batch: batch)
    }

    /// `check(z, q)` for a joint: each layer on its own. A layer without
    /// parents is checked against its distribution; a Gaussian layer with
    /// parents is standardised by its conditional mean and std at the drawn
    /// parents and checked against N(0, 1); other conditional layers cannot be
    /// checked coordinate by coordinate and say so.
    static func check(_ read: Draws, _ joint: JointDistribution) throws(KLSError) -> Record {
        let (draws, count) = (read.layers, read.single ? 1 : read.count)
        guard count >= 2 else {
            throw KLSError("check: needs a record of at least 2 draws of each layer ([n] + the layer's shape)")
        }
        var fields: [(String, Value)] = []
        var failed: [String] = []
        for (l, layer) in joint.layers.enumerated() {
            let d = try joint.distribution(of: l, parents: layer.parents.map { draws[$0] }, count: count)
            let result: SampleCheck
            if !layer.rowwise {
                result = try SampleCheck(draws[l], d)
            } else if LinearGaussianJoint.isNormal(d) || d is MvNormal {
                let mean = try d.mean()
                let std = try d.variance().map(.sqrt)
                let standard = try Tensor.binary(.divide, try Tensor.binary(.subtract, draws[l], mean), std)
                let shape = Array(standard.shape.dropFirst())
                let reference = try Normal([
                    try Tensor(repeating: 0, shape: shape), try Tensor(repeating: 1, shape: shape),
                ])
                result = try SampleCheck(standard, reference)
            } else {
                fields.append((layer.name, .string(Text(small: "not checked: a \(d.family) layer with parents"))))
                continue
            }
            if !result.ok { failed.append("\(layer.name): \(result.verdict)") }
            fields.append((layer.name, .record(KLBuiltins.checkRecord(result))))
        }
        let verdict =
            failed.isEmpty ? "every layer is consistent with draws from the joint" : failed.joined(separator: "; ")
        return Record(
            kind: "joint_check", [("ok", .bool(failed.isEmpty)), ("verdict", .string(Text(small: verdict)))] + fields)
    }
}
