import Foundation
import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// The f-divergence of a user's own f: D_f(q‖p) = E_p[f(q/p)] (f convex with
/// f(1) = 0), for `divergence_mc` and `divergence_quad` given a function as
/// kind. f runs on the calling thread (the interpreter's), on a tensor of
/// ratios per chunk of p's draws; the densities and draws still use every core.
/// A ratio that underflows is raised to the least normal double (2.2e-308), so
/// an f such as t·log t needs no case of its own at 0.
enum FDivergence {
    /// Draws of p per call of f.
    static let chunk = 16_384

    static func monteCarlo(
        _ q: any Distribution, _ p: any Distribution, _ f: Function, n: Int, _ a: Arguments, _ session: Interpreter
    ) throws(KLSError) -> Value {
        try KLRegistry.checkEvents(q, p)
        try checkAtOne(f, a.function, session)
        let (generator, start) = try KLBuiltins.stream(a, session, drawsPerSample: p.drawsPerSample, n)
        let batchShape = try Shape.broadcast(q.batchShape, p.batchShape)
        let batch = batchShape.reduce(1, *)
        var moments = [Moments](repeating: Moments(), count: batch)
        var done = 0
        while done < n {
            try Cancellation.check()
            let m = Swift.min(chunk, n - done)
            let z = try p.sample(m, generator: generator, start: start &+ UInt64(done) &* UInt64(p.drawsPerSample))
            // q/p at p's draws: e^−(log p − log q).
            let ratios = try Tensor.binary(
                .maximum, try MonteCarloEngine.logRatios(p, q, at: z).map(.negate).map(.exp),
                scalar: Double.leastNormalMagnitude, scalarOnLeft: false)
            let terms = try session.call(f, [.tensor(ratios)]).settled().asTensor("f(q/p)")
            guard terms.shape == ratios.shape || (terms.count == ratios.count && terms.rank == 0) else {
                throw KLSError(
                    "\(a.function): f must map a tensor of ratios to a tensor of the same shape; "
                        + "it took \(Shape.describe(ratios.shape)) and gave \(Shape.describe(terms.shape))",
                    hint: "write f element-wise, e.g. t -> t * log(t)")
            }
            let full = try terms.reshaped(ratios.shape)
            full.withBuffer { buffer in
                guard let base = buffer.baseAddress else { return }
                for b in 0..<batch { moments[b].merge(Moments(base + b, m, stride: batch)) }
            }
            done += m
        }
        let fields = DivergenceBuiltins.estimateFields(
            batchShape, moments.map(\.mean), moments.map(\.standardError), n: n, kind: "f")
        return .record(Record(kind: "estimate", fields))
    }

    static func quadrature(
        _ q: any Distribution, _ p: any Distribution, _ f: Function, _ a: Arguments, _ session: Interpreter
    ) throws(KLSError) -> Value {
        try checkAtOne(f, a.function, session)
        // ∫ p·f(q/p): an expectation over p of f(e^−ℓ), ℓ = log p − log q.
        let result = try Quadrature.expectation(p, q) { l throws(KLSError) in
            let ratio = Swift.max(Foundation.exp(-l), Double.leastNormalMagnitude)
            return try session.call(f, [.number(ratio)]).settled().asNumber("f(q/p)")
        }
        return try KLBuiltins.quadratureRecord(
            result, a.function, session, extra: [("kind", .string(Text(small: "f")))])
    }

    /// An f-divergence needs f(1) = 0 (equal distributions are 0 apart).
    static func checkAtOne(_ f: Function, _ function: String, _ session: Interpreter) throws(KLSError) {
        let atOne = try session.call(f, [.number(1)]).settled().asNumber("f(1)")
        guard Swift.abs(atOne) <= 1e-12 else {
            throw KLSError(
                "\(function): f(1) must be 0 for an f-divergence, but f(1) = \(Formatter.number(atOne, precision: 6))",
                hint: "subtract it: t -> f(t) - f(1) (and f must be convex)")
        }
    }
}
