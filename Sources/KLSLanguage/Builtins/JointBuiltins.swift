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
                "logpdf sums the layers, and kl_mc, compare and kl_trace take two joints with the same layers.",
            ]
        ) { a, session throws(KLSError) in
            guard case .record(let layers) = a["layers"] else { throw KLSError("joint: internal: no layers") }
            return .distribution(try JointBuilder.make(layers, session))
        }.differentiable(JointGradient.joint)
    ]

    /// A joint's draw as the language shows it: a record with a field per layer.
    static func record(_ joint: JointDistribution, _ flat: Tensor) throws(KLSError) -> Value {
        let (layers, _, single) = try joint.split(flat)
        var fields: [(String, Value)] = []
        for (l, layer) in joint.layers.enumerated() {
            let z = single ? try layers[l].reshape(layer.shape) : layers[l]
            fields.append((layer.name, Value.from(z)))
        }
        return .record(Record(fields))
    }

    /// A record of layers (or a flat tensor) as the flat draws the joint's logpdf takes.
    static func flat(_ joint: JointDistribution, _ value: Value, _ what: String) throws(KLSError) -> Tensor {
        guard case .record(let r) = value else { return try value.asTensor(what) }
        guard r.names == joint.layers.map(\.name) else {
            throw KLSError(
                "\(what): a draw of this joint has layers \(joint.layers.map(\.name).joined(separator: ", ")), "
                    + "got \(r.names.joined(separator: ", "))")
        }
        var rows: Int? = nil
        var parts: [Tensor] = []
        for (l, layer) in joint.layers.enumerated() {
            let z = try r.values[l].asTensor("\(what): layer '\(layer.name)'")
            let count: Int
            if z.shape == layer.shape {
                count = 0
            } else if z.rank == layer.shape.count + 1, Array(z.shape.dropFirst()) == layer.shape {
                count = z.shape[0]
            } else {
                throw KLSError(
                    "\(what): layer '\(layer.name)' must have shape \(Shape.describe(layer.shape)) or [n] + that, "
                        + "got \(Shape.describe(z.shape))")
            }
            if let rows, rows != count {
                throw KLSError("\(what): the layers hold different numbers of draws")
            }
            rows = count
            parts.append(try z.reshape([Swift.max(count, 1), layer.size]))
        }
        let all = try Tensor.concatenate(parts, axis: 1)
        return rows == 0 ? try all.reshape(joint.eventShape) : all
    }

    /// `check(z, q)` for a joint: each layer on its own. A layer without
    /// parents is checked against its distribution; a Gaussian layer with
    /// parents is standardised by its conditional mean and std at the drawn
    /// parents and checked against N(0, 1); other conditional layers cannot be
    /// checked coordinate by coordinate and say so.
    static func check(_ flat: Tensor, _ joint: JointDistribution) throws(KLSError) -> Record {
        guard flat.rank == 2, flat.shape[0] >= 2 else {
            throw KLSError("check: needs a record of at least 2 draws of each layer ([n] + the layer's shape)")
        }
        let (draws, count, _) = try joint.split(flat)
        var fields: [(String, Value)] = []
        var failed: [String] = []
        for (l, layer) in joint.layers.enumerated() {
            let d = try joint.distribution(of: l, given: draws, count: count)
            let result: SampleCheck
            if !layer.rowwise {
                result = try SampleCheck(draws[l], d)
            } else if LinearGaussianJoint.isNormal(d) || d is MvNormal {
                let mean = try d.mean()
                let std = try d.variance().map(.sqrt)
                let standard = try Tensor.binary(.divide, try Tensor.binary(.subtract, draws[l], mean), std)
                let reference = try Normal([
                    try Tensor(repeating: 0, shape: layer.shape), try Tensor(repeating: 1, shape: layer.shape),
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
