import KLSDiagnostics
import KLSDistributions
import KLSGradient
import KLSTensor

/// A distribution over named layers z1, z2, …: each layer a distribution, or a
/// function of earlier layers (named by its parameters) that returns one — a
/// hierarchical VAE's posterior or prior, for one data point or a batch.
///
/// Shapes follow PyTorch's: each layer has its own batch and event shape, and
/// the joint's batch is the broadcast of its layers' batches (16 images give a
/// batch `[16]`; a prior shared by every image has batch `[]`). A draw of layer
/// l has shape `[chunk] + batch_l + event_l`, and a function layer is called on
/// whole chunks (a parent arrives as `[chunk] + its batch + its event`). The
/// language shows a draw as a record with a field per layer; to the
/// `Distribution` protocol it is one flat event `[D]` per batch element, the
/// layers' events laid end to end.
///
/// Layer l draws from its own Philox sub-stream, at indices that depend only
/// on the draw's position, so a seed gives the same draws whatever the
/// chunking. Calling user functions needs the interpreter, which runs on one
/// thread: the joint is thread-confined, while the tensor kernels inside the
/// layers use every core.
final class JointDistribution: Distribution, @unchecked Sendable {
    /// One layer: a fixed distribution, or a function of the parents.
    struct Layer {
        let name: String
        let fixed: (any Distribution)?
        let function: Function?
        /// Indices of the earlier layers the function takes, in its parameter order.
        let parents: [Int]
        /// The batch shape of the layer's distribution (without a per-row function's rows).
        let batch: [Int]
        /// The event shape of one draw.
        let event: [Int]
        /// True when the function gives one distribution per row of its parents
        /// (batch `[chunk] + …`), false when one serves every row.
        let rowwise: Bool
        /// Elements of one event.
        var eventSize: Int { event.reduce(1, *) }

        /// How to draw rows `start…` of this layer from its conditional `d`
        /// (made for `rows` rows): the count to ask `d` for (nil for a per-row
        /// `d`, whose batch holds the rows) and the first index of its stream.
        /// Row r of a call is draw start + r of the joint, so the indices depend
        /// on that alone, whatever the chunking — reparameterised draws under
        /// grad take the same positions.
        func placement(of d: any Distribution, rows: Int, start: UInt64) -> (count: Int?, first: UInt64) {
            guard rowwise else { return (rows, start &* UInt64(d.drawsPerSample)) }
            return (nil, start &* UInt64(Swift.max(1, d.drawsPerSample / Swift.max(rows, 1))))
        }
    }

    let layers: [Layer]
    /// Calls the layers' functions; weak, since the interpreter's globals may hold this joint.
    weak var interpreter: Interpreter?

    let family = "joint"
    /// The broadcast of the layers' batch shapes.
    let batchShape: [Int]
    /// The layers' events laid end to end: `[Σ event sizes]`.
    let eventShape: [Int]
    var parameters: [(name: String, value: Tensor)] { [] }
    /// One index of the joint's own stream per draw: each layer scales it by its own need.
    let drawsPerSample = 1
    let isThreadConfined = true

    /// The tape of `grad` when a layer depends on the variable being
    /// differentiated (a traced distribution, or a function whose result is
    /// one): then the joint's draws and densities must be differentiated too.
    let tape: GradientTape?

    init(layers: [Layer], interpreter: Interpreter, tape: GradientTape? = nil) throws(KLSError) {
        self.layers = layers
        self.interpreter = interpreter
        self.tape = tape
        eventShape = [layers.reduce(0) { $0 + $1.eventSize }]
        batchShape = try Self.batch(of: layers)
    }

    /// The broadcast of the layers' batches; an error names the two layers that clash.
    static func batch(of layers: [Layer]) throws(KLSError) -> [Int] {
        var shape: [Int] = []
        var setBy: Layer? = nil
        for layer in layers {
            guard let joined = try? Shape.broadcast(shape, layer.batch) else {
                throw KLSError(
                    JointMessages.batchClash(layer.name, layer.batch, setBy?.name ?? "", setBy?.batch ?? []),
                    hint: "give every layer the batch of the data, or none (one distribution shared by all)")
            }
            if joined != shape { setBy = layer }
            shape = joined
        }
        return shape
    }

    /// The layers' names, in order.
    var names: [String] { layers.map(\.name) }

    /// The index of the layer called `name`.
    func index(of name: String) -> Int? { layers.firstIndex { $0.name == name } }

    /// `c` draws of every layer (each `[c] + batch_l + event_l`) and the
    /// conditional each was drawn from, rows `start…` of the joint's stream.
    func draw(_ c: Int, generator: Philox, start: UInt64) throws(KLSError) -> (
        draws: [Tensor], conditionals: [any Distribution]
    ) {
        var draws: [Tensor] = []
        var conditionals: [any Distribution] = []
        for (l, layer) in layers.enumerated() {
            let d = try distribution(of: l, parents: layer.parents.map { draws[$0] }, count: c)
            let (count, first) = layer.placement(of: d, rows: c, start: start)
            draws.append(try d.sample(count, generator: generator.derived(l), start: first))
            conditionals.append(d)
        }
        return (draws, conditionals)
    }

    /// Layer l's distribution for `c` rows of its parents' draws (in its
    /// parameter order), checked against the event shape the layer had when the
    /// joint was made — the parents may carry a larger batch (q's draws handed
    /// to p's layers), so the batch is checked where the densities broadcast.
    func distribution(of l: Int, parents: [Tensor], count c: Int) throws(KLSError) -> any Distribution {
        let layer = layers[l]
        if let fixed = layer.fixed { return fixed }
        guard let function = layer.function, let interpreter else {
            throw KLSError("joint: layer '\(layer.name)' can no longer be evaluated (its session has ended)")
        }
        let d = try JointBuilder.call(function, layer: layer.name, parents: parents.map(Value.from), interpreter)
        guard d.eventShape == layer.event, !layer.rowwise || d.batchShape.first == c else {
            let expected = (layer.rowwise ? [c] : []) + layer.batch + layer.event
            throw KLSError(JointMessages.shapeChanged(layer.name, expected: expected, got: d.sampleShape))
        }
        return d
    }

    /// log d(z) of one layer as `[c] + batch`, naming the layer when its batch does not fit.
    static func logDensity(_ d: any Distribution, _ z: Tensor, rows c: Int, batch: [Int], layer: String)
        throws(KLSError) -> Tensor
    {
        let term = try d.logpdf(z)
        if term.shape == [c] + batch { return term }
        do {
            return try term.broadcast(to: [c] + batch)
        } catch {
            throw KLSError(JointMessages.layerBatch(layer, got: Array(term.shape.dropFirst()), batch: batch))
        }
    }

    /// Σ over the layers of log q_l(z_l | parents) at `c` rows of draws, `[c] + batch`.
    func logDensity(_ draws: [Tensor], rows c: Int, batch: [Int]) throws(KLSError) -> Tensor {
        var total = try Tensor(repeating: 0, shape: [c] + batch)
        for (l, layer) in layers.enumerated() {
            let d = try distribution(of: l, parents: layer.parents.map { draws[$0] }, count: c)
            let term = try Self.logDensity(d, draws[l], rows: c, batch: batch, layer: layer.name)
            total = try Tensor.binary(.add, total, term)
        }
        return total
    }

    func sample(_ count: Int?, generator: Philox, start: UInt64) throws(KLSError) -> Tensor {
        let c = count ?? 1
        let flat = try flatten(try draw(c, generator: generator, start: start).draws, count: c)
        return count == nil ? try flat.reshape(batchShape + eventShape) : flat
    }

    /// Draws `[c] + batch_l + event_l` per layer, each broadcast to the joint's
    /// batch, as `[c] + batch`.
    func broadcastDraws(_ draws: [Tensor], count c: Int) throws(KLSError) -> [Tensor] {
        try layers.indices.map { l throws(KLSError) in try draws[l].broadcast(to: [c] + batchShape + layers[l].event) }
    }

    /// Draws per layer laid end to end as `[c] + batch + [D]`.
    func flatten(_ draws: [Tensor], count c: Int) throws(KLSError) -> Tensor {
        let full = try broadcastDraws(draws, count: c)
        let parts = try layers.indices.map { l throws(KLSError) in
            try full[l].reshape([c] + batchShape + [layers[l].eventSize])
        }
        return try Tensor.concatenate(parts, axis: batchShape.count + 1)
    }

    /// A flat `[c] + batch + [D]` (or `batch + [D]`) draw split back into its
    /// layers, each `[c] + batch + event_l`.
    func split(_ x: Tensor) throws(KLSError) -> (layers: [Tensor], count: Int, single: Bool) {
        let width = eventShape[0]
        let single = x.rank == batchShape.count + 1
        guard x.shape.last == width, single || x.rank == batchShape.count + 2,
            Array(x.shape.dropFirst(single ? 0 : 1).dropLast()) == batchShape
        else {
            throw KLSError(JointMessages.flatShape(batchShape + [width], got: x.shape))
        }
        let c = single ? 1 : x.shape[0]
        let rows = c * batchShape.reduce(1, *)
        var parts: [Tensor] = []
        var from = 0
        for layer in layers {
            let size = layer.eventSize
            let part = try Tensor(shape: [rows, size]) { out in
                x.withBuffer { b in
                    for r in 0..<rows {
                        for j in 0..<size { out[r * size + j] = b[r * width + from + j] }
                    }
                }
            }
            parts.append(try part.reshape([c] + batchShape + layer.event))
            from += size
        }
        return (parts, c, single)
    }

    func logpdf(_ x: Tensor) throws(KLSError) -> Tensor {
        let (draws, c, single) = try split(x)
        let total = try logDensity(draws, rows: c, batch: batchShape)
        return single ? try total.reshape(batchShape) : total
    }

    func entropy() throws(KLSError) -> Tensor { throw KLSError(JointMessages.noClosedForm("entropy")) }
    func mean() throws(KLSError) -> Tensor { throw KLSError(JointMessages.noClosedForm("mean")) }
    func variance() throws(KLSError) -> Tensor { throw KLSError(JointMessages.noClosedForm("var")) }

    /// `z1=DiagNormal(…), z2=(z1) -> [3]`, for display (a batched layer shows its batch too).
    func describeLayers(_ show: (any Distribution) -> String) -> String {
        let parts = layers.map { layer in
            if let fixed = layer.fixed { return "\(layer.name)=\(show(fixed))" }
            let parents = layer.parents.map { layers[$0].name }.joined(separator: ", ")
            let batch = layer.batch.isEmpty ? "" : " batch \(Shape.describe(layer.batch))"
            return "\(layer.name)=(\(parents)) -> \(Shape.describe(layer.event))\(batch)"
        }
        let batch = batchShape.isEmpty ? "" : "  batch_shape=\(Shape.describe(batchShape))"
        return "joint(\(parts.joined(separator: ", ")))\(batch)"
    }
}
