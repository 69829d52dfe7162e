import KLSDiagnostics
import KLSTensor

/// The static type of a kernel expression: a number, a bool held as 0 or 1, or
/// none — a statement whose value is never used (a loop, an `if` without
/// `else`, a local lambda's definition), allowed only where a value is not.
enum NumericType {
    case number, bool, none
}

/// Why a function has no kernel: some part of it is not a number-only form.
struct NumericUnsupported: Error {}

/// Compiles a top-level user function, and the functions it calls, into
/// kernels of unboxed doubles (see `NumericMachine`).
///
/// A kernel covers what cannot have an effect or fail on numbers: number and
/// bool literals; parameters, and locals assigned before they are read;
/// globals holding a number or a bool (read at each use, bailing out if the
/// type changed); `+ - * / ^ %`, unary `-`/`+` and comparisons of numbers;
/// `not`, `and`, `or` and `if`/`else` (with an `else`) on bools; blocks; and
/// positional calls of global user functions of up to four parameters that are
/// themselves covered; `if` without `else`, `while` loops and `for` loops over
/// `arange` as statements; and lambdas assigned to a local that is only ever
/// called (see `lambdaAssignment`). Anything else — another builtin, a tensor,
/// a string, `break`, a closure's variables — leaves the function on the
/// general path.
/// Each form computes what the general path computes on numbers, so the two
/// agree bit for bit (tests compare them).
final class NumericCompiler {
    let machine: NumericMachine
    /// Functions compiled in this build, by identity.
    private var functions: [ObjectIdentifier: NumericFunction] = [:]
    private var order: [NumericFunction] = []
    /// The functions in `order`, by identity.
    private var identities: [ObjectIdentifier] = []
    /// Global slots the kernels call through.
    var dependencies: [NumericDependency] = []
    /// Result types to assume for recursive calls, learnt from a failed attempt.
    private var assumed: [ObjectIdentifier: NumericType] = [:]
    /// Set when a body's type differs from what its recursive callers assumed.
    private var mismatch: (ObjectIdentifier, NumericType)? = nil

    /// The most functions one kernel compiles.
    static let functionLimit = 64
    /// The tallest body compiled: a kernel call nests a closure call per level of
    /// its body, and the native stack is polled every 16 calls deep, so 16 such
    /// bodies must fit well within `StackGuard.margin`.
    static let heightLimit = 128

    init(machine: NumericMachine) {
        self.machine = machine
    }

    /// Whether a lambda reads none of the variables of the functions around it
    /// (and makes no lambdas, which could): then its names are its own or
    /// globals, as at the top level, and the tier may compile it.
    static func isSelfContained(_ lambda: Lambda, in enclosing: Scope?) -> Bool {
        guard let enclosing else { return true }
        return readsNone(of: lambda) { name in
            var scope: Scope? = enclosing
            while let s = scope {
                if s.slots[name] != nil { return true }
                scope = s.parent
            }
            return false
        }
    }

    /// Whether `lambda` makes no lambdas and reads no name, other than its own
    /// parameters and locals, for which `isOuter` holds.
    static func readsNone(of lambda: Lambda, where isOuter: (String) -> Bool) -> Bool {
        let own = Set(lambda.parameters.map(\.name) + Compiler.assignedNames(in: lambda.body))
        var pending = [lambda.body]
        while let e = pending.popLast() {
            switch e.kind {
            case .lambda: return false
            case .name(let name) where !own.contains(name) && isOuter(name): return false
            default: break
            }
            e.kind.forEachChild { pending.append($0) }
        }
        return true
    }

    /// `user`'s kernel, or nil when some part of it is not covered.
    func build(_ user: UserFunction) -> NumericKernel? {
        // A recursive call is compiled before the body it calls, assuming the
        // body gives a number. When that was wrong the build is done again with
        // what was learnt: the body's type if it compiled, else a bool.
        for _ in 0..<4 {
            (functions, order, identities, dependencies, mismatch) = ([:], [], [], [], nil)
            do {
                let root = try function(user)
                guard let (id, type) = mismatch else {
                    return NumericKernel(
                        root: root, functions: order, dependencies: dependencies, serial: machine.serial)
                }
                assumed[id] = type
            } catch {
                // In the order compiled, so that builds are the same from run to run.
                guard let i = order.indices.first(where: { order[$0].isAssumed && assumed[identities[$0]] == nil })
                else { return nil }
                assumed[identities[i]] = .bool
            }
        }
        return nil
    }

    /// The kernel of one user function, compiled once per build.
    func function(_ user: UserFunction) throws(NumericUnsupported) -> NumericFunction {
        guard let syntax = user.syntax, syntax.parameters.count == user.parameters.count else {
            throw NumericUnsupported()
        }
        return try function(ObjectIdentifier(user), syntax)
    }

    /// The kernel of the function `syntax` defines, known by `id` (its
    /// `UserFunction`, or for a local lambda its expression), compiled once per build.
    func function(_ id: ObjectIdentifier, _ syntax: Lambda) throws(NumericUnsupported) -> NumericFunction {
        if let made = functions[id] { return made }
        guard syntax.body.height <= Self.heightLimit, order.count < Self.functionLimit else {
            throw NumericUnsupported()
        }
        let made = NumericFunction(type: assumed[id] ?? .number)
        functions[id] = made
        order.append(made)
        identities.append(id)
        var scope = try NumericScope(parameters: syntax.parameters.map(\.name), body: syntax.body)
        guard scope.size <= NumericMachine.largestFrame else { throw NumericUnsupported() }
        let (code, type) = try expression(syntax.body, &scope)
        guard type != .none else { throw NumericUnsupported() }
        if type != made.type {
            if made.isAssumed { mismatch = mismatch ?? (id, type) }
            made.type = type
        }
        made.compiled(code)
        return made
    }

    /// One expression's code and type.
    func expression(_ e: Expr, _ scope: inout NumericScope) throws(NumericUnsupported) -> (NumericCode, NumericType) {
        switch e.kind {
        case .number(let x): return ({ _ in x }, .number)
        case .bool(let b):
            let x: Double = b ? 1 : 0
            return ({ _ in x }, .bool)
        case .name(let name): return try read(name, scope)
        case .unary(let op, let operand): return try unary(op, operand, &scope)
        case .binary(let op, let lhs, let rhs), .compare(let op, let lhs, let rhs):
            return try operation(op.kernel, lhs, rhs, &scope)
        case .logical(let isAnd, let lhs, let rhs): return (try logical(isAnd, lhs, rhs, &scope), .bool)
        case .ifElse(let condition, let then, let otherwise?): return try ifElse(condition, then, otherwise, &scope)
        case .ifElse(let condition, let then, nil): return (try ifStatement(condition, then, &scope), .none)
        case .block(let statements): return try block(statements, &scope)
        case .call(let callee, let arguments): return try call(callee, arguments, &scope)
        case .forLoop(let variable, let sequence, let body):
            return (try forLoop(variable, sequence, body, &scope), .none)
        case .whileLoop(let condition, let body): return (try whileLoop(condition, body, &scope), .none)
        default: throw NumericUnsupported()
        }
    }

    /// An expression that must be a number.
    func number(_ e: Expr, _ scope: inout NumericScope) throws(NumericUnsupported) -> NumericCode {
        let (code, type) = try expression(e, &scope)
        guard type == .number else { throw NumericUnsupported() }
        return code
    }

    /// An expression that must be a bool.
    func bool(_ e: Expr, _ scope: inout NumericScope) throws(NumericUnsupported) -> NumericCode {
        let (code, type) = try expression(e, &scope)
        guard type == .bool else { throw NumericUnsupported() }
        return code
    }

    /// A local (assigned on every path before this read) or a global number or bool.
    func read(_ name: String, _ scope: NumericScope) throws(NumericUnsupported) -> (NumericCode, NumericType) {
        if let slot = scope.slots[name] {
            guard scope.assigned.contains(name), let type = scope.types[name], type != .none else {
                throw NumericUnsupported()
            }
            return ({ frame in frame[slot] }, type)
        }
        let pointer = try global(name)
        switch pointer.pointee {
        case .number?:
            return (
                { _ throws(NumericBail) in
                    if case .number(let x)? = pointer.pointee { return x }
                    throw NumericBail()
                }, .number
            )
        case .bool?:
            return (
                { _ throws(NumericBail) in
                    if case .bool(let b)? = pointer.pointee { return b ? 1 : 0 }
                    throw NumericBail()
                }, .bool
            )
        default:
            throw NumericUnsupported()
        }
    }

    func global(_ name: String) throws(NumericUnsupported) -> UnsafeMutablePointer<Value?> {
        do { return machine.globals.values + (try machine.globals.slot(name)) } catch { throw NumericUnsupported() }
    }

    func unary(_ op: UnaryOperator, _ operand: Expr, _ scope: inout NumericScope) throws(NumericUnsupported) -> (
        NumericCode, NumericType
    ) {
        switch op {
        case .plus: return (try number(operand, &scope), .number)
        case .negate:
            let a = try number(operand, &scope)
            return ({ frame throws(NumericBail) in -(try a(frame)) }, .number)
        case .not:
            let a = try bool(operand, &scope)
            return ({ frame throws(NumericBail) in try a(frame) == 0 ? 1 : 0 }, .bool)
        }
    }

    /// `lhs op rhs` on numbers — arithmetic, or a comparison giving 1 or 0 —
    /// with a local or literal operand read in place.
    func operation(_ op: BinaryOperator, _ lhs: Expr, _ rhs: Expr, _ scope: inout NumericScope)
        throws(NumericUnsupported) -> (NumericCode, NumericType)
    {
        let operands = (scope.operand(lhs), scope.operand(rhs))
        let (a, b) = (try number(lhs, &scope), try number(rhs, &scope))
        switch op {
        case .add: return (NumericNode<Addition>.code(a, b, operands), .number)
        case .subtract: return (NumericNode<Subtraction>.code(a, b, operands), .number)
        case .multiply: return (NumericNode<Multiplication>.code(a, b, operands), .number)
        case .divide: return (NumericNode<Division>.code(a, b, operands), .number)
        case .power, .modulo: return ({ frame throws(NumericBail) in op(try a(frame), try b(frame)) }, .number)
        case .less: return (NumericNode<Less>.code(a, b, operands), .bool)
        case .lessEqual: return (NumericNode<LessEqual>.code(a, b, operands), .bool)
        case .greater: return (NumericNode<Greater>.code(a, b, operands), .bool)
        case .greaterEqual: return (NumericNode<GreaterEqual>.code(a, b, operands), .bool)
        case .equal: return (NumericNode<Equal>.code(a, b, operands), .bool)
        case .notEqual: return (NumericNode<NotEqual>.code(a, b, operands), .bool)
        default: throw NumericUnsupported()
        }
    }

    /// `and` / `or` on bools, short-circuiting: what the right side assigns
    /// may not have happened afterwards.
    func logical(_ isAnd: Bool, _ lhs: Expr, _ rhs: Expr, _ scope: inout NumericScope) throws(NumericUnsupported)
        -> NumericCode
    {
        let a = try bool(lhs, &scope)
        let assigned = scope.assigned
        let b = try bool(rhs, &scope)
        scope.assigned = assigned
        if isAnd { return { frame throws(NumericBail) in try a(frame) != 0 ? try b(frame) : 0 } }
        return { frame throws(NumericBail) in try a(frame) != 0 ? 1 : try b(frame) }
    }

    /// `if c { t } else { o }`: both branches of one type; afterwards only what
    /// both assigned counts as assigned.
    func ifElse(_ condition: Expr, _ then: Expr, _ otherwise: Expr, _ scope: inout NumericScope)
        throws(NumericUnsupported) -> (NumericCode, NumericType)
    {
        let c = try bool(condition, &scope)
        let before = scope.assigned
        let (t, thenType) = try expression(then, &scope)
        let afterThen = scope.assigned
        scope.assigned = before
        let (o, otherType) = try expression(otherwise, &scope)
        scope.assigned.formIntersection(afterThen)
        guard thenType == otherType else { throw NumericUnsupported() }
        return ({ frame throws(NumericBail) in try c(frame) != 0 ? try t(frame) : try o(frame) }, thenType)
    }

    /// Statements in order; the value is the last one's.
    func block(_ statements: [Statement], _ scope: inout NumericScope) throws(NumericUnsupported) -> (
        NumericCode, NumericType
    ) {
        var codes: [NumericCodeBox] = []
        var type = NumericType.number
        for statement in statements {
            let code: NumericCode
            switch statement.kind {
            case .expression(let e): (code, type) = try expression(e, &scope)
            case .assign(let name, let value):
                if case .lambda(let lambda) = value.kind {
                    (code, type) = (try lambdaAssignment(name, value, lambda, &scope), .none)
                } else {
                    (code, type) = try assignment(name, value, &scope)
                }
            case .assignIndex: throw NumericUnsupported()
            }
            codes.append(NumericCodeBox(code))
        }
        switch codes.count {
        case 0: return ({ _ in 0 }, .none)
        case 1: return (codes[0].run, type)
        case 2:
            let (first, second) = (codes[0].run, codes[1].run)
            return (
                { frame throws(NumericBail) in
                    _ = try first(frame)
                    return try second(frame)
                }, type
            )
        default:
            let boxes = codes
            return (
                { frame throws(NumericBail) in
                    var last = 0.0
                    for box in boxes { last = try box.run(frame) }
                    return last
                }, type
            )
        }
    }

    /// `name = value` into a local, which keeps one type throughout the function.
    func assignment(_ name: String, _ value: Expr, _ scope: inout NumericScope) throws(NumericUnsupported) -> (
        NumericCode, NumericType
    ) {
        guard let slot = scope.slots[name] else { throw NumericUnsupported() }
        let (v, type) = try expression(value, &scope)
        guard type != .none else { throw NumericUnsupported() }
        if let known = scope.types[name], known != type { throw NumericUnsupported() }
        scope.types[name] = type
        scope.assigned.insert(name)
        return (
            { frame throws(NumericBail) in
                let x = try v(frame)
                frame[slot] = x
                return x
            }, type
        )
    }
}

extension NumericCompiler {
    /// `f(a, b)` where `f` is a global user function the kernel covers: a
    /// dependency of the kernel on that global still holding it.
    func call(_ callee: Expr, _ arguments: [Argument], _ scope: inout NumericScope) throws(NumericUnsupported) -> (
        NumericCode, NumericType
    ) {
        guard case .name(let name) = callee.kind, arguments.allSatisfy({ $0.name == nil }) else {
            throw NumericUnsupported()
        }
        var codes: [NumericCodeBox] = []
        for argument in arguments { codes.append(NumericCodeBox(try number(argument.value, &scope))) }
        let target: NumericFunction
        if scope.slots[name] != nil {
            // A local: only a lambda assigned on every path to here.
            guard let made = scope.lambdas[name], scope.assigned.contains(name), case .lambda(let lambda) = made.kind,
                lambda.parameters.count == arguments.count
            else { throw NumericUnsupported() }
            target = try function(ObjectIdentifier(made), lambda)
        } else {
            let pointer = try global(name)
            guard case .function(let function)? = pointer.pointee, let user = function.user,
                user.parameters.count == arguments.count
            else { throw NumericUnsupported() }
            target = try self.function(user)
            dependencies.append(NumericDependency(slot: pointer, user: user))
        }
        if !target.isCompiled { target.isAssumed = true }
        guard let code = NumericCall.code(machine.gate, target.body, codes, offset: scope.size) else {
            throw NumericUnsupported()
        }
        return (code, target.type)
    }
}

/// A kernel expression held in a class, so that an array of them stores a
/// concrete function type (see `CompiledCode`).
final class NumericCodeBox {
    let run: NumericCode

    init(_ run: @escaping NumericCode) {
        self.run = run
    }

    /// The code's value or bail-out, returned rather than thrown so that a caller
    /// holding the box unretained can call it inside `_withUnsafeGuaranteedRef`.
    @inline(__always)
    func result(_ frame: UnsafeMutablePointer<Double>) -> Result<Double, NumericBail> {
        do throws(NumericBail) { return .success(try run(frame)) } catch { return .failure(error) }
    }
}

/// What a kernel compiler knows of one function body's variables.
struct NumericScope {
    /// Parameters first, then every name the body assigns (as `Compiler` lays out frames).
    var slots: [String: Int] = [:]
    /// Each variable's type, fixed by its first assignment (parameters: numbers).
    var types: [String: NumericType] = [:]
    /// Variables assigned on every path to the code being compiled.
    var assigned: Set<String> = []
    /// Locals holding a lambda (of type `.none`), with the lambda's expression.
    var lambdas: [String: Expr] = [:]
    /// Slots in a frame.
    var size: Int { slots.count }

    init(parameters: [String], body: Expr) throws(NumericUnsupported) {
        // Two parameters of one name would share a slot.
        guard Set(parameters).count == parameters.count else { throw NumericUnsupported() }
        for name in parameters + Compiler.assignedNames(in: body) where slots[name] == nil {
            slots[name] = slots.count
        }
        for name in parameters {
            types[name] = .number
            assigned.insert(name)
        }
    }

    /// An operand a node can read in place.
    func operand(_ e: Expr) -> NumericOperand? {
        switch e.kind {
        case .number(let x): return .constant(x)
        case .name(let name):
            guard let slot = slots[name], assigned.contains(name), types[name] == .number else { return nil }
            return .local(slot)
        default: return nil
        }
    }
}
