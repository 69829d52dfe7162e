import Foundation
import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// Sampling and densities of distributions (language.md §5).
enum SamplingBuiltins {
    static let all: [Builtin] = [
        Builtin(
            "sample", [.required("dist"), .optional("n"), .optional("seed")], theme: .distributions,
            summary: "Draws: one without n, else a leading axis of n (shape n + batch + event).",
            example: "sample(Normal(0, 1), n=3, seed=1)"
        ) { a, session throws(KLSError) in
            let d = try DistributionBuiltins.distribution(a, "dist")
            let n: Int? = a.isNone("n") ? nil : try a.integer("n", atLeast: 0)
            let count = try Shape.elementCount([n ?? 1, d.drawsPerSample])
            try MemoryLimit.check(elements: count)
            let (generator, start) = try RandomBuiltins.stream(a, session, count: count)
            return Value.from(try d.sample(n, generator: generator, start: start))
        },
        density(
            "logpdf", "Log-density at x, summed over the event; −inf outside the support.",
            "logpdf(Normal(0, 1), [0, 1])"
        ) { d, x throws(KLSError) in
            try d.logpdf(x)
        },
        density("log_prob", "The same as logpdf (PyTorch's name).", "log_prob(Exponential(1), 2)") {
            d, x throws(KLSError) in
            try d.logpdf(x)
        },
        density("pdf", "Density at x: exp(logpdf(d, x)).", "pdf(Normal(0, 1), 0)") { d, x throws(KLSError) in
            try d.logpdf(x).map(.exp)
        },
        density("cdf", "P(X ≤ x), for scalar distributions.", "cdf(Normal(0, 1), 1.96)") { d, x throws(KLSError) in
            try d.cdf(x)
        },
        Builtin(
            "entropy", [.required("dist")], theme: .distributions,
            summary: "Differential entropy (nats), per batch element.", example: "entropy(Normal(0, 1))"
        ) { a, _ throws(KLSError) in
            Value.from(try DistributionBuiltins.distribution(a, "dist").entropy())
        },
    ]

    static func density(
        _ name: String, _ summary: String, _ example: String,
        _ f: @escaping @Sendable (any Distribution, Tensor) throws(KLSError) -> Tensor
    ) -> Builtin {
        Builtin(name, [.required("dist"), .required("x")], theme: .distributions, summary: summary, example: example) {
            a, _ throws(KLSError) in
            Value.from(try f(try DistributionBuiltins.distribution(a, "dist"), try a.tensor("x")))
        }
    }
}
