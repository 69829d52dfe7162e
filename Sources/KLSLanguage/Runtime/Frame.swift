import KLSDiagnostics
import KLSTensor

/// Compiled code: evaluates in a frame and produces a value.
public typealias Code = (Frame) throws(KLSError) -> Value

/// The local variables of one function call, resolved to slots at compile time,
/// with a link to the frame the function closes over.
public final class Frame: @unchecked Sendable {
    /// The slots; nil means "not assigned yet".
    let slots: UnsafeMutablePointer<Value?>
    /// Number of slots.
    let count: Int
    /// The frame of the enclosing function, for closures.
    let parent: Frame?

    /// A frame of `count` empty slots under `parent`.
    init(count: Int, parent: Frame?) {
        self.count = count
        self.parent = parent
        slots = UnsafeMutablePointer<Value?>.allocate(capacity: Swift.max(count, 1))
        slots.initialize(repeating: nil, count: count)
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    /// The frame `depth` links up the chain.
    @inline(__always)
    func ancestor(_ depth: Int) -> Frame {
        var frame = self
        for _ in 0..<depth {
            guard let up = frame.parent else { return frame }
            frame = up
        }
        return frame
    }
}

/// The session's global variables, in slots that compiled code addresses
/// directly; names are interned once.
public final class Globals: @unchecked Sendable {
    /// The most distinct global names one session can hold.
    public static let capacity = 1 << 16
    /// Slot storage; entries past `names.count` are uninitialized.
    let values: UnsafeMutablePointer<Value?>
    /// Interned names in slot order.
    public private(set) var names: [String] = []
    private var index: [String: Int] = [:]

    init() {
        values = UnsafeMutablePointer<Value?>.allocate(capacity: Globals.capacity)
    }

    deinit {
        values.deinitialize(count: names.count)
        values.deallocate()
    }

    /// The slot for `name`, interning it on first use.
    func slot(_ name: String) throws(KLSError) -> Int {
        if let i = index[name] { return i }
        guard names.count < Globals.capacity else {
            throw KLSError("too many distinct global names (over \(Globals.capacity))", kind: .resource)
        }
        let i = names.count
        (values + i).initialize(to: nil)
        names.append(name)
        index[name] = i
        return i
    }

    /// The value of a global, if assigned.
    public subscript(name: String) -> Value? {
        index[name].flatMap { values[$0] }
    }

    /// Assigns a global.
    public func set(_ name: String, _ value: Value) throws(KLSError) {
        values[try slot(name)] = value
    }

    /// Assigned globals in the order they were first named.
    public var assigned: [(String, Value)] {
        names.enumerated().compactMap { i, name in values[i].map { (name, $0) } }
    }

    /// Forgets every value (names stay interned, since compiled code holds slots).
    public func clear() {
        for i in 0..<names.count { values[i] = nil }
    }
}

/// A function defined by the user: `f(x) = …` or a lambda.
public final class UserFunction: @unchecked Sendable {
    /// The defined name, nil for a lambda.
    public let name: String?
    /// Parameter names in order.
    public let parameters: [String]
    /// Default values, evaluated at definition (nil: required).
    let defaults: [Value?]
    /// Slots the body needs: parameters first, then locals.
    let slotCount: Int
    /// The compiled body.
    let body: Code
    /// The frame the function was defined in, for closures.
    let captured: Frame?
    /// Where the definition is, for tracebacks.
    let range: SourceRange

    init(
        name: String?, parameters: [String], defaults: [Value?], slotCount: Int, body: @escaping Code, captured: Frame?,
        range: SourceRange
    ) {
        self.name = name
        self.parameters = parameters
        self.defaults = defaults
        self.slotCount = slotCount
        self.body = body
        self.captured = captured
        self.range = range
    }

    /// `x, y=2` for display.
    public var parameterList: String {
        zip(parameters, defaults).map { p, d in d.map { "\(p)=\(Formatter().inline($0))" } ?? p }.joined(
            separator: ", ")
    }
}
