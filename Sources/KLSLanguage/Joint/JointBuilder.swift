import KLSDiagnostics
import KLSDistributions
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
                    .init(name: name, fixed: d, function: nil, parents: [], shape: d.sampleShape, rowwise: false))
            case .function(let f):
                let (layer, traced) = try functionLayer(name, f, earlier: layers, interpreter)
                tape = tape ?? traced
                layers.append(layer)
            default:
                throw KLSError(JointMessages.badLayer(name, got: value.typeName))
            }
        }
        return JointDistribution(layers: layers, interpreter: interpreter, tape: tape)
    }

    /// A function layer: its parameters name earlier layers; probe calls on 2
    /// and 3 draws of the parents tell its shape, whether it is per row, and
    /// whether it depends on grad's variable (the tape of its result, if so).
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
        let probe = JointDistribution(layers: earlier, interpreter: interpreter)
        var shapes: [[Int]] = []
        var tape: GradientTape?
        for c in [2, 3] {
            let draws = try probe.sampleLayers(c, generator: Philox(seed: 0x5EED), start: 0)
            let d = try call(f, layer: name, parents: parents.map { Value.from(draws[$0]) }, interpreter)
            tape = tape ?? (d as? TracedDistribution)?.tape
            shapes.append(d.sampleShape)
        }
        if shapes[0].first == 2, shapes[1].first == 3, shapes[0].dropFirst() == shapes[1].dropFirst() {
            let layer = JointDistribution.Layer(
                name: name, fixed: nil, function: f, parents: parents, shape: Array(shapes[0].dropFirst()),
                rowwise: true)
            return (layer, tape)
        }
        guard shapes[0] == shapes[1] else {
            throw KLSError(JointMessages.unstableShape(name, shapes[0], shapes[1]))
        }
        return (.init(name: name, fixed: nil, function: f, parents: parents, shape: shapes[0], rowwise: false), tape)
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
