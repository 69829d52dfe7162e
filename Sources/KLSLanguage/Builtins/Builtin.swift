import KLSDiagnostics
import KLSTensor

/// One parameter of a builtin: required, optional with a default, or variadic.
public struct Parameter: Sendable {
    /// The name, usable as a keyword.
    public let name: String
    /// The default; nil for a required parameter.
    public let defaultValue: Value?
    /// True for `args...`, which collects the remaining positional arguments.
    public let isVariadic: Bool
    /// True for `name=...`, which collects every keyword argument no other
    /// parameter takes, in order, as a record.
    public let collectsKeywords: Bool
    /// The values a string parameter takes (`estimator`: "k1", "k2", …), for
    /// completion and help; empty when any value goes.
    public let choices: [String]
    /// What the parameter means, for help; empty when the shared meaning of
    /// its name (`ParameterGlossary`) says it.
    public private(set) var doc: String = ""

    init(
        name: String, defaultValue: Value?, isVariadic: Bool, collectsKeywords: Bool = false, choices: [String] = []
    ) {
        self.name = name
        self.defaultValue = defaultValue
        self.isVariadic = isVariadic
        self.collectsKeywords = collectsKeywords
        self.choices = choices
    }

    /// The same parameter with its own meaning, where its name's shared one
    /// does not fit (`n` of `eye` is a size, not a number of draws).
    public func meaning(_ doc: String) -> Parameter {
        var copy = self
        copy.doc = doc
        return copy
    }

    /// What help says the parameter is: its own meaning, else its name's, and
    /// the values it takes when they are enumerated.
    public var explanation: String? {
        guard let meaning = doc.isEmpty ? ParameterGlossary.meaning(of: name) : doc else { return nil }
        guard !choices.isEmpty else { return meaning }
        return meaning + " (" + choices.map { "\"\($0)\"" }.joined(separator: ", ") + ")"
    }

    /// A required parameter.
    public static func required(_ name: String) -> Parameter {
        Parameter(name: name, defaultValue: nil, isVariadic: false)
    }

    /// An optional parameter with a default.
    public static func optional(_ name: String, _ defaultValue: Value = .none) -> Parameter {
        Parameter(name: name, defaultValue: defaultValue, isVariadic: false)
    }

    /// An optional string parameter that takes one of `choices`.
    public static func optional(_ name: String, _ defaultValue: Value, choices: [String]) -> Parameter {
        Parameter(name: name, defaultValue: defaultValue, isVariadic: false, choices: choices)
    }

    /// A parameter that collects any number of positional arguments.
    public static func variadic(_ name: String) -> Parameter {
        Parameter(name: name, defaultValue: .list([]), isVariadic: true)
    }

    /// A parameter that collects the keyword arguments no other parameter takes.
    public static func keywords(_ name: String) -> Parameter {
        Parameter(name: name, defaultValue: .record(Record([])), isVariadic: false, collectsKeywords: true)
    }

    /// `x`, `axis=none`, `args...`, `name=...` as shown in help.
    public var display: String {
        if isVariadic { return "\(name)..." }
        if collectsKeywords { return "\(name)=..." }
        return defaultValue.map { "\(name)=\(Formatter().inline($0))" } ?? name
    }
}

/// Where a builtin belongs in `:help`.
public enum Theme: String, Sendable, CaseIterable {
    case tensors = "Tensors"
    case elementwise = "Element-wise"
    case reductions = "Reductions and scans"
    case random = "Random"
    case distributions = "Distributions"
    case divergence = "KL divergence"
    case linearAlgebra = "Linear algebra"
    case gradients = "Gradients"
    case plots = "Plots"
    case files = "Files"
    case misc = "Misc"
}

/// A builtin function: everything about it in one declaration. The registry
/// feeds the interpreter, `help`/`:help` and tab completion from these.
public struct Builtin: Sendable {
    /// The name users call.
    public let name: String
    /// Parameters in positional order.
    public let parameters: [Parameter]
    /// One line of help.
    public let summary: String
    /// A short example, runnable as written.
    public let example: String
    /// The help section.
    public let theme: Theme
    /// More help: what the result's fields mean, when to distrust them. Prose,
    /// written in source lines and reflowed to the terminal when shown: a
    /// line starts a new paragraph only when it is not indented and the line
    /// before it ended a sentence; otherwise it continues that paragraph.
    public let details: [String]
    /// The implementation; arguments arrive bound to `parameters`.
    public let body: @Sendable (inout Arguments, Interpreter) throws(KLSError) -> Value
    /// How gradients pass through it under `grad`; nil: not differentiable.
    public private(set) var derivative: Derivative?
    /// True when the body takes deferred tensors (`Value.deferred`) as they
    /// are — element-wise functions, reductions, random draws — and so can
    /// extend or stream them; every other builtin gets its arguments computed.
    public private(set) var fuses = false
    /// Whether its derivative rule takes traced deferred tensors as they are
    /// and extends their graph (`Fusion`): the element-wise functions, `pow`,
    /// `maximum`, `minimum`, `where` and the reductions. Every other builtin
    /// gets a traced deferred argument as one node on the tape (`FusedGradient`).
    public private(set) var fusesTraced = false

    /// Declares a builtin.
    public init(
        _ name: String, _ parameters: [Parameter], theme: Theme, summary: String, example: String,
        details: [String] = [],
        body: @escaping @Sendable (inout Arguments, Interpreter) throws(KLSError) -> Value
    ) {
        self.name = name
        self.parameters = parameters
        self.summary = summary
        self.example = example
        self.theme = theme
        self.details = details
        self.body = body
    }

    /// The same builtin, differentiable by `rule`.
    func differentiable(_ rule: Derivative?) -> Builtin {
        var copy = self
        copy.derivative = rule
        return copy
    }

    /// The same builtin, taking deferred tensors as they are (see `fuses`), and
    /// under `grad` too when `traced` (see `fusesTraced`).
    func fusing(traced: Bool = false) -> Builtin {
        var copy = self
        copy.fuses = true
        copy.fusesTraced = traced
        return copy
    }

    /// `name(x, axis=none)`.
    public var signature: String {
        "\(name)(\(parameters.map(\.display).joined(separator: ", ")))"
    }

    /// `details` joined into paragraphs (see `details`), one line each.
    var paragraphs: [String] {
        var joined: [String] = []
        for line in details {
            let text = line.trimmingCharacters(in: .whitespaces)
            if let last = joined.last, line.hasPrefix(" ") || !last.hasSuffix(".") {
                joined[joined.count - 1] = last + " " + text
            } else {
                joined.append(text)
            }
        }
        return joined
    }

    /// The help text: signature, summary, each parameter and what it means
    /// (a table: the meanings wrap under their column), details, example.
    public var help: String {
        let width = parameters.map { $0.display.count }.max() ?? 0
        let table = parameters.map { p in
            "    " + p.display.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + (p.explanation ?? "")
        }
        let sections = [[signature, "  " + summary], table, paragraphs.map { "  " + $0 }, ["  example: " + example]]
        return sections.filter { !$0.isEmpty }.map { $0.joined(separator: "\n") }.joined(separator: "\n")
    }
}

/// The arguments of one builtin call, bound to parameter names, with typed
/// accessors whose errors name the function and the parameter.
public struct Arguments {
    /// The builtin being called, for messages.
    public let function: String
    let names: [String]
    var values: [Value]
    let ranges: [SourceRange?]

    /// Computes every deferred tensor among the values, for a builtin that
    /// does not fuse; an error points at its argument.
    mutating func settle() throws(KLSError) {
        guard let first = values.firstIndex(where: { if case .deferred = $0 { true } else { false } }) else { return }
        do {
            try Value.settle(&values)
        } catch {
            throw ranges[first].map { error.located(at: $0) } ?? error
        }
    }

    private func position(_ name: String) -> Int {
        names.firstIndex(of: name) ?? 0
    }

    /// The bound value of parameter `name` (its default when not passed).
    public subscript(name: String) -> Value {
        values[position(name)]
    }

    /// True when the parameter holds `none`.
    public func isNone(_ name: String) -> Bool {
        if case .none = self[name] { return true }
        return false
    }

    /// Runs a conversion, pointing any error at the argument and naming it.
    public func read<T>(_ name: String, _ convert: (Value, String) throws(KLSError) -> T) throws(KLSError) -> T {
        do {
            return try convert(self[name], "\(function): \(name)")
        } catch {
            throw ranges[position(name)].map { error.located(at: $0) } ?? error
        }
    }

    /// Parameter `name` as a tensor.
    public func tensor(_ name: String) throws(KLSError) -> Tensor {
        try read(name) { v, what throws(KLSError) in try v.asTensor(what) }
    }

    /// Parameter `name` as a tensor, moved out of the arguments (which then hold
    /// `none` there) so that a temporary's buffer can be reused for the result.
    public mutating func takeTensor(_ name: String) throws(KLSError) -> Tensor {
        let i = position(name)
        let value = values[i]
        values[i] = .none
        do {
            if case .tensor = value { return try value.takeTensor() }
            return try value.asTensor("\(function): \(name)")
        } catch {
            values[i] = value
            throw ranges[i].map { error.located(at: $0) } ?? error
        }
    }

    /// Parameter `name` as one number.
    public func number(_ name: String) throws(KLSError) -> Double {
        try read(name) { v, what throws(KLSError) in try v.asNumber(what) }
    }

    /// Parameter `name` as a whole number ≥ `minimum`.
    public func integer(_ name: String, atLeast minimum: Int = Int.min) throws(KLSError) -> Int {
        try read(name) { v, what throws(KLSError) in try v.asInteger(what, atLeast: minimum) }
    }

    /// Parameter `name` as a bool.
    public func bool(_ name: String) throws(KLSError) -> Bool {
        try read(name) { v, what throws(KLSError) in
            guard case .bool(let b) = v else {
                if case .number(let n) = v, n == 0 || n == 1 { return n == 1 }
                throw KLSError("\(what) must be true or false, got \(v.typeName)")
            }
            return b
        }
    }

    /// Parameter `name` as a shape.
    public func shape(_ name: String) throws(KLSError) -> [Int] {
        try read(name) { v, what throws(KLSError) in try v.asShape(what) }
    }

    /// Parameter `name` as a string.
    public func string(_ name: String) throws(KLSError) -> String {
        try read(name) { v, what throws(KLSError) in try v.asString(what) }
    }

    /// Parameter `name` as axes: none (all), a number, or a list of numbers.
    public func axes(_ name: String = "axis") throws(KLSError) -> [Int]? {
        try read(name) { v, what throws(KLSError) in
            if case .none = v { return nil }
            return try v.asIntegers(what)
        }
    }

    /// Parameter `name` as an optional single axis.
    public func axis(_ name: String = "axis") throws(KLSError) -> Int? {
        if isNone(name) { return nil }
        return try integer(name)
    }

    /// The variadic parameter's values.
    public func rest(_ name: String) -> [Value] {
        if case .list(let list) = self[name] { return list.items }
        return []
    }
}
