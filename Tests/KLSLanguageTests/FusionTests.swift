import Foundation
import KLSDiagnostics
import KLSTensor
import Testing

@testable import KLSLanguage

/// Fused element-wise chains (`DeferredTensor`) against the eager kernels: every
/// program runs twice, with fusion and without, and must show the same values,
/// leave every variable's elements the same to the bit, and raise the same errors.
@Suite struct FusionTests {
    /// What a run shows, its error, and each variable's shape and elements'
    /// bit patterns (hashed, FNV-1a, so that a failure prints a line, not a tensor).
    struct Outcome: Equatable {
        var shown: [String] = []
        var error: String? = nil
        var variables: [String: String] = [:]
        /// Graphs the run evaluated (none without fusion).
        var programs = 0
    }

    static func run(_ source: String, fused: Bool) -> Outcome {
        let counter = EvaluationCounter()
        var outcome = DeferredTensor.$evaluations.withValue(counter) { run(source, fusedHere: fused) }
        outcome.programs = counter.programs
        return outcome
    }

    static func run(_ source: String, fusedHere fused: Bool) -> Outcome {
        DeferredTensor.withFusion(fused) {
            let session = Interpreter(seed: 1, environment: CapturedEnvironment())
            session.formatter = Formatter(precision: 17)
            var outcome = Outcome()
            do {
                for statement in try Parser.parse(source) {
                    if let value = try session.execute(statement) {
                        outcome.shown.append(session.formatter.format(value))
                    }
                }
            } catch let error as KLSError {
                outcome.error = "\(error.kind) \(error.message) at \(String(describing: error.range))"
            } catch {
                outcome.error = "\(error)"
            }
            for (name, value) in session.globals.assigned {
                guard case .tensor(let t)? = try? value.settled() else { continue }
                let hash = t.values.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ $1.bitPattern) &* 0x100_0000_01b3 }
                outcome.variables[name] = "\(t.shape) \(String(hash, radix: 16))"
            }
            return outcome
        }
    }

    /// Runs `source` both ways: the same outcome; with `deferring`, the fused
    /// run evaluated a graph.
    func check(_ source: String, deferring: Bool = true, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        var fused = Self.run(source, fused: true)
        let eager = Self.run(source, fused: false)
        #expect(eager.programs == 0, sourceLocation: sourceLocation)
        #expect((fused.programs > 0) == deferring, "graphs: \(fused.programs)", sourceLocation: sourceLocation)
        fused.programs = 0
        #expect(fused == eager, "\(source)", sourceLocation: sourceLocation)
    }

    @Test func chainsAndReductionsAgreeBitForBit() {
        check("x = randn([9001, 8], seed=1)\ny = exp(x) * 2 + 1\nsum(y)\nmean(y)\nz = sum(y * x, axis=-1)")
        check("x = randn(70001, seed=2)\ny = tanh(x) / (1 + x ^ 2) - log1p(abs(x))\nsum(y)\ny[5]")
        check("x = randn([9001, 8], seed=1)\nlogsumexp(x * 30)\nlogsumexp(log(x))\nlogsumexp(x, keepdims=true)")
        check("x = randn([9001, 8], seed=1)\nlogsumexp(where(x > 3, 1 / 0, x))\nlogsumexp(-1 / 0 + x)")
        // Rows of three: blocks start at multiples of eight rows, not of eight elements.
        check("x = rand([30001, 3], seed=3)\ny = log(x) * [1, 2, 3] - sqrt(x)\nmean(y)\nw = max(y, axis=1)")
    }

    @Test func productsBroadcastsAndSelection() {
        check(
            """
            W = reshape(sin(arange(64)) * 0.3, [8, 8])
            b = cos(arange(8))
            x = randn([10007, 8], seed=4)
            h = tanh(x @ W.T + b)
            g = where(h > 0, h, 0.1 * h) + x[:, 0:1]
            c = clip(g, -0.5, 0.5)
            m = maximum(c, -x) - minimum(h, 0.25)
            mean(sum(m * m, axis=-1))
            """)
    }

    @Test func columnsOfEveryRow() {
        check("x = randn([40000, 5], seed=7) * 2\na = x[:, 1:3] + 1\nb = x[:, -1] * x[:, 0]\nc = x[:, 4:2]\nsum(a + 1)")
        check("x = exp(randn([40000, 5], seed=7))\na = x[:, 5]", deferring: true)
        check("x = exp(randn([40000, 5], seed=7))\na = x[:, ::2]\nb = x[0:10, 1]\nsum(a) + sum(b)")
    }

    @Test func functionsThatEndInAReduction() {
        check(
            """
            lp(z, m, lv) = sum(-0.5 * ((z - m) ^ 2 * exp(-lv) + lv + log(2 * pi)), axis=-1)
            model(n) = {
                e1 = randn([n, 8], seed=1)
                z1 = 0.1 + exp(0.5 * -0.2) * e1
                m2 = tanh(z1 @ reshape(cos(arange(64)), [8, 8]))
                lv2 = tanh(z1) - 0.7
                z2 = m2 + exp(0.5 * lv2) * randn([n, 8], seed=2)
                mean(lp(z1, 0.1, -0.2) + lp(z2, m2, lv2) - lp(z1, 0, 0) - lp(z2, 0.5 * tanh(z1), 0))
            }
            model(20000)
            model(8192)
            k = () -> model(9000)
            k()
            """)
    }

    @Test func valuesReadTogetherShareTheirGraph() {
        check(
            """
            W = reshape(sin(arange(64)), [8, 8])
            g(x) = { h = tanh(x @ W); [h * 2, h + 1, exp(x[:, 0])] }
            r = g(randn([9000, 8], seed=3))
            a = r[0]
            b = r[1]
            d = DiagNormal(g(randn([20000, 8], seed=4))[0], logvar=tanh(randn([20000, 8], seed=4) @ W))
            m = d.mean
            """)
    }

    @Test func valuesReadTwiceAreKept() {
        // The second sum finds x streamed once and keeps its elements.
        check("x = randn([20000, 8], seed=5) * 3\nsum(x)\nsum(x)\ny = x + 1\nsum(y)")
        check("x = randn(100000, seed=6)\ns = 0\nfor i in arange(3) { s = s + sum(exp(x) * i) }\ns", deferring: true)
    }

    @Test func oneWorkerGivesTheSameBits() {
        let program = """
            f(n) = { z = 0.3 + exp(-0.1) * randn([n, 8], seed=9); h = tanh(z @ reshape(cos(arange(64)), [8, 8]))
                [sum(h * z), logsumexp(h), mean(sum(z ^ 2, axis=-1))] }
            f(30011)
            y = exp(randn([9001, 3], seed=2)) - 1
            """
        let both = Self.run(program, fused: true)
        let one = Parallel.withWorkers(1) { Self.run(program, fused: true) }
        #expect(one == both)
        #expect(one.programs > 0)
    }

    @Test func builtinsThatCallFunctionsGetComputedValues() {
        check("r = map(i -> randn([9000, 8], seed=i) * 2, [1, 2])\nr[1]\nm = map(i -> exp(randn([9000, i])), [8, 9])")
        check("g = value_and_grad(v -> sum(v * 2) + 0 * sum(exp(randn([9000, 8], seed=1))))\ng([1, 2])")
    }

    @Test func smallTensorsStayEager() {
        check("x = randn([100, 8], seed=1)\ny = exp(x) * 2\nsum(y)", deferring: false)
    }

    @Test func errorsAreTheEagerOnes() {
        check("x = randn([10000, 8], seed=1)\ny = x + [1, 2, 3]", deferring: true)
        check("x = randn([10000, 8], seed=1)\ny = exp(x)\ny @ ones([3, 3])", deferring: true)
        check("x = randn([10000, 8], seed=1) * 2\nif x { 1 }", deferring: true)
    }

    /// Random chains over [rows, width] operands: leaves deferred and concrete,
    /// per-column and per-row broadcasts, scalars, and every fused form.
    @Test func randomProgramsAgree() {
        var generator = ProgramGenerator(seed: 29)
        for round in 0..<40 {
            let (rows, width) = [(9001, 8), (22001, 3), (70001, 1), (1030, 64)][round % 4]
            var program = "x = randn([\(rows), \(width)], seed=\(round))\n"
            program += "c = sin(arange(\(width)) + 1)\nr = rand([\(rows), 1], seed=\(round + 100))\n"
            program += "W = reshape(cos(arange(\(width * width))) * 0.5, [\(width), \(width)])\n"
            let a = generator.tensorExpression(depth: 4, names: ["x", "c", "r"])
            let b = generator.tensorExpression(depth: 4, names: ["x", "a", "r", "c"])
            if round % 2 == 0 {
                program += "a = \(a)\nb = \(b)\nsum(b)\nmean(a)\ns = sum(b, axis=-1)\nlogsumexp(b * 0.01)\n"
            } else {
                // Inside a function the chains stay deferred across statements.
                program += "f(x, c, r) = { a = \(a); b = \(b); s = sum(b, axis=-1); "
                program += "{sum: sum(b), mean: mean(a), lse: logsumexp(b * 0.01), s: s, b: b} }\n"
                program += "out = f(x, c, r)\nout.sum\nout.mean\nout.lse\ns = out.s\nb = out.b\n"
            }
            var fused = Self.run(program, fused: true)
            let eager = Self.run(program, fused: false)
            #expect(fused.programs > 0)
            fused.programs = 0
            #expect(fused == eager, "\(program)")
        }
    }
}

extension ProgramGenerator {
    /// An expression of the leaves' broadcast shape over every fused form.
    mutating func tensorExpression(depth: Int, names: [String]) -> String {
        let leaves = names + ["2", "-0.5", "rand(x.shape, seed=7)"]
        if depth == 0 { return leaves[next(leaves.count)] }
        let e = { (g: inout ProgramGenerator) in g.tensorExpression(depth: depth - 1, names: names) }
        switch next(8) {
        case 0: return leaves[next(leaves.count)]
        case 1, 2:
            let op = ["+", "-", "*", "/", "^", "%", "<", ">=", "=="][next(9)]
            return "(\(e(&self)) \(op) \(e(&self)))"
        case 3:
            let function = ["exp", "log", "tanh", "sqrt", "abs", "sin", "log1p", "expm1", "sigmoid", "softplus"][
                next(10)]
            return "\(function)(\(e(&self)))"
        case 4: return "-\(e(&self))"
        case 5: return "where(\(e(&self)) > 0, \(e(&self)), \(e(&self)))"
        case 6: return "((\(e(&self)) + x) @ W)"
        default:
            let function = ["maximum", "minimum", "pow"][next(3)]
            return "\(function)(\(e(&self)), \(e(&self)))"
        }
    }
}
