import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// KL between Gaussian mixtures, which has no closed form: every deterministic
/// approximation and bound of Hershey and Olsen (2007) beside a Monte Carlo
/// estimate (language.md §6, `MixtureKL`).
enum MixtureBuiltins {
    static let all: [Builtin] = [
        Builtin(
            "kl_mixture",
            [
                .required("q").meaning("a Mixture of Gaussians (Normal, DiagNormal, StdNormal, MvNormal), or one"),
                .required("p").meaning("the same, with q's event shape"),
                .optional("n", .number(100_000)).meaning("draws of q for the Monte Carlo estimate mc"),
                .optional("estimator", .string("k1"), choices: KLBuiltins.estimatorNames),
                .optional("seed"),
            ], theme: .divergence,
            summary: "KL(q‖p) between Gaussian mixtures: the Hershey–Olsen approximations and bounds, and mc.",
            example: "kl_mixture(Mixture([0.5, 0.5], [Normal(-2, 1), Normal(2, 1)]), Normal(0, 2), seed=1)",
            details: [
                "A record with one field per estimate (per batch element), and mc, kl_mc's estimate record:"
            ]
                + MixtureEstimate.allCases.map { "  \($0.rawValue) (\($0.guarantee.rawValue)): \($0.summary)" }
                + [
                    "Components of weight 0 are left out. The bounds hold for every pair; the approximations can",
                    "be far off (the display shows each beside mc). Hershey & Olsen, ICASSP 2007; the lower bound",
                    "is Durrieu, Thiran & Kelly, ICASSP 2012.",
                ]
        ) { a, session throws(KLSError) in
            let (q, p) = (try KLBuiltins.q(a), try KLBuiltins.p(a))
            let estimates = try MixtureKL(q: q, p: p)
            var fields: [(String, Value)] = MixtureEstimate.allCases.map { estimate in
                (estimate.rawValue, Value.from(estimates.values[estimate] ?? Tensor(scalar: .nan)))
            }
            fields.append(("mc", try KLBuiltins.drawnEstimate(q, p, try KLBuiltins.estimator(a), a, session)))
            return .record(Record(kind: "mixture_kl", fields))
        }
    ]
}
