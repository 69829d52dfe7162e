import Foundation
import KLSDiagnostics
import KLSTensor

/// A kls session: global variables, the random stream, display settings, and
/// the machinery that compiles statements and runs them.
///
/// ```swift
/// let session = Interpreter(seed: 1, environment: CapturedEnvironment())
/// for statement in try Parser.parse("x = [1, 2]\nsum(x)") {
///     if let value = try session.execute(statement) { print(session.formatter.format(value)) }
/// }
/// ```
public final class Interpreter {
    /// The global variables.
    public let globals = Globals()
    /// The session's random stream (`seed(n)`, `--seed`).
    public var random: RandomStream
    /// Display settings (`:precision`).
    public var formatter = Formatter()
    /// The precision `:reset` returns to (`--precision N`, else 6).
    public var defaultPrecision = 6
    /// Output, warnings, display width, files and the clock: the session's only
    /// ways out (see `Environment`).
    public internal(set) var environment: any Environment
    /// The depth of nested calls, the stack floor and reusable frames.
    let calls = CallStack()
    /// What happens to warnings (`warnings(mode)`).
    public var warningMode = WarningMode.default
    /// The warnings the running statement has shown.
    var warningFilter = WarningFilter()
    /// The call of a builtin being evaluated: where its warnings come from.
    var callSite: SourceRange? = nil
    /// The fast tier for calls of functions of numbers.
    let numeric: NumericMachine
    /// The deepest recursion allowed before a clear error.
    public static let maximumCallDepth = 10_000
    let rootFrame = Frame(count: 0, parent: nil)

    /// A session in `environment`. Without a seed, the stream is seeded from the
    /// environment's clock.
    public init(seed: UInt64? = nil, environment: any Environment) {
        random = RandomStream(seed: seed ?? environment.monotonicNanoseconds())
        self.environment = environment
        numeric = NumericMachine(globals: globals)
        calls.floor = StackGuard.floor()
    }

    /// Runs one statement. Returns the value to display, or nil when the statement
    /// displays nothing (an assignment, a trailing `;`, or a `none` result). A
    /// displayed value becomes `ans` (and `_`, as in Python and Julia).
    /// A warning recurring within the statement (each call in a loop, each step
    /// of `minimize`) is shown once per call site, with a count of the repeats
    /// after the statement (`warnings` chooses otherwise).
    public func execute(_ statement: Statement) throws(KLSError) -> Value? {
        let outerFilter = warningFilter
        warningFilter = WarningFilter()
        defer {
            for line in warningFilter.summary { environment.warn(line) }
            warningFilter = outerFilter
        }
        let value: Value
        do {
            var compiler = Compiler(interpreter: self)
            let code = try compiler.compile(statement)
            calls.depth = 0
            calls.floor = StackGuard.floor()
            let result = try code(rootFrame)
            // A shown value is computed to be shown, a discarded one as eagerly
            // as any other statement's work (its errors are the statement's).
            if case .expression = statement.kind { value = try result.settled() } else { value = result }
        } catch {
            // Every error points somewhere: at worst, the whole statement.
            throw error.located(at: statement.range)
        }
        if statement.silent { return nil }
        if case .expression = statement.kind {} else { return nil }
        if case .none = value { return nil }
        try globals.set("ans", value)
        try globals.set("_", value)
        return value
    }

    /// Reports a warning as `warningMode` says: shown (once per call site and
    /// statement by default), dropped, or thrown as an error. `escalates` false
    /// (a note that an interrupt stopped the work early) is never an error.
    public func warn(_ message: String, escalates: Bool = true) throws(KLSError) {
        switch warningMode {
        case .ignore: return
        case .always: environment.warn(message)
        case .error where escalates:
            throw KLSError(message, hint: "warnings(\"default\") shows warnings instead of stopping at them")
        case .error, .default:
            if warningFilter.admit(message, site: callSite) { environment.warn(message) }
        }
    }

    /// Parses and runs `source`, returning the displayed values (for tests and `-e`).
    @discardableResult
    public func run(_ source: String) throws(KLSError) -> [Value] {
        var shown: [Value] = []
        for statement in try Parser.parse(source) {
            if let value = try execute(statement) { shown.append(value) }
        }
        return shown
    }

    /// Forgets all variables and restores default settings (`:reset`).
    public func reset() {
        globals.clear()
        formatter = Formatter(precision: defaultPrecision)
        warningMode = .default
    }

    /// Calls a function value with positional and keyword arguments. `ranges`
    /// locate the arguments' values, `keywordRanges` the keywords' names.
    public func call(
        _ function: Function, _ positional: consuming [Value], keywords: [(String, Value)] = [],
        ranges: [SourceRange?] = [], keywordRanges: [SourceRange?] = []
    ) throws(KLSError) -> Value {
        switch function.body {
        case .builtin(let builtin):
            var arguments = try bind(builtin, positional, keywords, ranges, keywordRanges)
            if !builtin.fuses { try arguments.settle() }
            if arguments.hasTraced {
                // Most derivative rules read computed tensors, traced deferred ones
                // becoming a node each; those of builtins that fuse under grad
                // (`Builtin.fusesTraced`) extend the fused graph instead.
                if !builtin.fusesTraced { try arguments.settle() }
                return try callDifferentiating(builtin, &arguments)
            }
            let result = try builtin.body(&arguments, self)
            if case .distribution(let made) = result { try made.requireElements() }
            return result
        case .user(let user):
            return try call(user, positional, keywords, keywordRanges: keywordRanges)
        }
    }

    func call(
        _ user: UserFunction, _ positional: [Value], _ keywords: [(String, Value)],
        keywordRanges: [SourceRange?] = []
    ) throws(KLSError) -> Value {
        let label = user.name ?? "lambda"
        guard positional.count <= user.parameters.count else {
            throw KLSError(
                Messages.userArity(
                    label, parameters: user.parameters.count, list: user.parameterList, given: positional.count))
        }
        let frame = Frame(count: user.slotCount, parent: user.captured)
        for (i, value) in positional.enumerated() { frame.slots[i] = value }
        for (k, (name, value)) in keywords.enumerated() {
            let nameRange = k < keywordRanges.count ? keywordRanges[k] : nil
            guard let i = user.parameters.firstIndex(of: name) else {
                throw KLSError(
                    "\(label) has no parameter '\(name)'", range: nameRange,
                    hint: Suggestions.hint(for: name, among: user.parameters))
            }
            guard frame.slots[i] == nil else {
                throw KLSError("\(label) got two values for '\(name)'", range: nameRange)
            }
            frame.slots[i] = value
        }
        for i in 0..<user.parameters.count where frame.slots[i] == nil {
            guard let fallback = user.defaults[i] else {
                throw KLSError("missing argument '\(user.parameters[i])' in call to \(label)(\(user.parameterList))")
            }
            frame.slots[i] = fallback
        }
        return try enter(user, frame)
    }

    /// Runs `user`'s body in `frame`, whose parameter slots are filled: the
    /// depth, stack and Ctrl-C checks every call of a user function makes.
    /// With `tier`, the call is offered to the numeric tier first.
    func enter(_ user: UserFunction, _ frame: Frame, tier: Bool = true) throws(KLSError) -> Value {
        calls.depth += 1
        defer { calls.depth -= 1 }
        try checkCall(user)
        if tier {
            switch numeric.run(user, frame, depth: calls.depth, floor: calls.floor) {
            case .value(let result): return result
            case .declined: break
            case .bailed: return try numeric.suspended { () throws(KLSError) in try user.body(frame) }
            }
        }
        return try user.body(frame)
    }

    /// Fails when the call being entered is too deep or Ctrl-C was pressed.
    @inline(__always)
    private func checkCall(_ user: UserFunction) throws(KLSError) {
        if calls.depth > Interpreter.maximumCallDepth || StackGuard.position() < calls.floor {
            throw KLSError(
                "recursion too deep: \(calls.depth) nested calls (in \(user.name ?? "lambda"))", kind: .resource,
                hint: "check that the recursion has a base case")
        }
        try Cancellation.check()
    }

    /// A call of `user` with its `count` (≤ 4) parameters given by position as
    /// the first `count` of `numbers`, in the numeric tier without a frame: the
    /// same checks as `enter`, then the tier's outcome, which leaves a call it
    /// declines or bails out of to the caller.
    func enter(_ user: UserFunction, numbers: NumericArguments, count: Int) throws(KLSError) -> NumericOutcome {
        calls.depth += 1
        defer { calls.depth -= 1 }
        try checkCall(user)
        return numeric.run(user, numbers: numbers, count: count, depth: calls.depth, floor: calls.floor)
    }

    /// Matches arguments to a builtin's parameters.
    /// Positional values are moved, not copied, so the builtin holds the only
    /// reference to a temporary tensor.
    /// `value` computed (`Value.settled`), an error pointing at `range`.
    static func settled(_ value: Value, at range: SourceRange?) throws(KLSError) -> Value {
        do {
            return try value.settled()
        } catch {
            throw range.map { error.located(at: $0) } ?? error
        }
    }

    func bind(
        _ builtin: Builtin, _ positional: consuming [Value], _ keywords: [(String, Value)], _ ranges: [SourceRange?],
        _ keywordRanges: [SourceRange?] = []
    ) throws(KLSError) -> Arguments {
        let parameters = builtin.parameters
        var values = [Value?](repeating: nil, count: parameters.count)
        var bound = [SourceRange?](repeating: nil, count: parameters.count)
        let variadic = parameters.firstIndex(where: \.isVariadic)
        let given = positional.count
        var rest: [Value] = []
        for i in 0..<given {
            let value = positional[i]
            positional[i] = .none
            if let v = variadic, i >= v {
                // A list holds computed values (see `Value.deferred`).
                rest.append(try Interpreter.settled(value, at: i < ranges.count ? ranges[i] : nil))
                continue
            }
            guard i < parameters.count else {
                throw KLSError(
                    Messages.builtinArity(builtin.name, parameters: parameters.count, given: given),
                    range: i < ranges.count ? ranges[i] : nil, hint: "usage: \(builtin.signature)")
            }
            values[i] = value
            bound[i] = i < ranges.count ? ranges[i] : nil
        }
        if let v = variadic, !rest.isEmpty { values[v] = .list(try List(rest)) }
        let collector = parameters.firstIndex(where: \.collectsKeywords)
        var collected: [(String, Value)] = []
        for (k, (name, value)) in keywords.enumerated() {
            let range = given + k < ranges.count ? ranges[given + k] : nil
            // Errors about the keyword itself point at its name.
            let nameRange = (k < keywordRanges.count ? keywordRanges[k] : nil) ?? range
            let named = parameters.firstIndex { $0.name == name && !$0.isVariadic && !$0.collectsKeywords }
            if named == nil, collector != nil {
                guard !collected.contains(where: { $0.0 == name }) else {
                    throw KLSError("\(builtin.name) got two values for '\(name)'", range: nameRange)
                }
                collected.append((name, try Interpreter.settled(value, at: range)))
                continue
            }
            guard let i = named else {
                throw KLSError(
                    "\(builtin.name) has no parameter '\(name)'", range: nameRange,
                    hint: Suggestions.hint(for: name, among: parameters.map(\.name)) ?? "usage: \(builtin.signature)")
            }
            guard values[i] == nil else {
                throw KLSError("\(builtin.name) got two values for '\(name)'", range: nameRange)
            }
            values[i] = value
            bound[i] = range
        }
        if let c = collector { values[c] = .record(Record(collected)) }
        var filled: [Value] = []
        filled.reserveCapacity(parameters.count)
        for (i, parameter) in parameters.enumerated() {
            guard let value = values[i] ?? parameter.defaultValue else {
                throw KLSError("missing argument '\(parameter.name)' in call to \(builtin.signature)")
            }
            values[i] = nil
            filled.append(value)
        }
        return Arguments(function: builtin.name, names: parameters.map(\.name), values: filled, ranges: bound)
    }
}
