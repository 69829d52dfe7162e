import Foundation
import KLSDiagnostics
import Testing

@testable import KLSLanguage

/// The numeric tier (`NumericMachine`) against the general path: every program
/// is run twice, with the tier and without it, and must show the same values
/// and the same errors; the programs it covers must actually run in it.
@Suite struct NumericTierTests {
    /// What a program shows, or its error with location and traceback, and how
    /// many calls the tier completed.
    struct Outcome: Equatable {
        var shown: [String]
        var error: String?
    }

    static func run(_ source: String, tier: Bool) -> (Outcome, calls: Int) {
        // On a thread of its own with room for 10,000 general-path calls even
        // in a debug build, so that a recursion stops at the call-count limit,
        // not where the stack of a test thread runs out (a kernel's frames are
        // smaller, so the two paths would stop at different depths).
        nonisolated(unsafe) var result = (Outcome(shown: [], error: nil), 0)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            result = runHere(source, tier: tier)
            done.signal()
        }
        thread.stackSize = 1 << 29
        thread.start()
        done.wait()
        return result
    }

    static func runHere(_ source: String, tier: Bool) -> (Outcome, Int) {
        let session = Interpreter(seed: 1, environment: CapturedEnvironment())
        session.numeric.isEnabled = tier
        // 17 significant digits tell every double apart: values compare bit for bit.
        session.formatter = Formatter(precision: 17)
        var outcome = Outcome(shown: [], error: nil)
        do {
            for statement in try Parser.parse(source) {
                if let value = try session.execute(statement) {
                    outcome.shown.append(session.formatter.format(value))
                }
            }
        } catch {
            let trace = error.trace.map { "\($0.range) \($0.function)" }
            // A memory error names what the whole process has in use, which the
            // suites running beside this one change: that figure is not compared.
            let message = error.message.replacing(/\ \([0-9.e+]+ (bytes|[KMGTPE]iB) already in use\)/, with: "")
            outcome.error = "\(error.kind) \(message) at \(String(describing: error.range)) \(trace)"
        }
        return (outcome, session.numeric.completedCalls)
    }

    /// Runs `source` both ways: same outcome; `covered` says whether the tier ran.
    func check(_ source: String, covered: Bool, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let (fast, calls) = Self.run(source, tier: true)
        let (general, none) = Self.run(source, tier: false)
        #expect(fast == general, sourceLocation: sourceLocation)
        #expect(none == 0, sourceLocation: sourceLocation)
        #expect((calls > 0) == covered, "tier calls: \(calls)", sourceLocation: sourceLocation)
    }

    /// Runs `source` both ways: same outcome, and `tierCalls` calls completed in the tier.
    func check(_ source: String, tierCalls: Int, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let (fast, calls) = Self.run(source, tier: true)
        let (general, _) = Self.run(source, tier: false)
        #expect(fast == general, sourceLocation: sourceLocation)
        #expect(calls == tierCalls, sourceLocation: sourceLocation)
    }

    @Test func recursionRunsInTheTier() {
        check("fib(n) = if n < 2 { n } else { fib(n - 1) + fib(n - 2) }\nfib(20)\nfib(0.5)\nfib(-3)", covered: true)
        check("fact(n) = if n <= 1 { 1 } else { n * fact(n - 1) }\nfact(20)\nfact(171)", covered: true)
        let ackermann = """
            ack(m, n) = if m == 0 { n + 1 } else { if n == 0 { ack(m - 1, 1) } else { ack(m - 1, ack(m, n - 1)) } }
            ack(2, 3)
            """
        check(ackermann, covered: true)
    }

    @Test func boolsAndMutualRecursion() {
        let program = """
            even(n) = if n == 0 { true } else { odd(n - 1) }
            odd(n) = if n == 0 { false } else { even(n - 1) }
            even(10)
            odd(7)
            both(a, b) = (a > 0 and b > 0) or not (a < b)
            both(1, 2)
            both(-1, -2)
            both(-2, -1)
            """
        check(program, covered: true)
        // The recursive call's bool is first assumed a number, which `not` refuses.
        check("flips(n) = if n < 1 { true } else { not flips(n - 1) }\nflips(5)\nflips(6)", covered: true)
    }

    /// The operators on awkward numbers give what the general path gives, bit for bit.
    @Test func arithmeticAgreesBitForBit() {
        let program = """
            f(a, b) = [a + b, a - b, a * b, a / b, a ^ b, a % b, -a, +b, a < b, a == b, a != b, a >= b]
            g(a, b) = { x = a / b; y = a ^ b; z = a % b; w = -a * b + a - b; x + y * 1e-3 + z - w }
            g(7, 3)
            g(-7.5, 2)
            g(0, 0)
            g(2, 0.5)
            g(-8, 1 / 3)
            g(1e308, 10)
            g(-5, -3)
            """
        check(program, covered: true)
        check("h(a) = a ^ 2 + a ^ 3 + a ^ 0.5 + a ^ -1 + a % 0\nh(-2)\nh(3)", covered: true)
    }

    @Test func localsAndBranches() {
        check("f(x) = { y = x * 2; if y > 3 { z = 1 } else { z = 2 }; y + z }\nf(1)\nf(5)", covered: true)
        // `z` is assigned on one branch only: the general path reports its use.
        check("f(x) = { if x > 0 { z = 1 } else { 0 }; z }\nf(1)\nf(-1)", covered: false)
        check("f(x) = { b = x > 1; if b { 1 } else { 2 } }\nf(2)", covered: true)
    }

    @Test func globalsAreReadAtEachCall() {
        check("c = 5\nh(x) = x + c\nh(1)\nc = 2\nh(1)\nc = [1, 2]\nh(1)\nc = 3\nh(1)", covered: true)
        check("flag = true\nk(x) = if flag { x } else { -x }\nk(2)\nflag = false\nk(2)", covered: true)
    }

    /// A kernel is not used after a function it calls is redefined.
    @Test func redefinitionIsSeen() {
        let program = """
            g(x) = x + 1
            f(x) = g(x) * 2
            f(1)
            g(x) = x + 10
            f(1)
            g(x) = sum([x, 1])
            f(1)
            g = 3
            f(1)
            """
        check(program, covered: true)
    }

    @Test func errorsAreTheGeneralPathsErrors() {
        check("f(n) = f(n + 1)\nf(0)", covered: false)
        check("deep(n) = if n == 0 { 0 } else { 1 + deep(n - 1) }\ndeep(9000)\ndeep(20000)", covered: true)
        check("f(x) = undefined_thing(x)\nf(1)", covered: false)
        check("f(x) = x + 1\nf([1, 2])\nf(\"a\")", covered: false)
        check("f(x) = if x { 1 } else { 2 }\nf(1)", covered: false)
    }

    @Test func uncoveredFormsStayOnTheGeneralPath() {
        check("f(x) = exp(x)\nf(1)", covered: false)
        check("f(x) = { s = 0; for i in [1, 2] { s = s + i }; s + x }\nf(1)", covered: false)
        check("f(x) = { s = 0; for i in arange(3) { s = s + i; if i > 1 { break } }; s + x }\nf(1)", covered: false)
        check("f(x) = { for i in arange(3) { x } }\nf(1)", covered: false)
        check("f(x) = if x > 0 { \"yes\" } else { \"no\" }\nf(1)", covered: false)
        check("make(a) = x -> x + a\nadd2 = make(2)\nadd2(3)", covered: false)
        // A lambda made in a function but reading none of its variables is covered.
        check("c = 1\nmake(a) = x -> x * 2 + c\ntwice = make(2)\ntwice(3)", covered: true)
        check("outer(n) = { inner = x -> x + n; inner(1) }\nouter(2)", covered: false)
        check("f(x, y=2) = x + y\nf(1)\nf(1, y=3)", covered: true)
        check("sq = x -> x * x\nsq(4)\n(() -> sq(3))()", covered: true)
        let tall = "f(x) = " + String(repeating: "x + ", count: 200) + "x\nf(1)"
        check(tall, covered: false)
    }

    @Test func forLoopsOverArange() {
        check("f(n) = { s = 0; for i in arange(n) { s = s + i * 0.1 }; s }\nf(10)\nf(0)\nf(2.5)\nf(-3)", covered: true)
        check("f(a, b) = { s = 0; for i in arange(a, b) { s = s * 2 + i }; s }\nf(-3, 4)\nf(4, -3)", covered: true)
        check(
            "f(a, b, c) = { s = 1; for i in arange(a, b, c) { s = s + i / 3 }; s }\nf(0, 1, 0.1)\nf(5, -5, -0.7)",
            covered: true)
        // The loop variable keeps its last value, or its value before an empty loop.
        check("f(n) = { i = -1; for i in arange(n) { }; i }\nf(3)\nf(0)", covered: true)
        check("f(n) = { t = 0; for i in arange(n) { for j in arange(i) { t = t + i * j } }; t }\nf(7)", covered: true)
        check("f(n) = { k = 0; for i in arange(n) { if i % 3 == 0 { k = k + 1 } }; k }\nf(10)", covered: true)
    }

    @Test func arangeErrorsAreTheGeneralPaths() {
        for bounds in ["0, 1, 0", "1 / 0", "0, 0 / 0", "1e300", "0, 1, 1e-300", "1e12"] {
            check("f() = { s = 0; for i in arange(\(bounds)) { s = s + i }; s }\nf()", covered: false)
        }
        // A global `arange` hides the builtin: the kernel built before it must not run.
        check(
            "f(n) = { s = 0; for i in arange(n) { s = s + i }; s }\nf(4)\narange = x -> [x, x]\nf(4)\n"
                + "arange = 2\nf(4)", covered: true)
        check("f(n) = { arange = 2; s = 0; for i in arange(n) { s = s + i }; s }\nf(4)", covered: false)
    }

    @Test func whileLoopsAndIfStatements() {
        check(
            "f(n) = { k = 0; s = 0; while k < n { k = k + 1; if k % 2 == 0 { s = s + k } }; s }\nf(100)", covered: true)
        check(
            "collatz(n) = { k = 0; while n != 1 { n = if n % 2 == 0 { n / 2 } else { 3 * n + 1 }; k = k + 1 }; k }\n"
                + "collatz(27)", covered: true)
        // What only the body or the then-branch assigns may not have been.
        check("f(n) = { while n < 0 { t = 1; n = n + 1 }; t }\nf(-2)", covered: false)
        check("f(n) = { if n > 0 { t = 1 }; t }\nf(2)", covered: false)
        check("f(n) = { while { m = n * 2; m < 10 } { n = n + 1 }; m }\nf(1)", covered: true)
    }

    @Test func localLambdasThatAreOnlyCalled() {
        check("f() = { g = x -> x * 2 + 1; s = 0; for i in arange(1e4) { s = s + g(i) }; s }\nf()", covered: true)
        check("c = 3\nsq(x) = x * x\nf(y) = { h = (a, b) -> sq(a) + b * c; h(y, 1) + h(1, y) }\nf(2)", covered: true)
        check("f(y) = { g = () -> 7; g() + y }\nf(1)", covered: true)
        // Not covered: reads a local, has a default, escapes, reassigned, wrong
        // arity. The lambdas themselves, called from the general path, may run in
        // the tier: two such calls show that `f` did not (it would count one).
        check("y = 100\nf(y) = { g = x -> x + y; g(1) }\nf(2)", covered: false)
        check("f(y) = { g = (x, k=2) -> x * k; g(y, 3) + g(y, 4) }\nf(2)", tierCalls: 2)
        check("f(y) = { g = x -> x; g }\nf(2)(3)", tierCalls: 1)
        check("f(y) = { g = x -> x; h = g; h(y) + h(y) }\nf(2)", tierCalls: 2)
        check("f(y) = { g = x -> x; g = x -> 2 * x; g(y) + g(y) }\nf(2)", tierCalls: 2)
        check("f(y) = { g = x -> x; g(y, y) }\nf(2)", covered: false)
        check("f(y) = { g = x -> x; s = y; for g in arange(2) { s = s + 1 }; s }\nf(2)", covered: false)
    }

    /// Random programs over everything the tier covers (a fixed seed, so the
    /// same 300 each run): the tier and the general path show the same values.
    @Test func randomProgramsAgree() {
        var generator = ProgramGenerator(seed: 13)
        var covered = 0
        for _ in 0..<300 {
            let f = generator.number(depth: 4, locals: ["a", "b"])
            let g = generator.number(depth: 3, locals: ["a"], calls: true)
            var program = "f(a, b) = \(f)\ng(a) = \(g)\n"
            for (x, y) in [(0.0, 1.0), (2.5, -3.0), (-7.0, 0.0), (1e300, 2.0)] { program += "f(\(x), \(y))\ng(\(x))\n" }
            let (fast, calls) = Self.run(program, tier: true)
            let (general, _) = Self.run(program, tier: false)
            #expect(fast == general, "\(program)")
            covered += calls
        }
        #expect(covered >= 300 * 8)
    }
}

/// Number and bool expressions over the forms the tier covers, from SplitMix64.
struct ProgramGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next(_ n: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(n))
    }

    mutating func number(depth: Int, locals: [String], calls: Bool = false) -> String {
        let leaves = ["0", "1", "-2", "0.5", "3", "1e308", "-0.0"] + locals
        if depth == 0 { return leaves[next(leaves.count)] }
        switch next(calls ? 9 : 6) {
        case 0: return leaves[next(leaves.count)]
        case 1, 2:
            let op = ["+", "-", "*", "/", "^", "%"][next(6)]
            return "(\(number(depth: depth - 1, locals: locals, calls: calls)) \(op) "
                + "\(number(depth: depth - 1, locals: locals, calls: calls)))"
        case 3: return "-\(number(depth: depth - 1, locals: locals, calls: calls))"
        case 4:
            let condition = bool(depth: depth - 1, locals: locals)
            let then = number(depth: depth - 1, locals: locals, calls: calls)
            return "if \(condition) { \(then) } else { \(number(depth: depth - 1, locals: locals, calls: calls)) }"
        case 5:
            let value = number(depth: depth - 1, locals: locals, calls: calls)
            return "{ t = \(value); \(number(depth: depth - 1, locals: locals + ["t"], calls: calls)) }"
        case 6:
            return "f(\(number(depth: depth - 1, locals: locals)), \(number(depth: depth - 1, locals: locals)))"
        case 7:
            let bound = ["0", "3", "2.5", "1, 4", "3, -1, -0.75"][next(5)]
            let start = number(depth: depth - 1, locals: locals)
            let step = number(depth: depth - 1, locals: locals + ["i", "t"], calls: calls)
            return "{ t = \(start); for i in arange(\(bound)) { t = \(step) }; t }"
        default:
            // A local lambda reads only its parameter (and globals).
            let body = number(depth: depth - 1, locals: ["x"], calls: calls)
            return "{ h = x -> \(body); h(\(number(depth: depth - 1, locals: locals))) }"
        }
    }

    mutating func bool(depth: Int, locals: [String]) -> String {
        if depth == 0 { return ["true", "false"][next(2)] }
        switch next(4) {
        case 0:
            let op = ["<", "<=", ">", ">=", "==", "!="][next(6)]
            return "(\(number(depth: depth - 1, locals: locals)) \(op) \(number(depth: depth - 1, locals: locals)))"
        case 1:
            let op = ["and", "or"][next(2)]
            return "(\(bool(depth: depth - 1, locals: locals)) \(op) \(bool(depth: depth - 1, locals: locals)))"
        case 2: return "(not \(bool(depth: depth - 1, locals: locals)))"
        default: return ["true", "false"][next(2)]
        }
    }
}
