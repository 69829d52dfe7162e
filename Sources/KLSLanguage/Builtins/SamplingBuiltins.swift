import Foundation
import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// Sampling and densities of distributions (language.md §5).
enum SamplingBuiltins {
    static let all: [Builtin] = [
        Builtin(
            "sample",
            [
                .required("dist").meaning("the distribution to draw from"),
                .optional("n").meaning("how many draws (the result is [n] + its shape); none: one draw"),
                .optional("seed"),
            ], theme: .distributions,
            summary: "Draws: one without n, else a leading axis of n (shape n + batch + event).",
            example: "sample(Normal(0, 1), n=3, seed=1)"
        ) { a, session throws(KLSError) in
            try sample(a, session, try DistributionBuiltins.distribution(a, "dist"))
        }.differentiable(DistributionDerivatives.sample),
        density(
            "logpdf", "Log-density at x, summed over the event; −inf outside the support.",
            "logpdf(Normal(0, 1), [0, 1])"
        ) { d, x throws(KLSError) in
            try d.logpdf(x)
        }.differentiable(DistributionDerivatives.logpdf(exponentiate: false)),
        density("log_prob", "The same as logpdf (PyTorch's name).", "log_prob(Exponential(1), 2)") {
            d, x throws(KLSError) in
            try d.logpdf(x)
        }.differentiable(DistributionDerivatives.logpdf(exponentiate: false)),
        density("pdf", "Density at x: exp(logpdf(d, x)).", "pdf(Normal(0, 1), 0)") { d, x throws(KLSError) in
            try d.logpdf(x).map(.exp)
        }.differentiable(DistributionDerivatives.logpdf(exponentiate: true)),
        density("cdf", "P(X ≤ x), for scalar distributions.", "cdf(Normal(0, 1), 1.96)") { d, x throws(KLSError) in
            try d.cdf(x)
        },
        Builtin(
            "entropy", [.required("dist").meaning("a distribution")], theme: .distributions,
            summary: "Differential entropy (nats), per batch element.", example: "entropy(Normal(0, 1))"
        ) { a, _ throws(KLSError) in
            Value.from(try DistributionBuiltins.distribution(a, "dist").entropy())
        }.differentiable(DistributionDerivatives.entropy),
    ]

    /// Draws of `d` as `sample(dist, n=, seed=)` gives them.
    static func sample(_ a: Arguments, _ session: Interpreter, _ d: any Distribution) throws(KLSError) -> Value {
        let n: Int? = a.isNone("n") ? nil : try a.integer("n", atLeast: 0)
        let count = try Shape.elementCount([n ?? 1, d.drawsPerSample])
        try MemoryLimit.check(elements: count)
        let (generator, start) = try RandomBuiltins.stream(a, session, count: count)
        if let joint = d as? JointDistribution {
            let c = n ?? 1
            // No draws: no rows to call the layers' functions on.
            let draws =
                c == 0
                ? try joint.layers.map { layer throws(KLSError) in
                    try Tensor(repeating: 0, shape: [0] + joint.batchShape + layer.event)
                } : try joint.draw(c, generator: generator, start: start).draws
            return try JointBuiltins.record(joint, draws, count: c, single: n == nil)
        }
        return Value.from(try d.sample(n, generator: generator, start: start))
    }

    static func density(
        _ name: String, _ summary: String, _ example: String,
        _ f: @escaping @Sendable (any Distribution, Tensor) throws(KLSError) -> Tensor
    ) -> Builtin {
        let x = Parameter.required("x").meaning("values, broadcast against the distribution's batch")
        return Builtin(name, [.required("dist"), x], theme: .distributions, summary: summary, example: example) {
            a, _ throws(KLSError) in
            let d = try DistributionBuiltins.distribution(a, "dist")
            if let joint = d as? JointDistribution {
                guard name != "cdf" else { throw KLSError("cdf is defined for scalar distributions, not joints") }
                let z = try a.read("x") { v, what throws(KLSError) in try JointBuiltins.layers(joint, v, what) }
                var log = try joint.logDensity(z.layers, rows: z.count, batch: z.batch)
                if z.single { log = try log.reshape(z.batch) }
                return Value.from(name == "pdf" ? try log.map(.exp) : log)
            }
            return Value.from(try f(d, try a.tensor("x")))
        }
    }
}
