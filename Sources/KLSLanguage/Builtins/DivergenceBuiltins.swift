import Foundation
import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// Divergences beyond KL — Rényi-α, χ², Neyman's χ², squared Hellinger,
/// Bhattacharyya, total variation, Jensen–Shannon, Jeffreys — as closed forms,
/// Monte Carlo estimates and quadrature, mirroring kl, kl_mc and kl_quad
/// (language.md §6, `Divergence`).
enum DivergenceBuiltins {
    static let kindParameters: [Parameter] = [
        .required("q").meaning("the first distribution"),
        .required("p").meaning("the second distribution, with the same event shape"),
        .required("kind").meaning(
            "\"kl\", \"renyi\", \"chi2\", \"hellinger\", \"tv\", \"js\", …, or f for E_p[f(q/p)]"),
        .optional("alpha").meaning("Rényi's order α > 0 (kind=\"renyi\")"),
    ]

    static let conventions = [
        "Conventions, in nats: renyi = 1/(α−1)·log ∫q^α p^(1−α) (kl at α = 1);",
        "chi2 = E_p[(q/p − 1)²]; neyman = ∫(q − p)²/q; hellinger = 1 − ∫√(qp) (squared Hellinger);",
        "bhattacharyya = −log ∫√(qp); tv = ½∫|q − p|; js = ½KL(q‖m) + ½KL(p‖m) with m = (q + p)/2",
        "(the divergence, not its root); jeffreys = KL(q‖p) + KL(p‖q). A function f (convex, f(1) = 0) as kind",
        "is the f-divergence D_f(q‖p) = E_p[f(q/p)], f called on tensors of ratios.",
    ]

    static let all: [Builtin] = [
        Builtin(
            "divergence", kindParameters, theme: .divergence,
            summary: "A divergence between q and p in closed form, per batch element, summed over the event.",
            example: "divergence(Normal(0, 1), Normal(1, 2), \"renyi\", alpha=0.5)",
            details: conventions + [
                "Closed forms: kl wherever kl has one, jeffreys from both directions, every kind between",
                "Categoricals or Bernoullis, and renyi, chi2, neyman, hellinger and bhattacharyya between",
                "Gaussians (Normal, DiagNormal, StdNormal, MvNormal) and between two members of one exponential",
                "family with one base (Gamma, Beta, Poisson, VonMises, Laplace with one loc, Binomial with one",
                "count, …). Elsewhere it says so: divergence_mc estimates any pair, divergence_quad integrates",
                "scalar ones.",
            ]
        ) { a, _ throws(KLSError) in
            let (q, p) = (try KLBuiltins.q(a), try KLBuiltins.p(a))
            if userFunction(a) != nil {
                throw KLSError(
                    "divergence: an f-divergence of your own f has no closed form here",
                    hint: "divergence_mc(q, p, f, n=100000) estimates it; divergence_quad(q, p, f) integrates it")
            }
            let kind = try divergence(a)
            try KLRegistry.checkEvents(q, p)
            guard let value = try kind.closedForm(q, p) else {
                throw KLSError(
                    "divergence: no closed form for \"\(kind.name)\" between \(q.family) and \(p.family)",
                    hint: "divergence_mc(q, p, \"\(kind.name)\", n=100000) estimates it"
                        + (q.eventShape.isEmpty ? "; divergence_quad(q, p, \"\(kind.name)\") integrates it" : ""))
            }
            return Value.from(value)
        },
        Builtin(
            "divergence_mc",
            kindParameters + [
                .optional("n", .number(1000)).meaning("how many draws (js and jeffreys: half of q, half of p)"),
                .optional("seed"),
                KLBuiltins.samplerParameter,
            ],
            theme: .divergence,
            summary: "Monte Carlo estimate of a divergence: value, stderr, 95% ci, n, kind, exact (as kl_mc's).",
            example: "divergence_mc(Normal(0, 1), Normal(1, 2), \"hellinger\", n=100000, seed=1)",
            details: conventions + [
                "Each is a mean over draws of q of a term of ℓ = log q − log p (js and jeffreys add one over",
                "draws of p, n/2 on each side); renyi and bhattacharyya are the log of such a mean, their",
                "stderr by the delta method (and their estimate biased at small n). pareto_k is the terms'",
                "own tail where they grow with p/q or q/p; above 0.5 (infinite variance) it warns.",
            ]
        ) { a, session throws(KLSError) in
            try monteCarlo(a, session)
        },
        Builtin(
            "divergence_quad", kindParameters, theme: .divergence,
            summary: "A divergence between scalar q and p by adaptive Gauss–Kronrod: value, error, converged, note.",
            example: "divergence_quad(Normal(0, 1), StudentT(3), \"tv\")",
            details: conventions + ["The integrals of kl_quad (q's mass, shells toward infinite ends) of each term."]
        ) { a, session throws(KLSError) in
            try quadrature(a, session)
        },
    ]

    /// kind= when it is a function f (an f-divergence); nil for a named kind.
    static func userFunction(_ a: Arguments) -> Function? {
        if case .function(let f) = a["kind"] { return f }
        return nil
    }

    /// The kind= and alpha= arguments.
    static func divergence(_ a: Arguments) throws(KLSError) -> Divergence {
        let kind = try a.string("kind")
        let alpha = a.isNone("alpha") ? nil : try a.number("alpha")
        return try a.read("kind") { _, _ throws(KLSError) in try Divergence(kind: kind, alpha: alpha) }
    }

    static func monteCarlo(_ a: Arguments, _ session: Interpreter) throws(KLSError) -> Value {
        let (q, p) = (try KLBuiltins.q(a), try KLBuiltins.p(a))
        if q is JointDistribution || p is JointDistribution {
            throw KLSError("divergence_mc takes distributions, not joints", hint: "kl_mc estimates KL between joints")
        }
        let n = try a.integer("n", atLeast: 2)
        let sampler = try KLBuiltins.sampler(a)
        if let f = userFunction(a) {
            guard sampler == .plain else {
                throw KLSError("divergence_mc: an f-divergence draws from p; sampler= is for q's draws")
            }
            return try FDivergence.monteCarlo(q, p, f, n: n, a, session)
        }
        let kind = try divergence(a)
        if sampler != .plain { return try varianceReduced(q, p, kind, sampler, n: n, a, session) }
        var engine = try MonteCarloEngine(q: q, p: p)
        let tail = kind.termTail
        engine.diagnosesQOverP = tail?.ofQOverP ?? false
        let back = try kind.fromP.map { _ throws(KLSError) in try MonteCarloEngine(q: p, p: q) }
        // JS and Jeffreys split the n draws between q (the first half) and p, from one stream.
        let (qDraws, pDraws) = back == nil ? (n, 0) : ((n + 1) / 2, n / 2)
        let perSample = Swift.max(q.drawsPerSample, p.drawsPerSample)
        let (generator, start) = try KLBuiltins.stream(a, session, drawsPerSample: perSample, n)
        let forward = try ProgressLine.around(session, a.function, total: qDraws) { line throws(KLSError) in
            try engine.run(
                n: qDraws, estimators: [.divergence(kind.term)], generator: generator, start: start,
                progress: line.update)
        }
        var moments = forward.moments[0]
        if let back, let term = kind.fromP {
            let offset = start &+ UInt64(qDraws) &* UInt64(q.drawsPerSample)
            let other = try back.run(n: pDraws, estimators: [.divergence(term)], generator: generator, start: offset)
            moments = zip(moments, other.moments[0]).map { Self.sum($0, $1) }
        }
        let shape = engine.batchShape
        var fields = try divergenceFields(q, p, kind, moments, shape: shape, n: n)
        fields += diagnosticFields(kind, forward.ratios, shape: shape)
        try warnAboutTerms(kind, forward.ratios, a.function, session)
        return .record(Record(kind: "estimate", fields))
    }

    /// divergence_mc with `sampler="sobol"` or `"antithetic"`: each unit's (a
    /// scramble's or a pair's) mean term, the value from their mean and its
    /// stderr from their spread (by the delta method for Rényi and Bhattacharyya).
    static func varianceReduced(
        _ q: any Distribution, _ p: any Distribution, _ kind: Divergence, _ sampler: Sampler, n: Int,
        _ a: Arguments, _ session: Interpreter
    ) throws(KLSError) -> Value {
        guard kind.fromP == nil else {
            throw KLSError(
                "divergence_mc: \(kind.name) draws from p as well as q; sampler= takes the kinds that draw from q alone"
            )
        }
        let (runner, run) = try KLBuiltins.reducedRun(q, p, .divergence(kind.term), sampler, n: n, a, session)
        var fields = try divergenceFields(q, p, kind, run.moments, shape: runner.batchShape, n: run.draws)
        let units = Double(run.moments.first?.count ?? 0)
        fields += [("sampler", .string(Text(small: sampler.rawValue))), ("units", .number(units))]
        return .record(Record(kind: "estimate", fields))
    }

    /// An estimate's fields from its terms' moments: the value and stderr
    /// through the kind's transform, alpha, and the closed form with z.
    static func divergenceFields(
        _ q: any Distribution, _ p: any Distribution, _ kind: Divergence, _ moments: [Moments], shape: [Int], n: Int
    ) throws(KLSError) -> [(String, Value)] {
        let values = moments.map { kind.value(fromMean: $0.mean) }
        let errors = moments.map { kind.standardError(mean: $0.mean, standardError: $0.standardError) }
        var fields = estimateFields(shape, values, errors, n: n, kind: kind.name)
        if case .renyi(let alpha) = kind { fields.append(("alpha", .number(alpha))) }
        if let exact = try kind.closedForm(q, p) {
            fields.append(("exact", Value.from(exact)))
            let z = (0..<values.count).map { i in
                KLBuiltins.zScore(values[i], standardError: errors[i], exact[flat: i % Swift.max(exact.count, 1)])
            }
            fields.append(("z", tensorValue(shape, z)))
        }
        return fields
    }

    /// The ratio diagnostics as kl_mc gives them (`mean_r`, `mean_r_stderr`,
    /// `pareto_k` of r = p/q), except that for a kind whose terms have a tail
    /// of their own (`Divergence.termTail`) `pareto_k` is the terms' k̂, and
    /// r's mean is left out when the tail is q/p's.
    static func diagnosticFields(_ kind: Divergence, _ ratios: [RatioDiagnostics], shape: [Int]) -> [(String, Value)] {
        guard let tail = kind.termTail else { return KLBuiltins.ratioFields(ratios, shape: shape) }
        let k = ("pareto_k", tensorValue(shape, ratios.map { tail.power * $0.paretoK }))
        if tail.ofQOverP { return [k] }
        return KLBuiltins.ratioFields(ratios, shape: shape).filter { $0.0 != "pareto_k" } + [k]
    }

    /// Warns when the terms' tail is heavy (`Divergence.termTail`): above a k̂
    /// of 0.7 their mean cannot be trusted, above 0.5 its variance is infinite
    /// and the stderr is not reliable.
    static func warnAboutTerms(
        _ kind: Divergence, _ ratios: [RatioDiagnostics], _ function: String, _ session: Interpreter
    ) throws(KLSError) {
        guard let tail = kind.termTail else { return }
        let enough = ratios.filter { $0.draws >= RatioDiagnostics.minimumDrawsToWarn && $0.paretoK.isFinite }
        guard let worst = enough.map({ tail.power * $0.paretoK }).max(), worst > 0.5 else { return }
        let ratio = tail.ofQOverP ? "q(z)/p(z)" : "p(z)/q(z)"
        let grows = tail.power == 1 ? "the ratio" : "the ratio^\(Formatter.number(tail.power, precision: 3))"
        let consequence =
            worst > 0.7
            ? "their average cannot be trusted however large n, and usually comes out too low"
            : "their variance is infinite, so the stderr is not reliable and the estimate settles slowly"
        let advice = tail.ofQOverP ? "give p wider tails than q" : "give q wider tails than p"
        try session.warn(
            "\(function): the \(kind.name) terms grow as \(grows), the ratio being \(ratio), and have a heavy tail "
                + "(Pareto k̂ = \(Formatter.number(worst, precision: 3))): \(consequence); \(advice), or use "
                + "divergence_quad for a scalar pair")
    }

    /// An estimate record's first fields — value, stderr, 95% ci (as kl_mc's,
    /// `KLBuiltins.confidenceBound`), n and kind — per batch element of `shape`.
    static func estimateFields(_ shape: [Int], _ values: [Double], _ errors: [Double], n: Int, kind: String)
        -> [(String, Value)]
    {
        let bounds = zip(values, errors).flatMap { v, s in
            [false, true].map { KLBuiltins.confidenceBound(v, standardError: s, upper: $0) }
        }
        return [
            ("value", tensorValue(shape, values)), ("stderr", tensorValue(shape, errors)),
            ("ci", tensorValue(shape + [2], bounds)), ("n", .number(Double(n))),
            ("kind", .string(Text(small: kind))),
        ]
    }

    /// `values` as a tensor of `shape` (a number when the shape is empty).
    static func tensorValue(_ shape: [Int], _ values: [Double]) -> Value {
        guard let t = try? Tensor(shape: shape, values: values) else { return .none }
        return Value.from(t)
    }

    /// Two independent means' sum: its mean, and the standard error of the sum
    /// (as moments of n terms whose variance gives it).
    static func sum(_ a: Moments, _ b: Moments) -> Moments {
        var total = Moments()
        total.count = a.count
        total.mean = a.mean + b.mean
        // m2 / (n (n − 1)) is the squared standard error; the sum's is the sum of both.
        total.m2 = a.m2 + b.m2 * (a.count * (a.count - 1)) / Swift.max(b.count * (b.count - 1), 1)
        return total
    }

    static func quadrature(_ a: Arguments, _ session: Interpreter) throws(KLSError) -> Value {
        let (q, p) = (try KLBuiltins.q(a), try KLBuiltins.p(a))
        if let f = userFunction(a) { return try FDivergence.quadrature(q, p, f, a, session) }
        let kind = try divergence(a)
        var result: QuadratureResult
        if kind == .kl {
            result = try Quadrature.kl(q, p)
        } else {
            result = try Quadrature.expectation(q, p, of: kind.term)
            if let term = kind.fromP {
                let other = try Quadrature.expectation(p, q, of: term)
                result = QuadratureResult(
                    value: result.value + other.value, error: result.error + other.error,
                    evaluations: result.evaluations + other.evaluations,
                    converged: result.converged && other.converged, note: result.note ?? other.note)
            }
            let error = kind.standardError(mean: result.value, standardError: result.error)
            result = QuadratureResult(
                value: kind.value(fromMean: result.value), error: error, evaluations: result.evaluations,
                converged: result.converged, note: result.note)
        }
        var extra: [(String, Value)] = [("kind", .string(Text(small: kind.name)))]
        if case .renyi(let alpha) = kind { extra.append(("alpha", .number(alpha))) }
        return try KLBuiltins.quadratureRecord(result, a.function, session, extra: extra)
    }
}
