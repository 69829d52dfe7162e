import Foundation
import KLSDiagnostics
import KLSGradient
import KLSTensor

/// Reverse-mode automatic differentiation of user functions (`grad`,
/// `value_and_grad`) and its check against central differences (`gradcheck`).
enum GradientBuiltins {
    static let all: [Builtin] = [
        Builtin(
            "grad", [.required("f").meaning("a function returning one number"), .optional("argnums", .number(0))],
            theme: .gradients,
            summary: "The function giving ∇f: the gradient of f's one-number result in its argument argnums.",
            example: "grad(x -> sum(x^2))([1, 2, 3])",
            details: [
                "Reverse mode: f runs once, recording each operation, then the gradient flows back once.",
                "A number, tensor or record argument (then a record of gradients). f may call user functions,",
                "lambdas and builtins with derivative rules; a builtin without one is an error naming it.",
                "Conventions: abs, sign, floor, round have derivative 0 at their kinks (abs'(0) = 0);",
                "maximum/minimum pass the gradient to x on ties; x^y's gradient in y is 0 where x^y = 0.",
            ]
        ) { a, _ throws(KLSError) in
            let (f, argument) = (try function(a), try a.integer("argnums", atLeast: 0))
            return gradientFunction(f, argument: argument, withValue: false)
        },
        Builtin(
            "value_and_grad",
            [.required("f").meaning("a function returning one number"), .optional("argnums", .number(0))],
            theme: .gradients,
            summary: "Like grad(f), but the function returns {value, grad}: f's result and its gradient.",
            example: "value_and_grad(x -> sum(exp(x)))([0, 1]).grad"
        ) { a, _ throws(KLSError) in
            let (f, argument) = (try function(a), try a.integer("argnums", atLeast: 0))
            return gradientFunction(f, argument: argument, withValue: true)
        },
        Builtin(
            "minimize",
            [
                .required("f").meaning("the function to minimise, returning one number"),
                .required("x0").meaning("the starting point: a number, tensor or record"),
                .optional("steps", .number(200)).meaning("how many optimiser steps"),
                .optional("lr", .number(0.05)).meaning("the learning rate (step size)"),
                .optional("optimizer", .string("adam"), choices: ["adam", "sgd"]).meaning("the update rule"),
                LiveFrames.parameter,
            ],
            theme: .gradients,
            summary: "Minimises f from x0 by gradient descent (\"adam\" or \"sgd\"): {x, value, trace, steps}.",
            example: "minimize(x -> sum((x - [1, 2])^2), [0, 0], steps=300).x",
            details: [
                "x0 is a number, a tensor or a record of them (each field its own Adam moments); x is the best",
                "point seen and value f there; trace holds f at every step. Ctrl-C stops early and keeps the best.",
                "live=true draws f over the steps as they run (the REPL on a terminal, a notebook).",
            ]
        ) { a, session throws(KLSError) in
            let optimizer = try a.string("optimizer")
            guard optimizer == "adam" || optimizer == "sgd" else {
                throw KLSError("minimize: optimizer must be \"adam\" or \"sgd\", got \"\(optimizer)\"")
            }
            let rate = try a.number("lr")
            guard rate > 0, rate.isFinite else { throw KLSError("minimize: lr must be positive, got \(rate)") }
            var minimizer = Minimizer(
                f: try function(a), steps: try a.integer("steps", atLeast: 1), rate: rate, adam: optimizer == "adam",
                session: session)
            return try LivePlot.around(session, enabled: try a.bool("live")) { live throws(KLSError) in
                minimizer.live = live
                return try minimizer.run(a["x0"])
            }
        },
        Builtin(
            "gradcheck",
            [
                .required("f").meaning("a function returning one number"),
                .required("x").meaning("the point to check at"),
                .optional("eps", .number(1e-6)).meaning("the finite-difference step"), .optional("rtol", .number(1e-5)),
                .optional("atol", .number(1e-8)),
            ],
            theme: .gradients,
            summary: "grad(f)(x) against central differences: ok, the worst element and both gradients.",
            example: "gradcheck(x -> sum(tanh(x) * x), [0.5, -1, 2]).ok",
            details: [
                "Each element is moved by ±eps·max(1, |x|); ok when |analytic − numeric| ≤ atol + rtol·|numeric|"
                    + " everywhere (NumPy's isclose); worst names the element furthest from that."
            ]
        ) { a, session throws(KLSError) in
            try GradientCheck.run(
                try function(a), try a.tensor("x"), eps: try a.number("eps"), rtol: try a.number("rtol"),
                atol: try a.number("atol"), session)
        },
    ]

    static func function(_ a: Arguments) throws(KLSError) -> Function {
        guard case .function(let f) = a["f"] else {
            throw KLSError("\(a.function): f must be a function, got \(a["f"].typeName)")
        }
        return f
    }

    /// The function `grad(f)` returns.
    static func gradientFunction(_ f: Function, argument: Int, withValue: Bool) -> Value {
        let label = (withValue ? "value_and_grad" : "grad") + "(\(f.name ?? "lambda"))"
        let builtin = Builtin(
            label, [.variadic("args"), .keywords("kwargs")], theme: .gradients,
            summary: "The gradient of \(f.name ?? "a lambda").", example: label
        ) { a, session throws(KLSError) in
            var positional = a.rest("args")
            guard argument < positional.count else {
                throw KLSError(
                    "\(label) differentiates argument \(argument), but the call passes \(positional.count)",
                    hint: "pass it by position")
            }
            guard case .record(let keywords) = a["kwargs"] else { return .none }
            let tape = GradientTape()
            GradientTape.active.add(1, ordering: .relaxed)
            defer { GradientTape.active.subtract(1, ordering: .relaxed) }
            let (input, leaves) = try mark(positional[argument], on: tape)
            positional[argument] = input
            let result = try session.call(f, positional, keywords: Array(zip(keywords.names, keywords.values)))
                .settled()
            let gradient = try gradientOf(result, leaves: leaves, original: positional[argument], tape: tape)
            guard withValue else { return gradient }
            let value: Value
            if case .traced(let t) = result { value = Value.from(t.value) } else { value = result }
            return .record(Record([("value", value), ("grad", gradient)]))
        }
        return .function(Function(.builtin(builtin)))
    }

    /// The argument with its tensors made leaves of `tape`.
    static func mark(_ v: Value, on tape: GradientTape) throws(KLSError) -> (Value, Leaves) {
        switch v {
        case .number, .bool, .tensor:
            let leaf = tape.leaf(try v.asTensor())
            return (.traced(leaf), .single(leaf, wasNumber: v.typeName != "tensor"))
        case .record(let r):
            var fields: [(String, Value)] = []
            var leaves: [(String, Traced, Bool)] = []
            for (name, item) in zip(r.names, r.values) {
                guard item.isNumeric else {
                    throw KLSError("grad: field '\(name)' of the record is a \(item.typeName), not numbers")
                }
                let leaf = tape.leaf(try item.asTensor())
                fields.append((name, .traced(leaf)))
                leaves.append((name, leaf, item.typeName != "tensor"))
            }
            return (.record(Record(kind: r.kind, fields)), .record(leaves))
        default:
            throw KLSError("grad differentiates with respect to numbers, tensors or records of them, got \(v.typeName)")
        }
    }

    enum Leaves {
        case single(Traced, wasNumber: Bool)
        case record([(String, Traced, Bool)])
    }

    /// The gradient of `result` (one number) with respect to the leaves.
    static func gradientOf(_ result: Value, leaves: Leaves, original: Value, tape: GradientTape) throws(KLSError)
        -> Value
    {
        var gradients: [Tensor?] = []
        switch result {
        case .traced(let t):
            guard t.value.count == 1 else {
                throw KLSError(
                    "grad needs f to return one number, got a tensor of shape \(Shape.describe(t.value.shape))",
                    hint: "sum it, or take one element")
            }
            gradients = try tape.gradients(of: t)
        case .number, .bool:
            break  // f does not depend on the argument: the gradient is zero
        case .tensor(let t) where t.count == 1:
            break
        default:
            throw KLSError("grad needs f to return one number, got a \(result.typeName)")
        }
        func gradient(_ leaf: Traced, _ wasNumber: Bool) throws(KLSError) -> Value {
            let g = leaf.id < gradients.count ? gradients[leaf.id] : nil
            let tensor: Tensor
            if let g { tensor = g } else { tensor = try Tensor(repeating: 0, shape: leaf.value.shape) }
            return wasNumber ? Value.from(tensor) : .tensor(tensor)
        }
        switch leaves {
        case .single(let leaf, let wasNumber): return try gradient(leaf, wasNumber)
        case .record(let fields):
            var out: [(String, Value)] = []
            for (name, leaf, wasNumber) in fields { out.append((name, try gradient(leaf, wasNumber))) }
            return .record(Record(out))
        }
    }
}

/// `gradcheck`: the analytic gradient against central differences.
enum GradientCheck {
    static func run(
        _ f: Function, _ x: Tensor, eps: Double, rtol: Double, atol: Double, _ session: Interpreter
    ) throws(KLSError) -> Value {
        guard eps > 0, eps.isFinite else { throw KLSError("gradcheck: eps must be positive, got \(eps)") }
        let gradient = GradientBuiltins.gradientFunction(f, argument: 0, withValue: false)
        guard case .function(let g) = gradient else { return .none }
        let argument: Value = x.rank == 0 ? .number(x[flat: 0]) : .tensor(x)
        let analytic = try session.call(g, [argument]).asTensor("gradient")
        var numeric = try Tensor(repeating: 0, shape: x.shape)
        for i in 0..<x.count {
            try Cancellation.check()
            let h = eps * Swift.max(1, Swift.abs(x[flat: i]))
            var up = x
            var down = x
            try up.assign(Shape.unravel(i, x.shape).map { .single($0) }, scalar: x[flat: i] + h)
            try down.assign(Shape.unravel(i, x.shape).map { .single($0) }, scalar: x[flat: i] - h)
            let fUp = try session.call(f, [x.rank == 0 ? Value.from(up) : .tensor(up)]).asNumber("f's result")
            let fDown = try session.call(f, [x.rank == 0 ? Value.from(down) : .tensor(down)]).asNumber("f's result")
            try numeric.assign(Shape.unravel(i, x.shape).map { .single($0) }, scalar: (fUp - fDown) / (2 * h))
        }
        var worst = 0
        var worstExcess = -Double.infinity
        var maxError = 0.0
        for i in 0..<x.count {
            let (a, n) = (analytic[flat: i], numeric[flat: i])
            let error = Swift.abs(a - n)
            maxError = Swift.max(maxError, error.isNaN ? .infinity : error)
            let excess = error.isNaN ? .infinity : error - (atol + rtol * Swift.abs(n))
            if excess > worstExcess { (worst, worstExcess) = (i, excess) }
        }
        return .record(
            Record([
                ("ok", .bool(worstExcess <= 0 || x.count == 0)), ("max_error", .number(maxError)),
                ("worst", .tensor(try Tensor(Shape.unravel(worst, x.shape).map(Double.init)))),
                ("analytic", Value.from(analytic)), ("numeric", Value.from(numeric)),
            ]))
    }
}
