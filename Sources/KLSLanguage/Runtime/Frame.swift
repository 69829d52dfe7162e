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
    /// The frame of the enclosing function, for closures (reset when a pooled
    /// frame is reused).
    fileprivate(set) var parent: Frame?

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

/// What every call of a user function reads and writes — the depth of nested
/// calls, the lowest stack address allowed, and frames of finished calls —
/// kept in memory of its own: writes to a class's stored properties are checked
/// for exclusive access at run time, which cost a sixth of a recursive call.
/// Like the interpreter, used by one thread at a time.
final class CallStack {
    /// Slot counts whose frames are kept, and frames kept per count: deeper
    /// recursions allocate the rest.
    private static let (sizes, keptPerSize) = (16, 256)
    /// depth, floor, then the number of free frames of each slot count.
    private let words: UnsafeMutablePointer<Int>
    /// Free frames, `keptPerSize` places per slot count, each holding one reference.
    private let free: UnsafeMutablePointer<Unmanaged<Frame>>

    init() {
        words = .allocate(capacity: 2 + Self.sizes)
        words.initialize(repeating: 0, count: 2 + Self.sizes)
        free = .allocate(capacity: Self.sizes * Self.keptPerSize)
    }

    deinit {
        for size in 0..<Self.sizes {
            for i in 0..<words[2 + size] { free[size * Self.keptPerSize + i].release() }
        }
        words.deallocate()
        free.deallocate()
    }

    /// Nested user-function calls now running.
    var depth: Int {
        get { words[0] }
        set { words[0] = newValue }
    }

    /// The lowest stack address user calls may reach (see `StackGuard`).
    var floor: UInt {
        get { UInt(bitPattern: words[1]) }
        set { words[1] = Int(bitPattern: newValue) }
    }

    /// A frame of `count` empty slots under `parent`: a kept one when there is
    /// one (no allocation: a frame and its slots were two).
    @inline(__always)
    func frame(count: Int, parent: Frame?) -> Frame {
        if count < Self.sizes, words[2 + count] > 0 {
            words[2 + count] -= 1
            let frame = free[count * Self.keptPerSize + words[2 + count]].takeRetainedValue()
            frame.parent = parent
            return frame
        }
        return Frame(count: count, parent: parent)
    }

    /// Keeps a finished call's frame, emptied, when nothing else refers to it
    /// (no lambda made in the call closes over it).
    @inline(__always)
    func recycle(_ frame: inout Frame) {
        let count = frame.count
        guard count < Self.sizes, words[2 + count] < Self.keptPerSize, isKnownUniquelyReferenced(&frame) else { return }
        for i in 0..<count { frame.slots[i] = nil }
        frame.parent = nil
        free[count * Self.keptPerSize + words[2 + count]] = Unmanaged.passRetained(frame)
        words[2 + count] += 1
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
    /// The definition, for the numeric tier; nil for a closure that reads the
    /// variables of the functions around it (which the tier does not reach).
    let syntax: Lambda?
    /// What the numeric tier knows of the function, in memory of its own (see `CallStack`).
    let numeric: UnsafeMutablePointer<NumericState>

    init(
        name: String?, parameters: [String], defaults: [Value?], slotCount: Int, body: @escaping Code, captured: Frame?,
        range: SourceRange, syntax: Lambda? = nil
    ) {
        self.name = name
        self.parameters = parameters
        self.defaults = defaults
        self.slotCount = slotCount
        self.body = body
        self.captured = captured
        self.range = range
        self.syntax = syntax
        numeric = .allocate(capacity: 1)
        numeric.initialize(to: NumericState())
    }

    deinit {
        numeric.deinitialize(count: 1)
        numeric.deallocate()
    }

    /// `x, y=2` for display.
    public var parameterList: String {
        zip(parameters, defaults).map { p, d in d.map { "\(p)=\(Formatter().inline($0))" } ?? p }.joined(
            separator: ", ")
    }
}
