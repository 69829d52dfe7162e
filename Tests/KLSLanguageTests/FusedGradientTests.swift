import Foundation
import KLSDiagnostics
import KLSTensor
import Testing

@testable import KLSLanguage

/// `grad` through fused tensor code (`FusedGradient`) against the eager tape:
/// every program runs with fusion and without. The functions' values agree to
/// the bit. The gradient of a tensor over the rows that one fused node reads
/// agrees to the bit too (each element's chain rule is the eager one, its
/// shares added in the eager order). Otherwise the additions are grouped
/// differently — shares from two fused nodes added node by node, a block's
/// matrix product, sums over the rows for a tensor broadcast into every row
/// (a bias, a layer's weights) added block by block — and gradients agree to
/// rounding: within 1e-12 of the largest element.
@Suite struct FusedGradientTests {
    struct Outcome {
        var error: String?
        var tensors: [String: Tensor] = [:]
        var programs = 0
    }

    static func run(_ source: String, fused: Bool) -> Outcome {
        let counter = EvaluationCounter()
        var outcome = DeferredTensor.$evaluations.withValue(counter) {
            DeferredTensor.withFusion(fused) {
                let session = Interpreter(seed: 1, environment: CapturedEnvironment())
                var outcome = Outcome()
                do {
                    for statement in try Parser.parse(source) { _ = try session.execute(statement) }
                } catch let error as KLSError {
                    outcome.error = "\(error.kind) \(error.message)"
                } catch {
                    outcome.error = "\(error)"
                }
                for (name, value) in session.globals.assigned {
                    if case .tensor(let t)? = try? value.settled() { outcome.tensors[name] = t }
                    if case .number(let x)? = try? value.settled() { outcome.tensors[name] = Tensor(scalar: x) }
                }
                return outcome
            }
        }
        outcome.programs = counter.programs
        return outcome
    }

    /// Runs `source` both ways. Variables named `value…` or `exact…` must agree
    /// to the bit, the others to rounding (see the suite).
    func check(_ source: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let fused = Self.run(source, fused: true)
        let eager = Self.run(source, fused: false)
        #expect(fused.programs > 0, "nothing fused", sourceLocation: sourceLocation)
        #expect(fused.error == eager.error, "\(source)", sourceLocation: sourceLocation)
        #expect(fused.tensors.keys.sorted() == eager.tensors.keys.sorted(), sourceLocation: sourceLocation)
        for (name, expected) in eager.tensors {
            guard let got = fused.tensors[name] else { continue }
            let exact = name.hasPrefix("value") || name.hasPrefix("exact")
            #expect(
                Self.agree(got, expected, exact: exact), "\(name) differs\n\(source)", sourceLocation: sourceLocation)
        }
    }

    static func agree(_ a: Tensor, _ b: Tensor, exact: Bool) -> Bool {
        guard a.shape == b.shape else { return false }
        let (x, y) = (a.values, b.values)
        if exact { return zip(x, y).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) } }
        let scale = y.filter(\.isFinite).map(abs).max() ?? 0
        return zip(x, y).allSatisfy { p, q in
            if p.isNaN || q.isNaN || p.isInfinite || q.isInfinite { return p.isNaN == q.isNaN && (p == q || p.isNaN) }
            return abs(p - q) <= 1e-12 * Swift.max(scale, Double.leastNormalMagnitude)
        }
    }

    @Test func aLayerWrittenAsTensorCode() {
        check(
            """
            x = randn([20011, 8], seed=1)
            eps = randn([20011, 8], seed=4)
            f = w -> mean(tanh(x @ w.W.T + w.b) ^ 2 + 0.5 * sigmoid(x[:, 0:8] * w.b) - exp(0.1 * w.b) * eps)
            w = {W: reshape(sin(arange(64)) * 0.3, [8, 8]), b: cos(arange(8))}
            value = f(w)
            r = value_and_grad(f)(w)
            value_inside = r.value
            gW = r.grad.W
            gb = r.grad.b
            """)
    }

    @Test func everyFusedFormUnderGrad() {
        check(
            """
            x = randn([20011, 8], seed=1)
            h = v -> sum(logsumexp(x * v, axis=1)) + logsumexp(x * v) + sum(maximum(x, v) * v) \\
                + sum(where(x > 0, x * v, -v)) + mean(minimum(x * v, 0.5)) + sum(pow(abs(x) + 1, v)) \\
                + sum(x[:, 2] * v[1]) + mean(sum((x - v) ^ 2, axis=-1, keepdims=true))
            v = sin(arange(8)) + 0.2
            value = h(v)
            g = grad(h)(v)
            """)
    }

    @Test func tensorsOverTheRowsGetExactGradients() {
        check(
            """
            eps = randn([20011, 8], seed=2)
            k = z -> mean(z * z * 3 + sin(z) - exp(0.1 * z) * eps + where(z > 1, tanh(z), z) * eps[:, 0:8])
            z = randn([20011, 8], seed=1)
            value = k(z)
            exact = grad(k)(z)
            m = z -> sum(tanh(z) @ reshape(cos(arange(64)), [8, 8])) + mean(z * eps)
            value_m = m(z)
            through_product = grad(m)(z)
            """)
    }

    @Test func aVariableHeldAcrossStatementsAndReadTwice() {
        check(
            """
            x = randn([20011, 4], seed=3)
            f(p) = { h = tanh(x * p[0] + p[1]); s = sum(h * h); t = h @ reshape(arange(16) * 0.1, [4, 4]); \\
                s + mean(t) + sum(h[:, 1]) }
            p = [0.7, -0.2]
            value = f(p)
            g = grad(f)(p)
            """)
    }

    @Test func fusionBoundariesBecomeOneNode() {
        // cumsum does not fuse: its traced deferred argument becomes one tape node.
        check(
            """
            x = randn([20011, 8], seed=3)
            f = v -> sum(cumsum(exp(x * v) - v, axis=0)[-1]) + sum(sort(tanh(x * v), axis=1)[:, 0])
            v = cos(arange(8))
            value = f(v)
            g = grad(f)(v)
            """)
    }

    /// The blocks' sums are grouped by the row count alone: the same bits on any number of cores.
    @Test func oneWorkerGivesTheSameBits() {
        let program = """
            x = randn([30011, 8], seed=3)
            f = w -> mean(tanh(x @ w.W + w.b) ^ 2) + logsumexp(x * w.b)
            w = {W: reshape(sin(arange(64)) * 0.3, [8, 8]), b: cos(arange(8))}
            r = value_and_grad(f)(w)
            value = r.value
            exact_W = r.grad.W
            exact_b = r.grad.b
            """
        let both = Self.run(program, fused: true)
        let one = Parallel.withWorkers(1) { Self.run(program, fused: true) }
        #expect(one.programs > 0)
        #expect(one.tensors.keys.sorted() == both.tensors.keys.sorted())
        for (name, t) in both.tensors {
            #expect(one.tensors[name].map { Self.agree($0, t, exact: true) } == true, "\(name)")
        }
    }

    /// Random chains over a traced per-column vector `c` and the rows `x`.
    @Test func randomProgramsAgree() {
        var generator = ProgramGenerator(seed: 31)
        for round in 0..<24 {
            let (rows, width) = [(9001, 8), (22001, 3), (70001, 1), (1030, 64)][round % 4]
            var program = "x = randn([\(rows), \(width)], seed=\(round))\n"
            program += "c = sin(arange(\(width)) + 1)\nr = rand([\(rows), 1], seed=\(round + 100))\n"
            program += "W = reshape(cos(arange(\(width * width))) * 0.5, [\(width), \(width)])\n"
            let a = generator.tensorExpression(depth: 3, names: ["x", "c", "r"])
            let b = generator.tensorExpression(depth: 3, names: ["x", "a", "r", "c"])
            let over = round % 3 == 2 ? "x" : "c"
            program += "f(x, c) = { a = \(a); b = \(b); sum(b) * 1e-3 + mean(a) + logsumexp(b * 0.01) }\n"
            program += "value = f(x, c)\n"
            program += over == "x" ? "gx = grad(f, argnums=0)(x, c)\n" : "gc = grad(f, argnums=1)(x, c)\n"
            check(program)
        }
    }
}
