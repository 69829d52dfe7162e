import Foundation
import KLSDiagnostics
import KLSTensor

/// `minimize(f, x0, …)`: gradient descent (plain or Adam) on a tensor, a number
/// or a record of them, keeping the best point seen. Ctrl-C stops it early and
/// returns that point.
struct Minimizer {
    let f: Function
    let steps: Int
    let rate: Double
    let adam: Bool
    let session: Interpreter
    /// The live picture of f over the steps (`live=true`), shown in place of the status line.
    var live: LivePlot? = nil

    static let beta1 = 0.9
    static let beta2 = 0.999
    static let epsilon = 1e-8

    func run(_ start: Value) throws(KLSError) -> Value {
        guard case .function(let valueAndGrad) = GradientBuiltins.gradientFunction(f, argument: 0, withValue: true)
        else { return .none }
        var x = start
        var best: (value: Double, x: Value)?
        var trace: [Double] = []
        var moments: [String: (Tensor, Tensor)] = [:]
        var lastReport = session.environment.monotonicNanoseconds()
        // Each step re-runs f; the statement shows each of its warnings once (`Interpreter.execute`).
        defer { session.environment.progress(nil) }
        for step in 1...Swift.max(1, steps) {
            let result: Value
            do {
                result = try session.call(valueAndGrad, [x])
            } catch  where error.kind == .interrupted {
                Cancellation.reset()
                live?.interrupted = true
                try session.warn(
                    "minimize: interrupted at step \(step); returning the best point so far", escalates: false)
                break
            }
            guard case .record(let r) = result, let v = r["value"], let g = r["grad"] else { break }
            let value = try v.asNumber("minimize: f's result")
            trace.append(value)
            guard value.isFinite else {
                try session.warn("minimize: f is \(Formatter.number(value)) at step \(step); stopping")
                break
            }
            if best.map({ value < $0.value }) ?? true { best = (value, x) }
            if let live {
                live.update { LiveFrames.minimize(trace, steps: steps, best: best?.value ?? value) }
            } else {
                report(step, value, best?.value ?? value, lastReport: &lastReport)
            }
            if step == steps { break }
            x = try update(x, g, step: step, moments: &moments)
        }
        return .record(
            Record([
                ("x", best?.x ?? start), ("value", .number(best?.value ?? .nan)),
                ("trace", .tensor(try Tensor(trace))), ("steps", .number(Double(trace.count))),
            ]))
    }

    /// A progress line on a terminal, at most ten times a second.
    private func report(_ step: Int, _ value: Double, _ best: Double, lastReport: inout UInt64) {
        let now = session.environment.monotonicNanoseconds()
        guard now &- lastReport >= 100_000_000 else { return }
        lastReport = now
        session.environment.progress(
            "minimize: step \(step)/\(steps)  f = \(Formatter.number(value))  best \(Formatter.number(best))  "
                + "(Ctrl-C keeps the best)")
    }

    /// One step of the optimizer, field by field for a record.
    private func update(_ x: Value, _ g: Value, step: Int, moments: inout [String: (Tensor, Tensor)])
        throws(KLSError) -> Value
    {
        if case .record(let xs) = x, case .record(let gs) = g {
            var fields: [(String, Value)] = []
            for (name, item) in zip(xs.names, xs.values) {
                guard let gradient = gs[name] else { throw KLSError("internal: no gradient for field '\(name)'") }
                fields.append((name, try update(item, gradient, step: step, key: name, moments: &moments)))
            }
            return .record(Record(kind: xs.kind, fields))
        }
        return try update(x, g, step: step, key: "", moments: &moments)
    }

    private func update(
        _ x: Value, _ g: Value, step: Int, key: String, moments: inout [String: (Tensor, Tensor)]
    ) throws(KLSError) -> Value {
        let (point, gradient) = (try x.asTensor(), try g.asTensor())
        var direction = gradient
        if adam {
            let zero = try Tensor(repeating: 0, shape: gradient.shape)
            let (m0, v0) = moments[key] ?? (zero, zero)
            let m = try Tensor.binary(
                .add, try scaled(m0, Minimizer.beta1), try scaled(gradient, 1 - Minimizer.beta1))
            let v = try Tensor.binary(
                .add, try scaled(v0, Minimizer.beta2), try scaled(try gradient.map(.square), 1 - Minimizer.beta2))
            moments[key] = (m, v)
            let mHat = try scaled(m, 1 / (1 - pow(Minimizer.beta1, Double(step))))
            let vHat = try scaled(v, 1 / (1 - pow(Minimizer.beta2, Double(step))))
            let denominator = try Tensor.binary(
                .add, try vHat.map(.sqrt), scalar: Minimizer.epsilon, scalarOnLeft: false)
            direction = try Tensor.binary(.divide, mHat, denominator)
        }
        let moved = try Tensor.binary(.subtract, point, try scaled(direction, rate))
        if case .tensor = x { return .tensor(moved) }
        return Value.from(moved)
    }

    private func scaled(_ t: Tensor, _ c: Double) throws(KLSError) -> Tensor {
        try Tensor.binary(.multiply, t, scalar: c, scalarOnLeft: false)
    }
}
