import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// A distribution over named layers z1, z2, …: each layer a distribution, or a
/// function of earlier layers (named by its parameters) that returns one — a
/// hierarchical VAE's posterior or prior. To the Monte Carlo engine a draw is
/// one flat vector, the layers' draws laid end to end; the language shows it
/// as a record with a field per layer.
///
/// Functions are called on whole chunks (a parent arrives as `[chunk] +
/// shape`). Layer l draws from its own Philox sub-stream, at indices that
/// depend only on the draw's position, so a seed gives the same draws whatever
/// the chunking. Calling user functions needs the interpreter, which runs on
/// one thread: the joint is thread-confined, and the Monte Carlo engine draws
/// from it on one thread, several chunks per call, while the tensor kernels
/// inside the layers use every core.
final class JointDistribution: ScoringSampler, @unchecked Sendable {
    /// One layer: a fixed distribution, or a function of the parents.
    struct Layer {
        let name: String
        let fixed: (any Distribution)?
        let function: Function?
        /// Indices of the earlier layers the function takes, in its parameter order.
        let parents: [Int]
        /// The shape of one draw of the layer.
        let shape: [Int]
        /// True when the function gives one distribution per row of its parents
        /// (batch `[chunk] + …`), false when one serves every row.
        let rowwise: Bool
        var size: Int { shape.reduce(1, *) }

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
    let batchShape: [Int] = []
    let eventShape: [Int]
    var parameters: [(name: String, value: Tensor)] { [] }
    /// One index of the joint's own stream per draw: each layer scales it by its own need.
    let drawsPerSample = 1
    let isThreadConfined = true

    /// The tape of `grad` when a layer depends on the variable being
    /// differentiated (a traced distribution, or a function whose result is
    /// one): then the joint's draws and densities must be differentiated too.
    let tape: GradientTape?

    init(layers: [Layer], interpreter: Interpreter, tape: GradientTape? = nil) {
        self.layers = layers
        self.interpreter = interpreter
        self.tape = tape
        eventShape = [layers.reduce(0) { $0 + $1.size }]
    }

    /// Where layer l's values sit in a flat draw.
    func offset(of l: Int) -> Int { layers[..<l].reduce(0) { $0 + $1.size } }

    func sample(_ count: Int?, generator: Philox, start: UInt64) throws(KLSError) -> Tensor {
        let c = count ?? 1
        let draws = try sampleLayers(c, generator: generator, start: start)
        let flat = try flatten(draws, count: c)
        return count == nil ? try flat.reshape(eventShape) : flat
    }

    /// `c` draws of every layer, each `[c] + shape`.
    func sampleLayers(_ c: Int, generator: Philox, start: UInt64) throws(KLSError) -> [Tensor] {
        try sampleLayers(c, generator: generator, start: start, scored: false).draws
    }

    /// `c` draws of every layer and the conditional each was drawn from.
    func sampleConditionals(_ c: Int, generator: Philox, start: UInt64) throws(KLSError) -> (
        draws: [Tensor], conditionals: [any Distribution]
    ) {
        let run = try sampleLayers(c, generator: generator, start: start, scored: false)
        return (run.draws, run.conditionals)
    }

    /// `c` draws with their log-density, each layer's conditional made once.
    func sampleScored(_ c: Int, generator: Philox, start: UInt64) throws(KLSError) -> (Tensor, Tensor) {
        let (draws, logDensity, _) = try sampleLayers(c, generator: generator, start: start, scored: true)
        let flat = try flatten(draws, count: c)
        // The engine hands these draws to p's logpdf next: remember their layers.
        interpreter?.lastJointDraws = (flat.storage, draws)
        return (flat, logDensity ?? Tensor(scalar: 0))
    }

    /// `c` draws of every layer, the conditionals they came from and, when
    /// `scored`, the sum of their log-densities `[c]`.
    func sampleLayers(_ c: Int, generator: Philox, start: UInt64, scored: Bool) throws(KLSError) -> (
        draws: [Tensor], logDensity: Tensor?, conditionals: [any Distribution]
    ) {
        var draws: [Tensor] = []
        var conditionals: [any Distribution] = []
        var total: Tensor? = scored ? try Tensor(repeating: 0, shape: [c]) : nil
        for (l, layer) in layers.enumerated() {
            let d = try distribution(of: l, given: draws, count: c)
            let (count, first) = layer.placement(of: d, rows: c, start: start)
            let z = try d.sample(count, generator: generator.derived(l), start: first)
            if let sum = total {
                var term = try d.logpdf(z)
                if term.shape != [c] { term = try term.broadcast(to: [c]) }
                total = try Tensor.binary(.add, sum, term)
            }
            draws.append(z)
            conditionals.append(d)
        }
        return (draws, total, conditionals)
    }

    /// Layer l's distribution for `c` draws of its parents, checked against
    /// the shape the layer had when the joint was made.
    func distribution(of l: Int, given draws: [Tensor], count c: Int) throws(KLSError) -> any Distribution {
        let layer = layers[l]
        if let fixed = layer.fixed { return fixed }
        guard let function = layer.function, let interpreter else {
            throw KLSError("joint: layer '\(layer.name)' can no longer be evaluated (its session has ended)")
        }
        let d = try JointBuilder.call(
            function, layer: layer.name, parents: layer.parents.map { Value.from(draws[$0]) }, interpreter)
        let expected = layer.rowwise ? [c] + layer.shape : layer.shape
        guard d.sampleShape == expected else {
            throw KLSError(JointMessages.shapeChanged(layer.name, expected: expected, got: d.sampleShape))
        }
        return d
    }

    /// Draws `[c] + shape` per layer, laid end to end as `[c, D]`.
    func flatten(_ draws: [Tensor], count c: Int) throws(KLSError) -> Tensor {
        let parts = try draws.enumerated().map { l, z throws(KLSError) in try z.reshape([c, layers[l].size]) }
        return try Tensor.concatenate(parts, axis: 1)
    }

    /// A flat `[c, D]` (or `[D]`) draw split back into its layers, each `[c] + shape`.
    func split(_ x: Tensor) throws(KLSError) -> (layers: [Tensor], count: Int, single: Bool) {
        let single = x.rank == 1
        guard x.shape.last == eventShape[0], x.rank <= 2 else {
            throw KLSError(JointMessages.flatShape(eventShape[0], got: x.shape))
        }
        let c = single ? 1 : x.shape[0]
        if !single, let last = interpreter?.lastJointDraws, last.flat === x.storage,
            last.layers.map(\.shape) == layers.map({ [c] + $0.shape })
        {
            return (last.layers, c, false)
        }
        let width = eventShape[0]
        var parts: [Tensor] = []
        for (l, layer) in layers.enumerated() {
            let from = offset(of: l)
            let part = try Tensor(shape: [c, layer.size]) { out in
                x.withBuffer { b in
                    for r in 0..<c {
                        for j in 0..<layer.size { out[r * layer.size + j] = b[r * width + from + j] }
                    }
                }
            }
            parts.append(try part.reshape([c] + layer.shape))
        }
        return (parts, c, single)
    }

    func logpdf(_ x: Tensor) throws(KLSError) -> Tensor {
        let (draws, c, single) = try split(x)
        var total = try Tensor(repeating: 0, shape: [c])
        for l in layers.indices {
            let d = try distribution(of: l, given: draws, count: c)
            var term = try d.logpdf(draws[l])
            if term.shape != [c] { term = try term.broadcast(to: [c]) }
            total = try Tensor.binary(.add, total, term)
        }
        return single ? try total.reshape([]) : total
    }

    func entropy() throws(KLSError) -> Tensor { throw KLSError(JointMessages.noClosedForm("entropy")) }
    func mean() throws(KLSError) -> Tensor { throw KLSError(JointMessages.noClosedForm("mean")) }
    func variance() throws(KLSError) -> Tensor { throw KLSError(JointMessages.noClosedForm("var")) }

    /// `z1: DiagNormal  event_shape=[2]; z2: (z1) -> [3]`, for display.
    func describeLayers(_ show: (any Distribution) -> String) -> String {
        let parts = layers.map { layer in
            if let fixed = layer.fixed { return "\(layer.name)=\(show(fixed))" }
            let parents = layer.parents.map { layers[$0].name }.joined(separator: ", ")
            return "\(layer.name)=(\(parents)) -> \(Shape.describe(layer.shape))"
        }
        return "joint(\(parts.joined(separator: ", ")))"
    }
}
