import KLSDiagnostics
import KLSTensor

extension Compiler {
    /// One closure per expression node; each form has its own short function.
    mutating func compile(_ expr: Expr) throws(KLSError) -> Code {
        let range = expr.range
        switch expr.kind {
        case .number(let x): return constant(.number(x))
        case .string(let s): return constant(.string(Text(small: s)))
        case .bool(let b): return constant(.bool(b))
        case .none: return constant(.none)
        case .name(let name): return try read(name, range: range)
        case .bracket(let items): return try bracket(items, range: range)
        case .unary(let op, let operand): return try unary(op, operand, range: range)
        case .binary(let op, let lhs, let rhs): return try binary(op.kernel, lhs, rhs, range: range)
        case .compare(let op, let lhs, let rhs): return try compare(op.kernel, lhs, rhs, range: range)
        case .logical(let isAnd, let lhs, let rhs): return try logical(isAnd: isAnd, lhs, rhs, range: range)
        case .matmul(let lhs, let rhs): return try matmul(lhs, rhs, range: range)
        case .call(let callee, let arguments): return try call(callee, arguments, range: range)
        case .index(let target, let components): return try index(target, components, range: range)
        case .member(let target, let name): return try member(target, name, range: range)
        case .lambda(let l): return try lambda(l, range: range)
        case .block(let statements): return try block(statements)
        case .ifElse(let condition, let then, let otherwise): return try ifElse(condition, then, otherwise)
        case .forLoop(let variable, let sequence, let body):
            return try forLoop(variable, sequence, body, range: range)
        case .whileLoop(let condition, let body): return try whileLoop(condition, body)
        case .loopExit(let isBreak): return try loopExit(isBreak: isBreak, range: range)
        case .recordLiteral(let fields): return try recordLiteral(fields)
        }
    }

    func constant(_ value: Value) -> Code {
        { _ in value }
    }

    mutating func unary(_ op: UnaryOperator, _ operand: Expr, range: SourceRange) throws(KLSError) -> Code {
        let a = try compile(operand)
        return { frame throws(KLSError) in
            let v = try a(frame)
            return try at(range) { () throws(KLSError) in try Operators.unary(op, v) }
        }
    }

    mutating func binary(_ op: BinaryOperator, _ lhs: Expr, _ rhs: Expr, range: SourceRange) throws(KLSError)
        -> Code
    {
        if let code = try arithmetic(op, lhs, rhs, range: range, into: nil) { return code }
        let a = try compile(lhs)
        let b = try compile(rhs)
        return { frame throws(KLSError) in
            let x = try a(frame)
            let y = try b(frame)
            if case .number(let p) = x, case .number(let q) = y { return .number(op(p, q)) }
            // Handing over ownership lets a temporary operand's buffer hold the result.
            do throws(KLSError) { return try Operators.arithmetic(op, consume x, consume y) } catch {
                throw error.located(at: range)
            }
        }
    }

    /// `lhs op rhs` for the four arithmetic operators, or nil for other
    /// operators. With `target`, the code stores the result in that local slot
    /// and gives none: `s = s + i` as one node.
    mutating func arithmetic(
        _ op: BinaryOperator, _ lhs: Expr, _ rhs: Expr, range: SourceRange, into target: Int?
    ) throws(KLSError) -> Code? {
        // Decided before compiling the operands: a caller given nil compiles
        // them itself, and compiling them twice at every level of a nested
        // `^` would cost 2^depth.
        guard [.add, .subtract, .multiply, .divide].contains(op) else { return nil }
        let (a, b) = (try compile(lhs), try compile(rhs))
        let fused = (operand(lhs), operand(rhs))
        switch op {
        case .add: return NumberNode<Addition>(a, b, fused, op, range).code(into: target)
        case .subtract: return NumberNode<Subtraction>(a, b, fused, op, range).code(into: target)
        case .multiply: return NumberNode<Multiplication>(a, b, fused, op, range).code(into: target)
        case .divide: return NumberNode<Division>(a, b, fused, op, range).code(into: target)
        default: return nil
        }
    }

    mutating func compare(_ op: BinaryOperator, _ lhs: Expr, _ rhs: Expr, range: SourceRange) throws(KLSError)
        -> Code
    {
        let a = try compile(lhs)
        let b = try compile(rhs)
        let slow: Code = { frame throws(KLSError) in
            let x = try a(frame)
            let y = try b(frame)
            if case .number(let p) = x, case .number(let q) = y { return .bool(op(p, q) != 0) }
            return try at(range) { () throws(KLSError) in try Operators.compare(op, x, y) }
        }
        // A local against a number literal (`n < 2`) reads the slot itself.
        switch (operand(lhs), operand(rhs)) {
        case (.local(let i)?, .constant(let q)?):
            return { frame throws(KLSError) in
                if case .number(let p)? = frame.slots[i] { return .bool(op(p, q) != 0) }
                return try slow(frame)
            }
        case (.constant(let p)?, .local(let j)?):
            return { frame throws(KLSError) in
                if case .number(let q)? = frame.slots[j] { return .bool(op(p, q) != 0) }
                return try slow(frame)
            }
        default:
            return slow
        }
    }

    mutating func matmul(_ lhs: Expr, _ rhs: Expr, range: SourceRange) throws(KLSError) -> Code {
        let a = try compile(lhs)
        let b = try compile(rhs)
        return { frame throws(KLSError) in
            let x = try a(frame)
            let y = try b(frame)
            return try at(range) { () throws(KLSError) in
                if Fusion.carriesTrace(x) || Fusion.carriesTrace(y) { return try Differentiation.matmul(x, y) }
                if let fused = try Fusion.product(x, y) { return fused }
                return Value.from(
                    try Tensor.matmul(try x.asTensor("left operand of @"), try y.asTensor("right operand of @")))
            }
        }
    }

    mutating func member(_ target: Expr, _ name: String, range: SourceRange) throws(KLSError) -> Code {
        let a = try compile(target)
        return { frame throws(KLSError) in
            let v = try a(frame)
            return try at(range) { () throws(KLSError) in
                // A deferred tensor's shape is known without computing it.
                if case .deferred(let d) = v, let known = try Members.shapeMember(d.shape, name) { return known }
                return try Members.member(try v.settled(), name)
            }
        }
    }

    mutating func ifElse(_ condition: Expr, _ then: Expr, _ otherwise: Expr?) throws(KLSError) -> Code {
        let c = try compile(condition)
        let t = try compile(then)
        let o = try otherwise.map { e throws(KLSError) in try compile(e) }
        let conditionRange = condition.range
        let otherwise: Code = o ?? { _ in .none }
        return { frame throws(KLSError) in
            let test = try c(frame)
            if case .bool(let holds) = test { return holds ? try t(frame) : try otherwise(frame) }
            if try at(conditionRange, { () throws(KLSError) in try test.asBool("if condition") }) {
                return try t(frame)
            }
            return try otherwise(frame)
        }
    }

    /// A block's statements in order; its value is the last one's. With
    /// `discarding`, the value is not needed (a loop body), so assignments skip
    /// returning a copy of what they stored.
    mutating func block(_ statements: [Statement], discarding: Bool = false) throws(KLSError) -> Code {
        if statements.isEmpty { return { _ in .none } }
        // Closures taken out of an array come back wrapped in reabstraction thunks;
        // a one-statement block (the common loop body) compiles to its statement's
        // closure, longer ones keep theirs in boxes of concrete type.
        if statements.count == 1 { return try compile(statements[0], discarding: discarding) }
        var boxes: [CompiledCode] = []
        for (i, s) in statements.enumerated() {
            boxes.append(CompiledCode(try compile(s, discarding: discarding || i < statements.count - 1)))
        }
        return { frame throws(KLSError) in
            var last = Value.none
            for box in boxes { last = try box.run(frame) }
            return last
        }
    }

    /// An operand whose read can be fused into an operator node.
    enum Operand {
        case local(Int)
        case constant(Double)
    }

    func operand(_ e: Expr) -> Operand? {
        switch e.kind {
        case .number(let v): return .constant(v)
        case .name(let name):
            if let scope, let slot = scope.slots[name] { return .local(slot) }
            return nil
        default: return nil
        }
    }

    /// `[a, b]`: a tensor when every element is numeric (stacked, so nested
    /// brackets make matrices), otherwise a list.
    mutating func bracket(_ items: [Expr], range: SourceRange) throws(KLSError) -> Code {
        let literals = items.compactMap { e -> Double? in
            if case .number(let v) = e.kind { return v } else { return nil }
        }
        if literals.count == items.count {
            let constant = Value.tensor(try at(range) { () throws(KLSError) in try Tensor(literals) })
            return { _ in constant }
        }
        var codes: [Code] = []
        for item in items { codes.append(try compile(item)) }
        // Items of different shapes make a list (so `concat([x, y])` and
        // `concat([[1, 2], [3]])` work).
        return { frame throws(KLSError) in
            var values: [Value] = []
            values.reserveCapacity(codes.count)
            for code in codes { values.append(try code(frame)) }
            // A list holds computed values (see `Value.deferred`).
            try at(range) { () throws(KLSError) in try Value.settle(&values) }
            if values.contains(where: { if case .traced = $0 { return true } else { return false } }) {
                return try at(range) { () throws(KLSError) in try Differentiation.stack(values) }
            }
            // A ragged literal is a list (NumPy would need dtype=object); using it
            // where a tensor is needed says it is ragged.
            let stacked = try at(range) { () throws(KLSError) in try Value.stackIfNumeric(values, raggedIsList: true) }
            if let stacked { return .tensor(stacked) }
            return .list(try at(range) { () throws(KLSError) in try List(values) })
        }
    }

    /// `and` / `or`: short-circuit on scalars, element-wise on tensors.
    mutating func logical(isAnd: Bool, _ lhs: Expr, _ rhs: Expr, range: SourceRange) throws(KLSError) -> Code {
        let a = try compile(lhs)
        let b = try compile(rhs)
        return { frame throws(KLSError) in
            let x = try at(lhs.range) { () throws(KLSError) in try a(frame).settled() }
            if case .tensor(let t) = x, t.count != 1 {
                let y = try b(frame)
                return try at(range) { () throws(KLSError) in
                    try Operators.arithmetic(isAnd ? .logicalAnd : .logicalOr, x, y)
                }
            }
            let left = try at(lhs.range) { () throws(KLSError) in try x.asBool("operand of '\(isAnd ? "and" : "or")'") }
            if left != isAnd { return .bool(left) }
            let y = try at(rhs.range) { () throws(KLSError) in try b(frame).settled() }
            if case .tensor(let t) = y, t.count != 1 {
                return try at(range) { () throws(KLSError) in
                    try Operators.arithmetic(isAnd ? .logicalAnd : .logicalOr, x, y)
                }
            }
            return .bool(
                try at(rhs.range) { () throws(KLSError) in try y.asBool("operand of '\(isAnd ? "and" : "or")'") })
        }
    }

    mutating func call(_ callee: Expr, _ arguments: [Argument], range: SourceRange) throws(KLSError) -> Code {
        let f = try compile(callee)
        var positional: [Code] = []
        var keywords: [(String, Code)] = []
        for argument in arguments {
            let code = try compile(argument.value)
            if let name = argument.name { keywords.append((name, code)) } else { positional.append(code) }
        }
        let ranges: [SourceRange?] = arguments.map(\.value.range)
        let keywordRanges: [SourceRange?] = arguments.filter { $0.name != nil }.map(\.nameRange)
        let calleeRange = callee.range
        let interpreter = self.interpreter
        var shadowHint: String? = nil
        if case .name(let name) = callee.kind, BuiltinRegistry.builtin(name) != nil {
            shadowHint = "'\(name)' is a variable here, hiding the builtin \(name); rename the variable"
        }
        /// The error of a call, located at it; one from inside a user function
        /// points into its body, so the call is noted for the traceback.
        func locate(_ error: KLSError, _ function: Function) -> KLSError {
            var located = error.located(at: range)
            if case .user(let user) = function.body, error.range != nil, error.range != range {
                located.trace.append((range, user.name ?? "lambda"))
            }
            return located
        }
        return { frame throws(KLSError) in
            let target = try f(frame)
            guard case .function(let function) = target else {
                throw KLSError("this is a \(target.typeName), not a function", range: calleeRange, hint: shadowHint)
            }
            if keywords.isEmpty, let user = function.user, user.parameters.count == positional.count {
                return try Compiler.callByPosition(user, positional, interpreter, frame) { error in
                    locate(error, function)
                }
            }
            var values: [Value] = []
            values.reserveCapacity(positional.count)
            for code in positional { values.append(try code(frame)) }
            var named: [(String, Value)] = []
            for (name, code) in keywords { named.append((name, try code(frame))) }
            // A builtin's warnings come from this call (restored after: a builtin
            // calling f, whose builtins warn, warns from its own site again).
            let outerSite = interpreter.callSite
            if function.user == nil { interpreter.callSite = range }
            defer { interpreter.callSite = outerSite }
            do throws(KLSError) {
                return try interpreter.call(
                    function, consume values, keywords: named, ranges: ranges, keywordRanges: keywordRanges)
            } catch {
                throw locate(error, function)
            }
        }
    }

    /// The common call — a user function given each parameter by position. Up to
    /// four arguments that are all numbers go to the numeric tier without a
    /// frame; otherwise, or when the tier declines, the arguments go straight
    /// into the callee's frame. Only errors of the call itself pass `locate`.
    @inline(__always)
    static func callByPosition(
        _ user: UserFunction, _ positional: [Code], _ interpreter: Interpreter, _ frame: Frame,
        locate: (KLSError) -> KLSError
    ) throws(KLSError) -> Value {
        let count = positional.count
        guard count <= 4, interpreter.numeric.offers(user) else {
            var callee = interpreter.calls.frame(count: user.slotCount, parent: user.captured)
            for (i, code) in positional.enumerated() { callee.slots[i] = try code(frame) }
            return try enter(user, &callee, interpreter, tier: true, locate: locate)
        }
        var numbers = NumericArguments()
        var given = 0
        var other: Value? = nil
        while given < count, other == nil {
            let value = try positional[given](frame)
            if case .number(let x) = value { numbers[given] = x } else { other = value }
            given += 1
        }
        var outcome = NumericOutcome.declined
        if other == nil {
            do throws(KLSError) {
                outcome = try interpreter.enter(user, numbers: numbers, count: count)
            } catch {
                throw locate(error)
            }
            if case .value(let result) = outcome { return result }
        }
        var callee = interpreter.calls.frame(count: user.slotCount, parent: user.captured)
        for i in 0..<given { callee.slots[i] = .number(numbers[i]) }
        if let other { callee.slots[given - 1] = other }
        for i in given..<count { callee.slots[i] = try positional[i](frame) }
        guard case .bailed = outcome else {
            // The tier has declined, or an argument is not a number.
            return try enter(user, &callee, interpreter, tier: false, locate: locate)
        }
        // The general path without the tier, as `enter` runs a call that bailed out.
        return try interpreter.numeric.suspended { () throws(KLSError) in
            try enter(user, &callee, interpreter, tier: false, locate: locate)
        }
    }

    /// Enters a call whose frame is filled, and keeps the frame when it is free.
    @inline(__always)
    private static func enter(
        _ user: UserFunction, _ callee: inout Frame, _ interpreter: Interpreter, tier: Bool,
        locate: (KLSError) -> KLSError
    ) throws(KLSError) -> Value {
        do throws(KLSError) {
            let result = try interpreter.enter(user, callee, tier: tier)
            interpreter.calls.recycle(&callee)
            return result
        } catch {
            throw locate(error)
        }
    }

    mutating func index(_ target: Expr, _ components: [IndexExpr], range: SourceRange) throws(KLSError) -> Code {
        let t = try compile(target)
        let resolve = try indexComponents(components, range: range)
        // A record takes one field name: w["enc.0.weight"] (names a member cannot spell).
        var key: Code? = nil
        if components.count == 1, case .single(let e) = components[0] { key = try compile(e) }
        return { frame throws(KLSError) in
            let value = try t(frame)
            if case .record = value {
                guard let key else {
                    throw KLSError("a record takes one index, a field name (r[\"name\"])", range: range)
                }
                let name = try key(frame)
                return try at(range) { () throws(KLSError) in try Members.field(value, name) }
            }
            let resolved = try resolve(frame)
            return try at(range) { () throws(KLSError) in
                if case .deferred(let d) = value, let fused = try Fusion.value(try d.indexed(resolved)) { return fused }
                return try Members.index(try value.settled(), resolved)
            }
        }
    }

    /// The components of `x[...]`, compiled: each run gives the concrete index.
    mutating func indexComponents(_ components: [IndexExpr], range: SourceRange) throws(KLSError) -> (
        Frame
    ) throws(KLSError) -> [IndexComponent] {
        var parts: [(Code?, Code?, Code?, isSlice: Bool)] = []
        for component in components {
            switch component {
            case .single(let e): parts.append((try compile(e), nil, nil, false))
            case .slice(let a, let b, let c):
                parts.append(
                    (
                        try a.map { e throws(KLSError) in try compile(e) },
                        try b.map { e throws(KLSError) in try compile(e) },
                        try c.map { e throws(KLSError) in try compile(e) }, true
                    ))
            }
        }
        return { frame throws(KLSError) in
            var resolved: [IndexComponent] = []
            for part in parts {
                func bound(_ code: Code?) throws(KLSError) -> Int? {
                    guard let code else { return nil }
                    let v = try code(frame)
                    if case .none = v { return nil }
                    return try at(range) { () throws(KLSError) in try v.asInteger("index") }
                }
                if part.isSlice {
                    resolved.append(.slice(start: try bound(part.0), stop: try bound(part.1), step: try bound(part.2)))
                } else {
                    guard let i = try bound(part.0) else { throw KLSError("index cannot be none", range: range) }
                    resolved.append(.single(i))
                }
            }
            return resolved
        }
    }

    mutating func forLoop(_ variable: String, _ sequence: Expr, _ body: Expr, range: SourceRange) throws(KLSError)
        -> Code
    {
        let items = try compile(sequence)
        let run = try loopBody(body)
        let setter = try loopSetter(variable)
        let sequenceRange = sequence.range
        return { frame throws(KLSError) in
            let collection = try at(sequenceRange) { () throws(KLSError) in try items(frame).settled() }
            switch collection {
            case .tensor(let t) where t.rank == 1:
                for i in 0..<t.count {
                    // Every 8 iterations: prompt for Ctrl-C even with slow bodies
                    // (which poll again in their own calls), nearly free for fast ones.
                    if i & 7 == 0 { try Cancellation.check() }
                    setter.store(frame, .number(t[flat: i]))
                    if try runOnce(run, frame) { break }
                }
            case .tensor(let t) where t.rank > 1:
                // Rows of an empty tensor cost nothing each, so their number is bounded
                // here; a non-empty tensor's rows are bounded by its own size.
                if t.count == 0 { try at(sequenceRange) { () throws(KLSError) in try Value.checkRows(of: t) } }
                for i in 0..<t.shape[0] {
                    try Cancellation.check()
                    setter.store(frame, .tensor(try at(sequenceRange) { () throws(KLSError) in try t.slice(at: i) }))
                    if try runOnce(run, frame) { break }
                }
            case .list(let values):
                for v in values {
                    try Cancellation.check()
                    setter.store(frame, v)
                    if try runOnce(run, frame) { break }
                }
            default:
                throw KLSError(
                    "cannot iterate over a \(collection.typeName)", range: sequenceRange,
                    hint: collection.isNumeric ? "use arange(n) to count" : nil)
            }
            return .none
        }
    }

    /// A loop body, compiled where `break` and `continue` may appear.
    mutating func loopBody(_ body: Expr) throws(KLSError) -> Code {
        loopDepth += 1
        defer { loopDepth -= 1 }
        if case .block(let statements) = body.kind { return try block(statements, discarding: true) }
        return try compile(body)
    }

    /// `while condition { body }`: its value is none, like `for`'s.
    mutating func whileLoop(_ condition: Expr, _ body: Expr) throws(KLSError) -> Code {
        let test = try compile(condition)
        let run = try loopBody(body)
        let conditionRange = condition.range
        return { frame throws(KLSError) in
            var iteration = 0
            while true {
                if iteration & 7 == 0 { try Cancellation.check() }
                iteration &+= 1
                let value = try test(frame)
                guard try at(conditionRange, { () throws(KLSError) in try value.asBool("while condition") }) else {
                    break
                }
                if try runOnce(run, frame) { break }
            }
            return .none
        }
    }

    /// `break` / `continue`: thrown to the nearest loop, which the compiler has
    /// checked exists in the same function body.
    func loopExit(isBreak: Bool, range: SourceRange) throws(KLSError) -> Code {
        let word = isBreak ? "break" : "continue"
        guard loopDepth > 0 else {
            throw KLSError(
                "'\(word)' outside a loop", kind: .syntax, range: range,
                hint: "\(word) belongs in the body of a for or while loop (not in a function called from one)")
        }
        let signal = KLSError(word, kind: isBreak ? .loopBreak : .loopContinue, range: range)
        return { _ throws(KLSError) in throw signal }
    }

    /// `{a: 1, b: x}`.
    mutating func recordLiteral(_ fields: [(name: String, value: Expr)]) throws(KLSError) -> Code {
        let names = fields.map(\.name)
        var codes: [Code] = []
        for field in fields { codes.append(try compile(field.value)) }
        return { frame throws(KLSError) in
            var values: [Value] = []
            for code in codes { values.append(try code(frame)) }
            // A record holds computed values (see `Value.deferred`).
            try Value.settle(&values)
            return .record(Record(Array(zip(names, values))))
        }
    }

    /// Where the loop variable lives: a frame slot or a global slot.
    func loopSetter(_ name: String) throws(KLSError) -> SlotStore {
        if let scope, let slot = scope.slots[name] { return SlotStore(local: slot) }
        return SlotStore(global: interpreter.globals.values + (try interpreter.globals.slot(name)))
    }
}

/// A variable's storage resolved at compile time, written without a closure call.
struct SlotStore {
    let local: Int
    let global: UnsafeMutablePointer<Value?>?

    init(local: Int) {
        self.local = local
        self.global = nil
    }

    init(global: UnsafeMutablePointer<Value?>) {
        self.local = -1
        self.global = global
    }

    @inline(__always)
    func store(_ frame: Frame, _ value: Value) {
        if let global { global.pointee = value } else { frame.slots[local] = value }
    }
}

/// Runs one iteration of a loop body; true when it executed `break`.
@inline(__always)
func runOnce(_ run: Code, _ frame: Frame) throws(KLSError) -> Bool {
    do {
        _ = try run(frame)
        return false
    } catch {
        switch error.kind {
        case .loopBreak: return true
        case .loopContinue: return false
        default: throw error
        }
    }
}
