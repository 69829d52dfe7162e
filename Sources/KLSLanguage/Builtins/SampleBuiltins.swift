import Foundation
import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// Divergences from samples alone, with no density (language.md §6,
/// `NearestNeighborKL`).
enum SampleBuiltins {
    static let all: [Builtin] = [
        Builtin(
            "kl_samples",
            [
                .required("x").meaning("points drawn from q: shape [n, d] (one row per point), or [n] for d = 1"),
                .required("y").meaning("points drawn from p: shape [m, d] with x's d"),
                .optional("k", .number(1)).meaning("which neighbour measures the distances (k ≥ 1)"),
                .optional(
                    "estimator", .string(Text(small: NearestNeighborKL.Method.biasReduced.rawValue)),
                    choices: NearestNeighborKL.Method.allCases.map(\.rawValue)),
                .optional("subsamples", .number(100)).meaning("random subsets for the standard error (0: none)"),
                .optional("seed"),
            ], theme: .divergence,
            summary: "KL(q‖p) from draws of each: the k-nearest-neighbour estimator with a subsampling interval.",
            example: "kl_samples(sample(Normal(0, 1), 2000), sample(Normal(1, 1), 2000), seed=1)",
            details: [
                "knn is Wang, Kulkarni & Verdú's (2009) estimator d/n Σ log(ν_k/ρ_k) + log(m/(n−1)), from the",
                "distances ρ_k to x's k-th neighbour among the other x and ν_k among the y; bias_reduced",
                "measures both at one radius max(ρ_k, ν_k) and adds ψ(l) − ψ(k) for the counts inside it",
                "(their eq. 17, as R's kldest) — far less biased where q and p differ in scale. Larger k: less",
                "noise, more bias. Exact in the limit; in many dimensions it needs many points.",
                "An estimate record: value, stderr and ci from `subsamples` random subsets of ⌈n^⅔⌉ points",
                "(their spread scaled by √(s/n)); drift, the subsets' mean minus value, and drift_stderr.",
                "A warning when the drift passes 4.5 of its standard errors or there are fewer than 10 points",
                "per axis (n^(1/d) < 10): there the bias has not settled, and the interval does not hold it.",
                "Distances are exact: pairs are scored in single precision, those within rounding of a",
                "neighbour measured again in double.",
            ]
        ) { a, session throws(KLSError) in try samplesEstimate(a, session) }
    ]

    static func samplesEstimate(_ a: Arguments, _ session: Interpreter) throws(KLSError) -> Value {
        let x = try points(a, "x")
        let y = try points(a, "y")
        guard x.dimensions == y.dimensions else {
            throw KLSError(
                "kl_samples: x has \(x.dimensions) coordinates per point and y has \(y.dimensions)",
                hint: "rows are points: both need shape [count, d] with the same d")
        }
        // Each set is copied twice (centred doubles, packed floats): room for that first.
        try MemoryLimit.check(
            elements: try Checked.product([2, x.values.count + y.values.count], what: "kl_samples' copies"),
            what: "kl_samples' working copies")
        let k = try a.integer("k", atLeast: 1)
        guard x.count > k, y.count >= k else {
            throw KLSError(
                "kl_samples: k = \(k) needs more than k points in x and at least k in y; "
                    + "got \(x.count) and \(y.count)")
        }
        let name = try a.string("estimator")
        let names = NearestNeighborKL.Method.allCases.map(\.rawValue)
        guard let method = NearestNeighborKL.Method(rawValue: name) else {
            throw KLSError(
                "kl_samples: estimator must be one of " + names.map { "\"\($0)\"" }.joined(separator: ", ")
                    + ", got \"\(name)\"",
                hint: Suggestions.hint(for: name, among: names))
        }
        let subsamples = try a.integer("subsamples", atLeast: 0)
        guard subsamples != 1, subsamples <= 100_000 else {
            throw KLSError("kl_samples: subsamples = \(subsamples): give 0 (no interval) or from 2 to 100,000")
        }
        let (generator, start) = try RandomBuiltins.stream(a, session, count: 2 * subsamples, streaming: true)
        let estimate = try NearestNeighborKL.run(
            x, y, k: k, method: method, subsamples: subsamples, generator: generator, start: start)
        let perAxis = Foundation.pow(Double(x.count), 1 / Double(x.dimensions))
        let drifting = estimate.drift.isFinite && Swift.abs(estimate.drift) > 4.5 * estimate.driftStandardError
        if drifting || perAxis < NearestNeighborKL.pointsPerAxisWanted {
            try session.warn(unsettled(estimate, x, perAxis: perAxis))
        }
        let fields: [(String, Value)] = [
            ("value", .number(estimate.value)), ("stderr", .number(estimate.standardError)),
            ("ci", Value.from(try Tensor([estimate.interval.lower, estimate.interval.upper]))),
            ("n", .number(Double(x.count))), ("m", .number(Double(y.count))),
            ("dims", .number(Double(x.dimensions))), ("k", .number(Double(k))),
            ("estimator", .string(Text(small: method.rawValue))),
            ("subsamples", .number(Double(subsamples))), ("subsample_size", .number(Double(estimate.subsampleSize))),
            ("drift", .number(estimate.drift)), ("drift_stderr", .number(estimate.driftStandardError)),
        ]
        return .record(Record(kind: "estimate", fields))
    }

    /// The warning for too few points for the dimension, or an estimate that
    /// still moves with the number of points.
    static func unsettled(_ e: NearestNeighborKL.Estimate, _ x: NearestNeighborKL.Points, perAxis: Double) -> String {
        let f = { (v: Double) in Formatter.number(v, precision: 3) }
        let d = x.dimensions
        var text =
            "kl_samples: \(x.count) points in \(d) dimension\(d == 1 ? "" : "s") are about \(f(perAxis)) per axis"
            + " (n^(1/d)); k-NN estimates are biased until that is well above "
            + f(NearestNeighborKL.pointsPerAxisWanted) + ", and the interval does not include the bias"
        if e.drift.isFinite {
            text +=
                " — subsets of \(e.subsampleSize) points average \(f(e.value + e.drift)) against \(f(e.value))"
                + " from all (drift \(f(e.drift)) ± \(f(e.driftStandardError)))"
        }
        return text
    }

    /// Argument `name` as points: rows of a [count, d] tensor, or a vector of d = 1.
    static func points(_ a: Arguments, _ name: String) throws(KLSError) -> NearestNeighborKL.Points {
        let t = try a.tensor(name)
        guard t.rank == 1 || t.rank == 2, t.count > 0 else {
            throw KLSError(
                "kl_samples: \(name) must be points, shape [count, d] or [count], got " + Shape.describe(t.shape),
                hint: "one row per point: sample(q, n) of a vector distribution gives [n, d]")
        }
        let values = t.values
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            let d = t.rank == 2 ? t.shape[1] : 1
            throw KLSError("kl_samples: row \(bad / d) of \(name) is not finite (\(values[bad]))")
        }
        let d = t.rank == 2 ? t.shape[1] : 1
        return NearestNeighborKL.Points(values, count: t.shape[0], dimensions: d)
    }
}
