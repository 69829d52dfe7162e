import KLSDiagnostics
import KLSTensor

/// The statements a kernel covers — forms whose value is never used: loops,
/// `if` without `else`, and local lambdas.
extension NumericCompiler {
    /// `if c { t }`: `t` of any type, run for its assignments; afterwards only
    /// what was assigned before counts as assigned.
    func ifStatement(_ condition: Expr, _ then: Expr, _ scope: inout NumericScope) throws(NumericUnsupported)
        -> NumericCode
    {
        let c = try bool(condition, &scope)
        let t = try mayNotRun(then, &scope)
        return { frame throws(NumericBail) in
            if try c(frame) != 0 { _ = try t(frame) }
            return 0
        }
    }

    /// `while c { body }`. The condition runs at least once, so what it assigns
    /// stays assigned; what the body assigns may not have happened.
    func whileLoop(_ condition: Expr, _ body: Expr, _ scope: inout NumericScope) throws(NumericUnsupported)
        -> NumericCode
    {
        let c = try bool(condition, &scope)
        let run = try mayNotRun(body, &scope)
        let gate = machine.gate
        return { frame throws(NumericBail) in
            while try c(frame) != 0 {
                try gate.iterate()
                _ = try run(frame)
            }
            return 0
        }
    }

    /// `for i in arange(…) { body }` with one to three positional number
    /// arguments, `arange` being the builtin: a counted loop over
    /// `start + k * step`, the elements `Tensor.arange` makes, without making
    /// them. Bad bounds, or more elements than the memory limit allows, bail
    /// out: the general path gives the error.
    func forLoop(_ variable: String, _ sequence: Expr, _ body: Expr, _ scope: inout NumericScope)
        throws(NumericUnsupported) -> NumericCode
    {
        guard case .call(let callee, let arguments) = sequence.kind, case .name("arange") = callee.kind,
            scope.slots["arange"] == nil, (1...3).contains(arguments.count), arguments.allSatisfy({ $0.name == nil }),
            let slot = scope.slots[variable], scope.types[variable] ?? .number == .number
        else { throw NumericUnsupported() }
        // The builtin, not a global that took its name (kept by a dependency).
        let builtin = try global("arange")
        guard case nil = builtin.pointee else { throw NumericUnsupported() }
        dependencies.append(NumericDependency(builtin: builtin))
        var bounds: [NumericCode] = []
        for argument in arguments { bounds.append(try number(argument.value, &scope)) }
        scope.types[variable] = .number
        let run = try mayNotRun(body, &scope, assigning: variable)
        let range = NumericRange(bounds)
        let gate = machine.gate
        return { frame throws(NumericBail) in
            let (start, stop, step) = try range.values(frame)
            let count: Int
            do { count = try Tensor.arangeCount(start, stop, step: step) } catch { throw NumericBail() }
            for k in 0..<count {
                try gate.iterate()
                frame[slot] = start + Double(k) * step
                _ = try run(frame)
            }
            return 0
        }
    }

    /// `e`, of any type, as code that may not run (a branch, a loop body): what
    /// it assigns does not count as assigned afterwards; `variable` (a loop's)
    /// is assigned inside it.
    func mayNotRun(_ e: Expr, _ scope: inout NumericScope, assigning variable: String? = nil)
        throws(NumericUnsupported) -> NumericCode
    {
        let before = scope.assigned
        if let variable { scope.assigned.insert(variable) }
        let (code, _) = try expression(e, &scope)
        scope.assigned = before
        return code
    }

    /// `name = x -> …` in a function body: covered when the lambda has no
    /// defaults (evaluated, with effects, where it is made), reads none of this
    /// function's variables, and `name` is assigned nowhere else and only ever
    /// called. Then a call `name(…)` runs the lambda's kernel, and the
    /// function value itself is never made.
    func lambdaAssignment(_ name: String, _ value: Expr, _ lambda: Lambda, _ scope: inout NumericScope)
        throws(NumericUnsupported) -> NumericCode
    {
        let locals = scope.slots
        guard locals[name] != nil, scope.types[name] == nil, lambda.parameters.allSatisfy({ $0.defaultValue == nil }),
            Self.readsNone(of: lambda, where: { locals[$0] != nil })
        else { throw NumericUnsupported() }
        // Of type none, a local no other form reads or assigns.
        scope.types[name] = NumericType.none
        scope.lambdas[name] = value
        scope.assigned.insert(name)
        return { _ in 0 }
    }
}

/// The bounds of `arange(stop)`, `arange(start, stop)` or `arange(start, stop, step)`.
struct NumericRange {
    let first: NumericCode
    let second: NumericCode?
    let third: NumericCode?

    init(_ bounds: [NumericCode]) {
        first = bounds[0]
        second = bounds.count > 1 ? bounds[1] : nil
        third = bounds.count > 2 ? bounds[2] : nil
    }

    /// start, stop and step, evaluated left to right.
    func values(_ frame: UnsafeMutablePointer<Double>) throws(NumericBail) -> (Double, Double, Double) {
        let a = try first(frame)
        guard let second else { return (0, a, 1) }
        let b = try second(frame)
        guard let third else { return (a, b, 1) }
        return (a, b, try third(frame))
    }
}
