import KLSDiagnostics
import KLSDistributions
import KLSGradient
import KLSTensor

/// Makes a `JointDistribution` from `joint(z1=…, z2=…)`: checks each layer,
/// resolves a function's parameters to earlier layers, and finds each
/// function layer's shape by calling it on probe draws of its parents.
enum JointBuilder {
    static func make(_ fields: Record, _ interpreter: Interpreter) throws(KLSError) -> JointDistribution {
        guard !fields.names.isEmpty else {
            throw KLSError(
                "joint: give at least one layer", hint: "joint(z1=DiagNormal(zeros(2), 1), z2=(z1) -> Normal(z1, 1))")
        }
        var layers: [JointDistribution.Layer] = []
        var tape: GradientTape?
        for (name, value) in zip(fields.names, fields.values) {
            switch value {
            case .distribution(let d):
                tape = tape ?? (d as? TracedDistribution)?.tape
                layers.append(
                    .init(
                        name: name, fixed: d, function: nil, parents: [], batch: d.batchShape, event: d.eventShape,
                        rowwise: false))
            case .function(let f):
                let (layer, traced) = try functionLayer(name, f, earlier: layers, interpreter)
                tape = tape ?? traced
                layers.append(layer)
            default:
                throw KLSError(JointMessages.badLayer(name, got: value.typeName))
            }
        }
        return try JointDistribution(layers: layers, interpreter: interpreter, tape: tape)
    }

    /// A function layer: its parameters name earlier layers; probe calls on 2
    /// and 3 draws of the parents tell its batch and event shapes, whether it
    /// is per row (its batch then starts with the rows), and whether it depends
    /// on grad's variable (the tape of its result, if so).
    static func functionLayer(
        _ name: String, _ f: Function, earlier: [JointDistribution.Layer], _ interpreter: Interpreter
    ) throws(KLSError) -> (JointDistribution.Layer, GradientTape?) {
        guard case .user(let user) = f.body else {
            throw KLSError(JointMessages.builtinLayer(name), hint: "write it as (z1) -> Normal(z1, 1)")
        }
        var parents: [Int] = []
        for parameter in user.parameters {
            guard let i = earlier.firstIndex(where: { $0.name == parameter }) else {
                throw KLSError(
                    JointMessages.unknownParent(name, parameter, earlier: earlier.map(\.name)),
                    hint: Suggestions.hint(for: parameter, among: earlier.map(\.name)))
            }
            parents.append(i)
        }
        let probe = try JointDistribution(layers: earlier, interpreter: interpreter)
        var results: [any Distribution] = []
        var tape: GradientTape?
        for c in [2, 3] {
            let draws = try probe.draw(c, generator: Philox(seed: 0x5EED), start: 0).draws
            let d = try call(f, layer: name, parents: parents.map { Value.from(draws[$0]) }, interpreter)
            tape = tape ?? (d as? TracedDistribution)?.tape
            results.append(d)
        }
        let (two, three) = (results[0], results[1])
        let rowwise =
            two.batchShape.first == 2 && three.batchShape.first == 3
            && two.batchShape.dropFirst() == three.batchShape.dropFirst()
        guard rowwise || two.sampleShape == three.sampleShape, two.eventShape == three.eventShape else {
            throw KLSError(JointMessages.unstableShape(name, two.sampleShape, three.sampleShape))
        }
        let layer = JointDistribution.Layer(
            name: name, fixed: nil, function: f, parents: parents,
            batch: Array(two.batchShape.dropFirst(rowwise ? 1 : 0)), event: two.eventShape, rowwise: rowwise)
        return (layer, tape)
    }

    /// Calls a layer's function on its parents' draws; the result must be a distribution.
    /// (Parents are values: under grad they may be traced draws.)
    static func call(_ f: Function, layer: String, parents: [Value], _ interpreter: Interpreter) throws(KLSError)
        -> any Distribution
    {
        let result: Value
        do {
            result = try interpreter.call(f, parents)
        } catch {
            throw KLSError("joint: layer '\(layer)': \(error.message)", hint: error.hint)
        }
        guard case .distribution(let d) = result else {
            throw KLSError(JointMessages.notADistribution(layer, got: result.typeName))
        }
        return d
    }
}
