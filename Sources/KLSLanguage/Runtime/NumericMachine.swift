import KLSDiagnostics
import KLSTensor

/// Why a numeric kernel stopped early: a global changed type, the recursion got
/// too deep, Ctrl-C. The general path then runs the call again from its start,
/// which is safe because a kernel has no effects (see `NumericCompiler`), and
/// gives the error, with its traceback, exactly as it always has.
struct NumericBail: Error {}

/// A compiled numeric expression: reads and writes its call's frame of doubles
/// and gives a number, or a bool as 0 or 1.
typealias NumericCode = (UnsafeMutablePointer<Double>) throws(NumericBail) -> Double

/// The fast tier for user functions of numbers (docs/architecture.md §numeric
/// tier): calls whose arguments are all numbers run a kernel compiled from the
/// function's syntax in which values are unboxed doubles in a stack of their
/// own, and a call is a pointer bump — no `Value`, no reference counting, no
/// frame objects. Everything else, and every call the tier declines or bails
/// out of, runs on the general path, which stays the definition of what a call
/// means.
///
/// Like the interpreter, used by one thread at a time.
final class NumericMachine {
    /// Doubles in the kernels' stack: frames of up to `largestFrame` slots.
    static let stackSize = 1 << 17
    /// The most slots a kernel's frame may have.
    static let largestFrame = 256
    /// Kernel builds one function may cost (each redefinition of a function it
    /// calls, or a global it reads, can make its kernel stale) before it keeps
    /// to the general path.
    static let buildLimit = 8
    /// Bail-outs one function may cost before it keeps to the general path.
    static let bailLimit = 16

    /// The session's globals, which kernels read and whose functions they call.
    /// Unowned: the interpreter owns both, and kernels — kept in the functions
    /// the globals hold — reach neither strongly (that would be a cycle).
    unowned(unsafe) let globals: Globals
    /// Tells this session's kernels from another's (a function value can be
    /// handed from one session to another; its kernel reads the first's globals).
    let serial = UInt64.random(in: 1...UInt64.max)
    /// The kernels' stack (its pages are touched only as deep as kernels go).
    let stack: UnsafeMutablePointer<Double>
    /// The tier's counters, in memory of their own, like `CallStack`'s, to keep
    /// run-time exclusivity checks off every call.
    let words: NumericCounters
    /// Whether calls may use the tier (tests compare both paths).
    var isEnabled = true

    /// The checks of each kernel call, over `words` and `stack`.
    let gate: NumericGate

    init(globals: Globals) {
        self.globals = globals
        words = NumericCounters()
        stack = .allocate(capacity: Self.stackSize)
        gate = NumericGate(words: words, limit: stack + (Self.stackSize - Self.largestFrame))
    }

    deinit {
        words.deallocate()
        stack.deallocate()
    }

    /// Calls that ran in the tier to the end.
    var completedCalls: Int { words.completedCalls }

    /// Whether a call of `user` may run in the tier, if its arguments are numbers.
    @inline(__always)
    func offers(_ user: UserFunction) -> Bool {
        isEnabled && words.suspensions == 0 && user.numeric.pointee.status != .declined
            && user.parameters.count <= Self.largestFrame
    }

    /// Runs `user` in the tier with the arguments in `frame`'s parameter slots,
    /// at call depth `depth`: `.declined` when they are not all numbers or the
    /// function has no kernel, `.bailed` when the kernel stopped early.
    func run(_ user: UserFunction, _ frame: Frame, depth: Int, floor: UInt) -> NumericOutcome {
        guard offers(user) else { return .declined }
        for i in 0..<user.parameters.count {
            guard case .number(let x)? = frame.slots[i] else { return .declined }
            stack[i] = x
        }
        return run(user, depth: depth, floor: floor)
    }

    /// Runs `user` in the tier with its `count` arguments, the first of `numbers`.
    func run(_ user: UserFunction, numbers: NumericArguments, count: Int, depth: Int, floor: UInt)
        -> NumericOutcome
    {
        guard offers(user), count == user.parameters.count, count <= 4 else { return .declined }
        (stack[0], stack[1], stack[2], stack[3]) = numbers.values
        return run(user, depth: depth, floor: floor)
    }

    /// Runs `user`'s kernel on the arguments at the bottom of the stack.
    private func run(_ user: UserFunction, depth: Int, floor: UInt) -> NumericOutcome {
        guard let kernel = kernel(for: user) else { return .declined }
        words.depth = 0
        words.maximumDepth = Interpreter.maximumCallDepth - depth
        words.stackFloor = floor
        do {
            let result = try kernel.root.run(stack)
            words.completedCalls &+= 1
            return .value(kernel.returnsBool ? .bool(result != 0) : .number(result))
        } catch {
            user.numeric.pointee.bails += 1
            if user.numeric.pointee.bails >= Self.bailLimit { decline(user) }
            return .bailed
        }
    }

    /// Runs `body` — the general path's run of a call the tier bailed out of —
    /// with the tier off: the calls inside it would mostly bail out again (too
    /// deep, a global of another type), each after running its kernel.
    func suspended<T>(_ body: () throws(KLSError) -> T) throws(KLSError) -> T {
        words.suspensions += 1
        defer { words.suspensions -= 1 }
        return try body()
    }

    /// `user`'s kernel, built when it has none or when the functions it calls
    /// have been redefined since.
    private func kernel(for user: UserFunction) -> NumericKernel? {
        let state = user.numeric
        if let kernel = state.pointee.kernel, kernel.serial == serial, kernel.isCurrent { return kernel }
        state.pointee.kernel = nil
        guard state.pointee.builds < Self.buildLimit else {
            decline(user)
            return nil
        }
        state.pointee.builds += 1
        guard let kernel = NumericCompiler(machine: self).build(user) else { return nil }
        state.pointee.kernel = kernel
        return kernel
    }

    private func decline(_ user: UserFunction) {
        user.numeric.pointee.kernel = nil
        user.numeric.pointee.status = .declined
    }
}

/// The checks every kernel call makes, over the machine's memory: kernels hold
/// this, not the machine, so a call retains nothing.
struct NumericGate {
    /// The machine's counters.
    let words: NumericCounters
    /// Where the last frame may start.
    let limit: UnsafeMutablePointer<Double>

    /// Counts a kernel call: fails when it goes deeper than the general path
    /// allows, past the kernels' stack, near the native stack's floor, or after
    /// Ctrl-C — each of which the general path then reports. The last two are
    /// polled every 16 levels of depth (16 kernel frames take far less native
    /// stack than `StackGuard.margin`) and every 1024 calls.
    @inline(__always)
    func enter(_ frame: UnsafeMutablePointer<Double>) throws(NumericBail) {
        words.depth &+= 1
        words.steps &+= 1
        guard words.depth <= words.maximumDepth, frame <= limit else { throw NumericBail() }
        if words.depth & 15 == 0 || words.steps & 1023 == 0 { try poll() }
    }

    /// Counts a loop iteration: Ctrl-C is polled every 1024 (with the calls).
    @inline(__always)
    func iterate() throws(NumericBail) {
        words.steps &+= 1
        if words.steps & 1023 == 0 { try poll() }
    }

    @inline(never)
    private func poll() throws(NumericBail) {
        if StackGuard.position() < words.stackFloor { throw NumericBail() }
        do { try Cancellation.check() } catch { throw NumericBail() }
    }

    /// Ends a kernel call.
    @inline(__always)
    func leave() {
        words.depth &-= 1
    }
}

/// The numeric tier's counters, each a word of memory the machine owns.
struct NumericCounters {
    private let base: UnsafeMutablePointer<Int>

    init() {
        base = .allocate(capacity: 6)
        base.initialize(repeating: 0, count: 6)
    }

    func deallocate() { base.deallocate() }

    /// Nested kernel calls under way.
    var depth: Int {
        @inline(__always) get { base[0] }
        @inline(__always) nonmutating set { base[0] = newValue }
    }
    /// The most nested calls the general path would allow from where the tier was entered.
    var maximumDepth: Int {
        @inline(__always) get { base[1] }
        @inline(__always) nonmutating set { base[1] = newValue }
    }
    /// The native stack's floor: below it, a kernel call bails out.
    var stackFloor: UInt {
        @inline(__always) get { UInt(bitPattern: base[2]) }
        @inline(__always) nonmutating set { base[2] = Int(bitPattern: newValue) }
    }
    /// Calls the tier has run to the end (for tests).
    var completedCalls: Int {
        @inline(__always) get { base[3] }
        @inline(__always) nonmutating set { base[3] = newValue }
    }
    /// Kernel calls and loop iterations, which set when Ctrl-C is polled.
    var steps: Int {
        @inline(__always) get { base[4] }
        @inline(__always) nonmutating set { base[4] = newValue }
    }
    /// General-path runs under way of calls that bailed out (the tier is off meanwhile).
    var suspensions: Int {
        @inline(__always) get { base[5] }
        @inline(__always) nonmutating set { base[5] = newValue }
    }
}

/// Up to four number arguments of a call, held without an array.
struct NumericArguments {
    var values: (Double, Double, Double, Double) = (0, 0, 0, 0)

    subscript(_ i: Int) -> Double {
        get {
            switch i {
            case 0: return values.0
            case 1: return values.1
            case 2: return values.2
            default: return values.3
            }
        }
        set {
            switch i {
            case 0: values.0 = newValue
            case 1: values.1 = newValue
            case 2: values.2 = newValue
            default: values.3 = newValue
            }
        }
    }
}

/// What came of offering a call to the tier.
enum NumericOutcome {
    /// The call's value.
    case value(Value)
    /// Not for the tier: the general path runs it.
    case declined
    /// The kernel stopped early: the general path runs it again, without the tier.
    case bailed
}

/// What the tier knows of one user function, kept in memory the function owns.
struct NumericState {
    enum Status { case open, declined }
    /// `.declined` once the function has cost too many builds or bail-outs.
    var status = Status.open
    /// The kernel last built, if any.
    var kernel: NumericKernel? = nil
    /// Kernels built so far.
    var builds = 0
    /// Calls that bailed out so far.
    var bails = 0
}

/// A user function's kernel, with the kernels of the functions it calls and
/// what must still hold for them to be its callees' current definitions.
final class NumericKernel {
    /// The function's own compiled body.
    let root: NumericFunction
    /// Every function compiled with it (kept alive: call nodes point into them).
    let functions: [NumericFunction]
    /// The global slots the kernels call through, each with the function it held.
    let dependencies: [NumericDependency]
    /// Whether the function gives a bool.
    let returnsBool: Bool
    /// The machine that built it (`NumericMachine.serial`), the only one that may run it.
    let serial: UInt64

    init(root: NumericFunction, functions: [NumericFunction], dependencies: [NumericDependency], serial: UInt64) {
        self.serial = serial
        self.root = root
        self.functions = functions
        self.dependencies = dependencies
        self.returnsBool = root.type == .bool
    }

    /// Whether every global it calls through still holds the function it was
    /// compiled with (a call between redefinitions would otherwise run the old one).
    var isCurrent: Bool {
        for dependency in dependencies {
            if dependency.isBuiltin {
                guard case nil = dependency.slot.pointee else { return false }
                continue
            }
            guard let expected = dependency.user, case .function(let function)? = dependency.slot.pointee,
                function.user === expected
            else { return false }
        }
        return true
    }
}

/// A global slot that held `user` when a kernel calling through it was built,
/// or that was empty, leaving its name to the builtin the kernel runs itself.
struct NumericDependency {
    let slot: UnsafeMutablePointer<Value?>
    /// Weak: the function's own kernel may depend on it (recursion).
    weak var user: UserFunction?
    /// Whether the slot must stay empty.
    let isBuiltin: Bool

    init(slot: UnsafeMutablePointer<Value?>, user: UserFunction) {
        self.slot = slot
        self.user = user
        isBuiltin = false
    }

    init(builtin slot: UnsafeMutablePointer<Value?>) {
        self.slot = slot
        isBuiltin = true
    }
}

/// One function's kernel body. Calls reach it through memory of its own, so
/// that a recursive call can be compiled before the body it calls is; nothing
/// runs before every body of a build is compiled.
final class NumericFunction {
    /// The compiled body, unretained (`box` owns it): a call loads it without
    /// the retain and release a closure loaded from memory costs.
    let body: UnsafeMutablePointer<Unmanaged<NumericCodeBox>>
    /// What the body gives; for a function still being compiled, what callers assume.
    var type: NumericType
    /// Whether a call was compiled while the body was not, assuming `type`.
    var isAssumed = false
    /// The compiled body, owned.
    private var box: NumericCodeBox? = nil

    /// Whether the body has been compiled.
    var isCompiled: Bool { box != nil }

    init(type: NumericType) {
        self.type = type
        body = .allocate(capacity: 1)
    }

    /// Stores the compiled body.
    func compiled(_ code: @escaping NumericCode) {
        let box = NumericCodeBox(code)
        self.box = box
        body.initialize(to: .passUnretained(box))
    }

    /// Runs the body.
    @inline(__always)
    func run(_ frame: UnsafeMutablePointer<Double>) throws(NumericBail) -> Double {
        try body.pointee.takeUnretainedValue().run(frame)
    }

    deinit {
        body.deallocate()
    }
}
