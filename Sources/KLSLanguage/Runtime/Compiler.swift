import KLSDiagnostics
import KLSTensor

/// The variables of one function body, resolved to frame slots.
final class Scope {
    let parent: Scope?
    var slots: [String: Int] = [:]

    init(parent: Scope?, names: [String]) {
        self.parent = parent
        for name in names where slots[name] == nil { slots[name] = slots.count }
    }
}

/// Turns statements into closures ("closure compilation"): names are resolved to
/// global or frame slots once, so running a loop does no dictionary lookups.
///
/// Scoping (language.md §3): `for`/`if`/blocks share the enclosing scope; a function body has
/// its own, holding its parameters and every name it assigns; other names read
/// the enclosing functions' variables (closures) and then globals.
struct Compiler {
    let interpreter: Interpreter
    var scope: Scope? = nil
    /// Loops around the code being compiled, within this function body: where
    /// `break` and `continue` are allowed.
    var loopDepth = 0

    init(interpreter: Interpreter) {
        self.interpreter = interpreter
    }

    mutating func compile(_ statement: Statement, discarding: Bool = false) throws(KLSError) -> Code {
        switch statement.kind {
        case .expression(let expr):
            let code = try compile(expr)
            guard discarding else { return code }
            // A value nobody reads is still computed (see `Value.deferred`): its
            // work and its errors are the statement's, as they would be eagerly.
            let range = expr.range
            return { frame throws(KLSError) in
                let value = try code(frame)
                guard case .deferred = value else { return value }
                _ = try at(range) { () throws(KLSError) in try value.settled() }
                return .none
            }
        case .assign(let name, let value):
            // `s = s + i` whose value nobody reads: one node reads, adds and stores.
            if discarding, let slot = scope?.slots[name], case .binary(let op, let lhs, let rhs) = value.kind,
                let fused = try arithmetic(op.kernel, lhs, rhs, range: value.range, into: slot)
            {
                return fused
            }
            // A variable of the session holds computed values: a script's or the
            // REPL's statements take their time, and meet their limits, where they
            // are written; a function's variables may stay deferred (`Value.deferred`).
            let code = try compile(value)
            let range = value.range
            let settled: Code =
                scope != nil
                ? code
                : { frame throws(KLSError) in try at(range) { () throws(KLSError) in try code(frame).settled() } }
            return try assignment(name, settled, returning: !discarding)
        case .assignIndex(let name, let components, let value):
            return try indexAssignment(name, components, value, range: statement.range, returning: !discarding)
        }
    }

    /// Stores into the current function's slot, or a global at the top level. The
    /// statement's value is the stored value, unless nobody will read it.
    func assignment(_ name: String, _ value: @escaping Code, returning: Bool = true) throws(KLSError) -> Code {
        let store = try loopSetter(name)
        if !returning {
            return { frame throws(KLSError) in
                store.store(frame, try value(frame))
                return .none
            }
        }
        return { frame throws(KLSError) in
            let v = try value(frame)
            store.store(frame, v)
            return v
        }
    }

    /// Reads a name: a local or captured slot, else a global, else a builtin.
    func read(_ name: String, range: SourceRange) throws(KLSError) -> Code {
        var depth = 0
        var current = scope
        while let s = current {
            if let slot = s.slots[name] {
                let d = depth
                if d == 0 {
                    return { frame throws(KLSError) in
                        if let v = frame.slots[slot] { return v }
                        throw KLSError("'\(name)' is used before it is assigned", range: range)
                    }
                }
                return { frame throws(KLSError) in
                    if let v = frame.ancestor(d).slots[slot] { return v }
                    throw KLSError("'\(name)' is used before it is assigned", range: range)
                }
            }
            depth += 1
            current = s.parent
        }
        let slot = try interpreter.globals.slot(name)
        let storage = interpreter.globals.values
        let builtin = BuiltinRegistry.value(name)
        let globals = interpreter.globals
        return { _ throws(KLSError) in
            if let v = storage[slot] { return v }
            if let builtin { return builtin }
            throw KLSError(
                "unknown name '\(name)'", range: range,
                hint: Suggestions.hint(
                    for: name,
                    among: globals.assigned.map(\.0) + BuiltinRegistry.names + Keyword.allCases.map(\.rawValue)))
        }
    }

    /// A function literal: compiles the body in a fresh scope whose slots are the
    /// parameters and every name the body assigns.
    mutating func lambda(_ lambda: Lambda, range: SourceRange) throws(KLSError) -> Code {
        let parameters = lambda.parameters.map(\.name)
        let locals = Compiler.assignedNames(in: lambda.body)
        let inner = Scope(parent: scope, names: parameters + locals)
        var bodyCompiler = Compiler(interpreter: interpreter)
        bodyCompiler.scope = inner
        let body = try bodyCompiler.compile(lambda.body)
        var defaults: [Code?] = []
        for p in lambda.parameters { defaults.append(try p.defaultValue.map { e throws(KLSError) in try compile(e) }) }
        let slotCount = inner.slots.count
        let capturesFrame = scope != nil
        let syntax = NumericCompiler.isSelfContained(lambda, in: scope) ? lambda : nil
        return { frame throws(KLSError) in
            var values: [Value?] = []
            for d in defaults { values.append(try d.map { code throws(KLSError) in try code(frame) }) }
            let user = UserFunction(
                name: lambda.name, parameters: parameters, defaults: values, slotCount: slotCount,
                body: body, captured: capturesFrame ? frame : nil, range: range, syntax: syntax)
            return .function(Function(.user(user)))
        }
    }

    /// Names assigned in a function body, outside nested lambdas.
    static func assignedNames(in expr: Expr) -> [String] {
        var names: [String] = []
        func visit(_ e: Expr) {
            switch e.kind {
            case .block(let statements):
                for s in statements {
                    switch s.kind {
                    case .assign(let name, let value):
                        names.append(name)
                        visit(value)
                    case .expression(let x), .assignIndex(_, _, let x):
                        visit(x)
                    }
                }
            case .ifElse(let c, let t, let o):
                visit(c)
                visit(t)
                if let o { visit(o) }
            case .forLoop(let variable, let sequence, let body):
                names.append(variable)
                visit(sequence)
                visit(body)
            case .whileLoop(let condition, let body):
                visit(condition)
                visit(body)
            case .recordLiteral(let fields):
                for field in fields { visit(field.value) }
            case .unary(_, let a): visit(a)
            case .binary(_, let a, let b), .compare(_, let a, let b), .logical(_, let a, let b), .matmul(let a, let b):
                visit(a)
                visit(b)
            case .call(let f, let args):
                visit(f)
                for argument in args { visit(argument.value) }
            case .bracket(let items):
                for item in items { visit(item) }
            case .index(let x, _), .member(let x, _): visit(x)
            case .lambda, .number, .string, .bool, .none, .name, .loopExit: break
            }
        }
        visit(expr)
        return names
    }
}

/// A compiled closure held in a class, so that arrays of them store a concrete
/// function type (no reabstraction thunks on every call).
final class CompiledCode {
    let run: Code

    init(_ run: @escaping Code) {
        self.run = run
    }
}

/// Attaches `range` to any error `body` throws that has no location yet.
@inline(__always)
func at<T>(_ range: SourceRange, _ body: () throws(KLSError) -> T) throws(KLSError) -> T {
    do {
        return try body()
    } catch {
        throw error.located(at: range)
    }
}
