import Foundation
import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// KL divergence: closed forms, Monte Carlo estimators and their diagnostics (language.md §6).
enum KLBuiltins {
    static let all: [Builtin] = [
        Builtin(
            "kl",
            [
                .required("q").meaning("the first distribution"),
                .required("p").meaning("the second distribution, with the same event shape"),
            ], theme: .divergence,
            summary: "KL(q‖p) in closed form, per batch element, summed over the event.",
            example: "kl(Normal(0, 1), Normal(1, 2))"
        ) { a, _ throws(KLSError) in
            let (q, p) = (try q(a), try p(a))
            if q is JointDistribution || p is JointDistribution {
                return Value.from(try LinearGaussianJoint.kl(try JointPair(q, p)))
            }
            return Value.from(try KLRegistry.kl(q, p))
        }.differentiable(DistributionDerivatives.kl),
        Builtin(
            "kl_mc",
            [
                .required("q"), .required("p"), .optional("n", .number(1000)).meaning("how many draws of q"),
                .optional("estimator", .string("k1"), choices: estimatorNames + ["cv", "analytic"]),
                .optional("seed"), .optional("samples"),
                .optional("per_layer", .bool(false)).meaning("for joints: true adds each layer's own estimate"),
                samplerParameter,
            ], theme: .divergence,
            summary: "Monte Carlo KL(q‖p) from draws of q: value, stderr, 95% ci, n, estimator, exact.",
            example: "kl_mc(Normal(0, 1), Normal(0.1, 1), n=10000, estimator=\"k3\", seed=1)",
            details: KLBuiltins.ratioHelp
        ) { a, session throws(KLSError) in
            try monteCarlo(a, session)
        }.differentiable(MonteCarloGradient.rule),
        Builtin(
            "estimate", [.required("logratio"), .optional("estimator", .string("k1"), choices: estimatorNames)],
            theme: .divergence,
            summary: "An estimate record from your own per-draw log-ratios log q(z) − log p(z), [n] or [n] + batch.",
            example: "estimate(logratio(Normal(0, 1), Normal(1, 1), sample(Normal(0, 1), 1000, seed=1)))",
            details: [
                "The draws must come from q. Value, stderr, ci, n and the ratio diagnostics as in kl_mc, so a",
                "hand-built estimator (several layers, a model of your own) gets the same display and warnings.",
            ]
        ) { a, session throws(KLSError) in
            try ownEstimate(a, session)
        },
        Builtin(
            "logratio", [.required("q"), .required("p"), .required("z")], theme: .divergence,
            summary: "logpdf(q, z) − logpdf(p, z), per sample: the k1 terms.",
            example: "logratio(Normal(0, 1), Normal(1, 1), [0, 1])"
        ) { a, _ throws(KLSError) in
            let (q, p) = (try q(a), try p(a))
            if q is JointDistribution || p is JointDistribution {
                let pair = try JointPair(q, p)
                let z = try a.read("z") { v, what throws(KLSError) in try JointBuiltins.layers(pair.q, v, what) }
                let batch = try Shape.broadcast(z.batch, pair.batchShape)
                let terms = try pair.logRatios(z.layers, rows: z.count, batch: batch)
                return Value.from(z.single ? try terms.reshape(batch) : terms)
            }
            let z = try a.tensor("z")
            return Value.from(try Tensor.binary(.subtract, try q.logpdf(z), try p.logpdf(z)))
        },
        Builtin(
            "kl_trace",
            [
                .required("q"), .required("p"),
                .required("n").meaning("how many draws; the result has the running estimate after each"),
                .optional("estimator", .string("k1"), choices: estimatorNames),
                .optional("seed"), samplerParameter, LiveFrames.parameter,
            ],
            theme: .divergence,
            summary: "The running estimate after each of n draws; its last element equals kl_mc's value.",
            example: "kl_trace(Normal(0, 1), Normal(1, 1), 100, seed=1)[-1]",
            details: [
                "Warns as kl_mc does when r = p/q has a heavy tail or a mean away from 1 (see help(kl_mc)).",
                "With sampler=\"sobol\" the draws are point j of all 32 scrambles before point j + 1, and n is",
                "rounded up to a multiple of 32 (\"antithetic\": ε then −ε, n rounded up to even), so the trace",
                "shows the error falling as 1/n where independent draws give 1/√n.",
                "live=true draws the running estimate ± 2 stderr as it is computed (plain sampler), in the REPL",
                "on a terminal or a notebook; when it ends the picture gives way to the statement's output, so",
                "plot(kl_trace(q, p, 1e8, live=true)) ends with plot's picture in its place. Ctrl-C keeps it.",
            ]
        ) { a, session throws(KLSError) in
            try trace(a, session)
        },
        Builtin(
            "compare",
            [
                .required("q"), .required("p"),
                .optional("n", .number(1000)).meaning("how many draws, shared by the three estimators"),
                .optional("seed"),
                .optional("grad", .bool(false)).meaning(
                    "true adds the estimators' gradients in q's parameters (see help)"),
            ],
            theme: .divergence,
            summary: "k1, k2, k3 and cv on the same draws (Sobol, antithetic too): mean, bias, stderr, relstd, gain.",
            example: "compare(Normal(0, 1), Normal(1, 1), n=10000, seed=1)",
            details: KLBuiltins.ratioHelp + [
                "grad=true adds grad: for k1, k2, k3 (pathwise), score_function and analytic, the per-draw",
                "  gradient in each of q's parameters: its mean, bias against the exact KL's gradient (when",
                "  kl(q, p) has a closed form), and std — which estimator trains best. q must be",
                "  reparameterisable (any continuous family).",
            ]
        ) { a, session throws(KLSError) in
            try comparison(a, session)
        },
        Builtin(
            "check",
            [
                .required("z").meaning("draws you made yourself, [n] + the distribution's shape"),
                .required("dist").meaning("the distribution they should follow"),
            ], theme: .divergence,
            summary: "Do draws z look like they came from dist? z-scores, a KS test, ok and a verdict.",
            example: "check(randn([1000, 2], seed=1) * 0.01, StdNormal(2))"
        ) { a, _ throws(KLSError) in
            let d = try DistributionBuiltins.distribution(a, "dist")
            if let joint = d as? JointDistribution {
                let z = try a.read("z") { v, what throws(KLSError) in try JointBuiltins.layers(joint, v, what) }
                return .record(try JointBuiltins.check(z, joint))
            }
            return .record(checkRecord(try SampleCheck(try a.tensor("z"), d)))
        },
        Builtin(
            "kl_quad",
            [
                .required("q").meaning("a one-dimensional distribution"),
                .required("p").meaning("a one-dimensional distribution"),
            ], theme: .divergence,
            summary: "KL(q‖p) for scalar pairs by adaptive Gauss–Kronrod: value, error, converged, note.",
            example: "kl_quad(Mixture([0.5, 0.5], [Normal(-1, 1), Normal(1, 1)]), Normal(0, 2))",
            details: [
                "Finds q's mass from its quantiles, then integrates the pieces, and shells toward each end whose",
                "sums are extrapolated (QUADPACK's QAGS design). +inf when q's support is not inside p's or the",
                "integral diverges; note says why. converged is false (and it warns) when error misses 1e-10.",
            ]
        ) { a, session throws(KLSError) in
            let result = try Quadrature.kl(try q(a), try p(a))
            return try quadratureRecord(result, a.function, session)
        },
    ]

    /// A quadrature's record (`value, error, evaluations, converged, note` and
    /// `extra`), its note repeated as a warning.
    static func quadratureRecord(
        _ result: QuadratureResult, _ function: String, _ session: Interpreter, extra: [(String, Value)] = []
    ) throws(KLSError) -> Value {
        if let note = result.note { try session.warn("\(function): \(note)") }
        return .record(
            Record(
                kind: "quadrature",
                [
                    ("value", .number(result.value)), ("error", .number(result.error)),
                    ("evaluations", .number(Double(result.evaluations))), ("converged", .bool(result.converged)),
                    ("note", result.note.map { .string(Text(small: $0)) } ?? .none),
                ] + extra))
    }

    /// What the ratio diagnostics of kl_mc and compare mean, for `help`.
    static let ratioHelp = [
        "mean_r: the mean of r = p(z)/q(z); 1 unless p has mass outside q's support. k3 − k1 = r − 1 per draw,",
        "  so a mean away from 1 means k1 and k3 disagree (k3 biased; k1 is not). It warns beyond 4.5 stderr.",
        "pareto_k: PSIS's Pareto k̂ of r's upper tail. Above 0.5 r's variance is infinite; above 0.7 (warned",
        "  from n = 500) k3's average cannot be trusted however large n. Try k1, or a q with wider tails.",
    ]

    static func q(_ a: Arguments) throws(KLSError) -> any Distribution { try DistributionBuiltins.distribution(a, "q") }
    static func p(_ a: Arguments) throws(KLSError) -> any Distribution { try DistributionBuiltins.distribution(a, "p") }

    /// k1, k2, k3: what `estimator=` takes (kl_mc also takes "analytic" for joints).
    static let estimatorNames = Estimator.allCases.map(\.rawValue)

    static func estimator(_ a: Arguments) throws(KLSError) -> Estimator {
        let name = try a.string("estimator")
        guard let e = Estimator(rawValue: name) else {
            let joint = a.function == "kl_mc" ? " (or \"analytic\" for joints)" : ""
            throw KLSError(
                "\(a.function): estimator must be \"k1\", \"k2\" or \"k3\"\(joint), got \"\(name)\"",
                hint: Suggestions.hint(for: name, among: Estimator.allCases.map(\.rawValue) + ["analytic"]))
        }
        return e
    }

    /// Draws for n samples of q from `seed=` or the session stream.
    static func stream(_ a: Arguments, _ session: Interpreter, _ q: any Distribution, _ n: Int) throws(KLSError) -> (
        Philox, UInt64
    ) {
        try stream(a, session, drawsPerSample: q.drawsPerSample, n)
    }

    /// Draws for n samples of `drawsPerSample` random indices each.
    static func stream(_ a: Arguments, _ session: Interpreter, drawsPerSample: Int, _ n: Int) throws(KLSError) -> (
        Philox, UInt64
    ) {
        guard n <= MonteCarloEngine.maximumDraws else {
            throw KLSError(
                Messages.tooManyDraws(function: a.function, n: n), kind: .resource,
                hint: "split the work: runs with seed=1, 2, … are independent")
        }
        let (count, overflow) = n.multipliedReportingOverflow(by: drawsPerSample)
        guard !overflow else { throw KLSError("\(a.function): n = \(n) is too many draws", kind: .resource) }
        return try RandomBuiltins.stream(a, session, count: count, streaming: true)
    }

    static func monteCarlo(_ a: Arguments, _ session: Interpreter) throws(KLSError) -> Value {
        let q = try q(a)
        let p = try p(a)
        if q is JointDistribution || p is JointDistribution {
            guard try sampler(a) == .plain else {
                throw KLSError("kl_mc: joints are drawn layer by layer from the plain sampler; leave sampler= out")
            }
            return try JointMonteCarlo.estimate(a, session, try JointPair(q, p))
        }
        let analytic = try a.string("estimator") == "analytic"
        let perLayer = try a.bool("per_layer")
        if analytic || perLayer {
            throw KLSError(
                "kl_mc: estimator=\"analytic\" and per_layer=true are for joints; q is a \(q.family), p a \(p.family)",
                hint: "build q and p with joint(z1=…, z2=…)")
        }
        if try a.string("estimator") == "cv" { return try controlVariate(q, p, a, session) }
        let estimator = try estimator(a)
        let sampler = try self.sampler(a)
        if sampler != .plain { return try varianceReduced(q, p, estimator, sampler, a, session) }
        guard !a.isNone("samples") else { return try drawnEstimate(q, p, estimator, a, session) }
        let engine = try MonteCarloEngine(q: q, p: p)
        let z = try a.tensor("samples")
        let n = z.shape.first ?? 0
        guard z.rank == q.sampleShape.count + 1, Array(z.shape.dropFirst()) == q.sampleShape, n >= 1 else {
            throw KLSError(Messages.samplesShape(q.sampleShape, got: z.shape))
        }
        let run = try engine.estimate(samples: z, estimators: [estimator])
        if n >= 2, let check = try? SampleCheck(z, q), !check.ok {
            try session.warn(Messages.samplesNotFromQ(verdict: check.verdict))
        }
        return .record(try report(run, engine, n: n, q, p, estimator, a, session))
    }

    /// `sampler=`, declared once for kl_mc, kl_trace and divergence_mc.
    static let samplerParameter = Parameter.optional(
        "sampler", .string("plain"), choices: Sampler.allCases.map(\.rawValue)
    )
    .meaning("how q is drawn: independently, from scrambled Sobol points, or in antithetic pairs (Gaussian q)")

    /// The `sampler=` argument.
    static func sampler(_ a: Arguments) throws(KLSError) -> Sampler {
        let name = try a.string("sampler")
        guard let sampler = Sampler(rawValue: name) else {
            throw KLSError(
                "\(a.function): sampler must be \"plain\", \"sobol\" or \"antithetic\", got \"\(name)\"",
                hint: Suggestions.hint(for: name, among: Sampler.allCases.map(\.rawValue)))
        }
        return sampler
    }

    /// kl_mc with `sampler="sobol"` or `"antithetic"`: the estimate and its
    /// stderr from independent scrambles or pairs (`VarianceReducedMonteCarlo`).
    static func varianceReduced(
        _ q: any Distribution, _ p: any Distribution, _ estimator: Estimator, _ sampler: Sampler, _ a: Arguments,
        _ session: Interpreter
    ) throws(KLSError) -> Value {
        guard a.isNone("samples") else {
            throw KLSError("\(a.function): samples= gives the draws, so sampler= has nothing to choose")
        }
        let n = try a.integer("n", atLeast: 2)
        let (runner, run) = try reducedRun(q, p, .kl(estimator), sampler, n: n, a, session)
        let units = Double(run.moments.first?.count ?? 0)
        let record = estimateRecord(
            run.moments, shape: runner.batchShape, n: run.draws, estimator: estimator,
            exact: try KLRegistry.closedForm(q, p),
            extra: [("sampler", .string(Text(small: sampler.rawValue))), ("units", .number(units))])
        try warnIfInfinite(run.moments, a.function, session)
        return .record(record)
    }

    /// The draws of kl_mc's and divergence_mc's variance-reduced samplers: the
    /// runner for a Gaussian q (an error naming the families otherwise) and its
    /// run on `seed=` or the session stream, whose position keys the Sobol
    /// scrambles without a seed, so each call differs.
    static func reducedRun(
        _ q: any Distribution, _ p: any Distribution, _ term: MonteCarloTerm, _ sampler: Sampler, n: Int,
        _ a: Arguments, _ session: Interpreter
    ) throws(KLSError) -> (VarianceReducedMonteCarlo, (moments: [Moments], draws: Int)) {
        let (runner, generator, start) = try reducedStream(q, p, sampler, n: n, a, session)
        return (runner, try runner.run(n: n, term: term, sampler: sampler, generator: generator, start: start))
    }

    /// The runner of a variance-reduced sampler (Gaussian q only) and its stream:
    /// Sobol's scrambles come from the generator itself, so the session stream's
    /// position is folded into its key (runs without `seed=` differ).
    static func reducedStream(
        _ q: any Distribution, _ p: any Distribution, _ sampler: Sampler, n: Int, _ a: Arguments,
        _ session: Interpreter
    ) throws(KLSError) -> (VarianceReducedMonteCarlo, Philox, UInt64) {
        guard let runner = try VarianceReducedMonteCarlo(q: q, p: p) else {
            throw KLSError(
                "\(a.function): sampler=\"\(sampler.rawValue)\" draws q from standard normal noise (a Gaussian q) "
                    + "or through its inverse cdf (a continuous scalar q), and q is a \(q.family) with event shape "
                    + Shape.describe(q.eventShape) + (q.isDiscrete ? ", discrete" : ""),
                hint: "sampler=\"plain\" takes any q")
        }
        let (generator, start) = try stream(a, session, q, n)
        let keyed =
            a.isNone("seed") && sampler == .sobol ? generator.derived(Int(truncatingIfNeeded: start)) : generator
        return (runner, keyed, start)
    }

    /// kl_mc with `estimator="cv"`: k1 + λ(r − 1) with λ fitted on the same
    /// draws (`ControlVariate`), from n draws or `samples=`.
    static func controlVariate(_ q: any Distribution, _ p: any Distribution, _ a: Arguments, _ session: Interpreter)
        throws(KLSError) -> Value
    {
        guard try sampler(a) == .plain else {
            throw KLSError("kl_mc: estimator=\"cv\" fits its λ on independent draws; leave sampler= out")
        }
        let engine = try MonteCarloEngine(q: q, p: p)
        let run: MonteCarloRun
        let n: Int
        if a.isNone("samples") {
            n = try a.integer("n", atLeast: 2)
            let (generator, start) = try stream(a, session, q, n)
            run = try ProgressLine.around(session, a.function, total: n) { line throws(KLSError) in
                try engine.run(
                    n: n, estimators: ControlVariate.terms, generator: generator, start: start, progress: line.update)
            }
        } else {
            let z = try a.tensor("samples")
            n = z.shape.first ?? 0
            guard z.rank == q.sampleShape.count + 1, Array(z.shape.dropFirst()) == q.sampleShape, n >= 2 else {
                throw KLSError(Messages.samplesShape(q.sampleShape, got: z.shape))
            }
            run = try engine.estimate(samples: z, estimators: ControlVariate.terms)
        }
        let shape = engine.batchShape
        let fits = (0..<run.moments[0].count).map {
            ControlVariate(run.moments[0][$0], run.moments[1][$0], run.moments[2][$0])
        }
        var fields = DivergenceBuiltins.estimateFields(
            shape, fits.map(\.value), fits.map(\.standardError), n: n, kind: "cv"
        ).map { $0.0 == "kind" ? ("estimator", $0.1) : $0 }
        if let exact = try KLRegistry.closedForm(q, p) {
            fields.append(("exact", Value.from(exact)))
            let z = fits.indices.map { i in
                zScore(fits[i].value, standardError: fits[i].standardError, exact[flat: i % Swift.max(exact.count, 1)])
            }
            fields.append(("z", DivergenceBuiltins.tensorValue(shape, z)))
        }
        fields.append(("lambda", DivergenceBuiltins.tensorValue(shape, fits.map(\.lambda))))
        fields.append(("variance_ratio", DivergenceBuiltins.tensorValue(shape, fits.map(\.varianceRatio))))
        fields += ratioFields(run.ratios, shape: shape)
        try warnAboutRatios(run.ratios, shape: shape, a.function, session)
        return .record(Record(kind: "estimate", fields))
    }

    /// kl_mc's estimate from n = `n=` draws of q (`seed=` or the session stream).
    static func drawnEstimate(
        _ q: any Distribution, _ p: any Distribution, _ estimator: Estimator, _ a: Arguments, _ session: Interpreter
    ) throws(KLSError) -> Value {
        let engine = try MonteCarloEngine(q: q, p: p)
        let n = try a.integer("n", atLeast: 1)
        let (generator, start) = try stream(a, session, q, n)
        let run = try ProgressLine.around(session, a.function, total: n) { line throws(KLSError) in
            try engine.run(n: n, estimators: [estimator], generator: generator, start: start, progress: line.update)
        }
        return .record(try report(run, engine, n: n, q, p, estimator, a, session))
    }

    /// The estimate record of a run, with its warnings.
    static func report(
        _ run: MonteCarloRun, _ engine: MonteCarloEngine, n: Int, _ q: any Distribution, _ p: any Distribution,
        _ estimator: Estimator, _ a: Arguments, _ session: Interpreter
    ) throws(KLSError) -> Record {
        let moments = run.moments[0]
        let exact = try KLRegistry.closedForm(q, p)
        let record = estimateRecord(
            moments, shape: engine.batchShape, n: n, estimator: estimator, exact: exact,
            extra: ratioFields(run.ratios, shape: engine.batchShape))
        try warnIfInfinite(moments, a.function, session)
        try warnAboutRatios(run.ratios, shape: engine.batchShape, a.function, session)
        try warnIfNegative(moments, estimator, session)
        return record
    }

    /// Warns when a k1 estimate is negative (KL never is).
    static func warnIfNegative(_ moments: [Moments], _ estimator: Estimator, _ session: Interpreter)
        throws(KLSError)
    {
        guard estimator == .k1, moments.contains(where: { $0.mean < 0 }) else { return }
        let worst = moments.min { $0.mean < $1.mean } ?? Moments()
        try session.warn(Messages.negativeK1(worst))
    }

    /// How many standard errors `moments`' mean lies from `exact`; 0 when they are
    /// equal (both +inf, say), or when every term was the same (no spread) and
    /// the mean equals `exact` to rounding.
    static func zScore(_ moments: Moments, _ exact: Double) -> Double {
        zScore(moments.mean, standardError: moments.standardError, exact)
    }

    /// `zScore` of an estimate given as its value and standard error.
    static func zScore(_ value: Double, standardError: Double, _ exact: Double) -> Double {
        if value == exact { return 0 }
        let difference = value - exact
        if standardError == 0, Swift.abs(difference) <= 1e-12 * Swift.max(1, Swift.abs(exact)) { return 0 }
        return difference / standardError
    }

    /// One end of the 95% interval; an infinite estimate's interval is that
    /// infinity (inf − inf would make the lower end nan).
    static func confidenceBound(_ moments: Moments, upper: Bool) -> Double {
        confidenceBound(moments.mean, standardError: moments.standardError, upper: upper)
    }

    /// `confidenceBound` of an estimate given as its value and standard error.
    static func confidenceBound(_ value: Double, standardError: Double, upper: Bool) -> Double {
        if value.isInfinite { return value }
        return value + (upper ? 1 : -1) * 1.959963984540054 * standardError
    }

    /// Warns when some estimate is +inf: a draw of q where p has no density.
    static func warnIfInfinite(_ moments: [Moments], _ function: String, _ session: Interpreter)
        throws(KLSError)
    {
        let infinite = moments.filter { $0.mean == .infinity }.count
        guard infinite > 0 else { return }
        let which = moments.count > 1 ? " (\(infinite) of \(moments.count) batch elements)" : ""
        try session.warn(Messages.infiniteEstimate(function: function, which: which))
    }

    /// `estimate(logratio)`: the estimate record of log-ratios the user computed.
    static func ownEstimate(_ a: Arguments, _ session: Interpreter) throws(KLSError) -> Value {
        let terms = try a.tensor("logratio")
        let estimator = try estimator(a)
        guard terms.rank >= 1, let n = terms.shape.first, n >= 1, terms.count > 0 else {
            throw KLSError(
                "estimate: logratio must have one row per draw, shape [n] or [n] + batch with n ≥ 1, got "
                    + Shape.describe(terms.shape),
                hint: "compute it as logratio(q, p, z) with z = sample(q, n)")
        }
        let run = try MonteCarloEngine.estimate(logRatios: terms, estimators: [estimator])
        let shape = Array(terms.shape.dropFirst())
        let record = estimateRecord(
            run.moments[0], shape: shape, n: n, estimator: estimator, exact: nil,
            extra: ratioFields(run.ratios, shape: shape))
        try warnIfInfinite(run.moments[0], a.function, session)
        try warnAboutRatios(run.ratios, shape: shape, a.function, session)
        return .record(record)
    }

    /// `mean_r`, `mean_r_stderr` and `pareto_k`: the ratio diagnostics, one per batch element.
    static func ratioFields(_ ratios: [RatioDiagnostics], shape: [Int]) -> [(String, Value)] {
        func field(_ f: (RatioDiagnostics) -> Double) -> Value {
            (try? Tensor(shape: shape, values: ratios.map(f))).map(Value.from) ?? .none
        }
        return [
            ("mean_r", field(\.meanR)), ("mean_r_stderr", field(\.meanRStandardError)),
            ("pareto_k", field(\.paretoK)),
        ]
    }

    /// Warns of a heavy tail of r (k̂ > 0.7) and, elsewhere, of a mean of r away
    /// from 1; in a batch, says how many elements and which is worst.
    static func warnAboutRatios(
        _ ratios: [RatioDiagnostics], shape: [Int], _ function: String, _ session: Interpreter
    ) throws(KLSError) {
        func which(_ chosen: [Int], worst: Int) -> String {
            guard ratios.count > 1 else { return "" }
            let at = Shape.describe(Shape.unravel(worst, shape))
            return " in \(chosen.count) of \(ratios.count) batch elements, the worst at \(at)"
        }
        let heavy = ratios.indices.filter { ratios[$0].heavyTail }
        if let worst = heavy.max(by: { ratios[$0].paretoK < ratios[$1].paretoK }) {
            try session.warn(
                Messages.heavyRatioTail(function: function, k: ratios[worst].paretoK, which: which(heavy, worst: worst))
            )
        }
        let away = ratios.indices.filter { ratios[$0].meanRDisagrees && !ratios[$0].heavyTail }
        if let worst = away.max(by: { Swift.abs(ratios[$0].meanR - 1) < Swift.abs(ratios[$1].meanR - 1) }) {
            try session.warn(
                Messages.ratioMeanAwayFromOne(
                    function: function, ratio: ratios[worst], which: which(away, worst: worst)))
        }
    }

    /// The estimate record of language.md §6: value, stderr, ci, n, estimator, exact and its z-score.
    static func estimateRecord(
        _ moments: [Moments], shape: [Int], n: Int, estimator: Estimator, exact: Tensor?,
        extra: [(String, Value)] = []
    ) -> Record {
        func tensor(_ f: (Int) -> Double, extra: [Int] = []) -> Value {
            let count = moments.count * Swift.max(1, extra.reduce(1, *))
            guard let t = try? Tensor(shape: shape + extra, values: (0..<count).map(f)) else { return .none }
            return Value.from(t)
        }
        let value = tensor { moments[$0].mean }
        let stderr = tensor { moments[$0].standardError }
        let ci = tensor({ i in confidenceBound(moments[i / 2], upper: i % 2 == 1) }, extra: [2])
        var fields: [(String, Value)] = [
            ("value", value), ("stderr", stderr), ("ci", ci), ("n", .number(Double(n))),
            ("estimator", .string(Text(small: estimator.rawValue))),
        ]
        if let exact {
            fields.append(("exact", Value.from(exact)))
            fields.append(("z", tensor { zScore(moments[$0], exact[flat: $0 % Swift.max(exact.count, 1)]) }))
        }
        return Record(kind: "estimate", fields + extra)
    }

    static func trace(_ a: Arguments, _ session: Interpreter) throws(KLSError) -> Value {
        let q = try q(a)
        let p = try p(a)
        let estimator = try estimator(a)
        let n = try a.integer("n", atLeast: 1)
        let sampler = try sampler(a)
        if sampler != .plain { return try reducedTrace(q, p, estimator, sampler, n: n, a, session) }
        let joint = q is JointDistribution || p is JointDistribution
        let pair = joint ? try JointPair(q, p) : nil
        let engine = joint ? nil : try MonteCarloEngine(q: q, p: p)
        let shape = pair?.batchShape ?? engine?.batchShape ?? []
        let batch = shape.reduce(1, *)
        try MemoryLimit.check(
            elements: try Checked.product([n, batch], what: "kl_trace of \(n) draws"), what: "kl_trace of \(n) draws")
        let (generator, start) = try stream(a, session, q, n)
        let exact = joint ? nil : try KLRegistry.closedForm(q, p).flatMap { $0.count == 1 ? $0[flat: 0] : nil }
        let run = try LivePlot.around(session, enabled: try a.bool("live")) { live throws(KLSError) in
            try ProgressLine.around(session, a.function, total: n) { line throws(KLSError) -> MonteCarloRun in
                // Live, the picture's title says how far it is, in place of the status line.
                let frames = LiveFrames.Trace()
                let progress: (Int, Moments) -> Void = { done, moments in
                    guard let live else { return line.update(done: done, moments) }
                    frames.record(done, moments)
                    live.update { frames.frame(label: a.function, total: n, exact: exact) }
                }
                if let pair {
                    let run = try JointEstimator(pair, estimators: [estimator], keepTerms: true).run(
                        n: n, generator: generator, start: start, progress: progress)
                    let terms = try run.terms.map { t throws(KLSError) in try Tensor(shape: [n] + shape, adopting: t) }
                    return MonteCarloRun(moments: run.totals, logRatios: terms, ratios: run.ratios.diagnostics())
                }
                guard let engine else { throw KLSError("internal: kl_trace without an engine") }
                return try engine.run(
                    n: n, estimators: [estimator], generator: generator, start: start, keepTerms: true,
                    progress: progress)
            }
        }
        let moments = run.moments
        guard let logRatios = run.logRatios else { throw KLSError("internal: kl_trace kept no terms") }
        try warnIfInfinite(moments[0], a.function, session)
        try warnAboutRatios(run.ratios, shape: shape, a.function, session)
        let terms = try logRatios.apply(cost: 8) { estimator.term($0) }
        // The last row is kl_mc's value exactly (same draws, same chunked sum).
        let trace = try RunningEstimate.trace(terms, shape: terms.shape, endingAt: moments[0].map(\.mean))
        // plot(t) draws it as a line: it travels with the trace's data.
        if let exact { trace.storage.referenceLine = exact }
        return Value.from(trace)
    }

    /// kl_trace with a variance-reduced sampler (Gaussian q): the running
    /// estimate over the draws in the order that refines it evenly.
    static func reducedTrace(
        _ q: any Distribution, _ p: any Distribution, _ estimator: Estimator, _ sampler: Sampler, n: Int,
        _ a: Arguments, _ session: Interpreter
    ) throws(KLSError) -> Value {
        guard !(q is JointDistribution || p is JointDistribution) else {
            throw KLSError("kl_trace: joints are drawn layer by layer from the plain sampler; leave sampler= out")
        }
        let (runner, generator, start) = try reducedStream(q, p, sampler, n: n, a, session)
        let trace = try runner.trace(n: n, estimator: estimator, sampler: sampler, generator: generator, start: start)
        if let exact = try KLRegistry.closedForm(q, p), exact.count == 1 {
            trace.storage.referenceLine = exact[flat: 0]
        }
        return Value.from(trace)
    }

    static func comparison(_ a: Arguments, _ session: Interpreter) throws(KLSError) -> Value {
        let q = try q(a)
        let p = try p(a)
        let n = try a.integer("n", atLeast: 2)
        let joint = q is JointDistribution || p is JointDistribution
        let pair = joint ? try JointPair(q, p) : nil
        let engine = joint ? nil : try MonteCarloEngine(q: q, p: p)
        let shape = pair?.batchShape ?? engine?.batchShape ?? []
        let (generator, start) = try stream(a, session, q, n)
        // Joints: one layer-by-layer pass gives k1, k2, k3 and the analytic estimate.
        var analytic: [Moments]? = nil
        var plainSeconds = 0.0
        let line = ProgressLine(session, label: a.function, total: n)
        defer { line.finish() }
        let run: MonteCarloRun
        if let pair {
            let joint = try JointEstimator(pair, estimators: Estimator.allCases, analytic: true)
                .run(n: n, generator: generator, start: start, progress: line.update)
            analytic = joint.analytic
            run = MonteCarloRun(moments: joint.totals, logRatios: nil, ratios: joint.ratios.diagnostics())
        } else if let engine {
            // k1, k2, k3 and r on the same draws: r gives the control variate's row.
            let terms = Estimator.allCases.map { MonteCarloTerm.kl($0) } + [.divergence(.power(-1))]
            let clock = session.environment.monotonicNanoseconds()
            run = try engine.run(n: n, estimators: terms, generator: generator, start: start, progress: line.update)
            plainSeconds = Double(session.environment.monotonicNanoseconds() &- clock) / 1e9
        } else {
            throw KLSError("internal: compare without an engine")
        }
        let moments = run.moments
        try warnIfInfinite(moments[0], a.function, session)
        try warnAboutRatios(run.ratios, shape: shape, a.function, session)
        let exact = joint ? nil : try KLRegistry.closedForm(q, p)
        var fields: [(String, Value)] = []
        for (e, estimator) in Estimator.allCases.enumerated() {
            fields.append((estimator.rawValue, .record(summary(moments[e], n: n, against: moments[0], shape, exact))))
        }
        if engine != nil {
            let fits = (0..<moments[0].count).map { ControlVariate(moments[0][$0], moments[2][$0], moments[3][$0]) }
            let cv = fits.map { fitted($0, n: n) }
            fields.append(("cv", .record(summary(cv, n: n, against: moments[0], shape, exact))))
            fields += try reducedRows(q, p, n: n, generator, start, moments[0], shape, exact, plainSeconds, session)
        }
        if let analytic {
            fields.append(("analytic", .record(summary(analytic, n: n, against: moments[0], shape, nil))))
        }
        fields.append(("n", .number(Double(n))))
        fields.append(("exact", exact.map(Value.from) ?? .none))
        fields += ratioFields(run.ratios, shape: shape)
        if try a.bool("grad") {
            fields.append(("grad", try gradientComparison(q, p, n: n, generator, start)))
        }
        return .record(Record(kind: "comparison", fields))
    }

    /// One row of compare: mean and stderr per element, bias and relstd (the
    /// per-draw std over the exact KL) where there is an exact value, and
    /// `gain`, the variance ratio against plain k1's (how many times fewer
    /// draws reach its error).
    static func summary(
        _ m: [Moments], n: Int, against k1: [Moments], _ shape: [Int], _ exact: Tensor?
    ) -> Record {
        func field(_ f: (Int) -> Double) -> Value { DivergenceBuiltins.tensorValue(shape, m.indices.map(f)) }
        let perDraw = { (i: Int) in m[i].standardError * Double(n).squareRoot() }
        var fields: [(String, Value)] = [("mean", field { m[$0].mean }), ("stderr", field { m[$0].standardError })]
        if let exact {
            let k = { (i: Int) in exact[flat: i % Swift.max(exact.count, 1)] }
            fields += [("bias", field { m[$0].mean - k($0) }), ("relstd", field { perDraw($0) / k($0) })]
        } else {
            fields += [("bias", .none), ("relstd", .none)]
        }
        let gain = field { i in
            let ratio = k1[i].standardError / m[i].standardError
            return ratio * ratio
        }
        return Record(kind: "summary", fields + [("gain", gain)])
    }

    /// A control-variate fit as moments with its value and stderr (count n).
    static func fitted(_ fit: ControlVariate, n: Int) -> Moments {
        var m = Moments()
        m.count = Double(n)
        m.mean = fit.value
        m.m2 = fit.standardError * fit.standardError * Double(n) * Double(n - 1)
        return m
    }

    /// compare's rows for the variance-reduced samplers (Gaussian q only): k1 on
    /// n Sobol points and on n/2 antithetic pairs, each with its gain and
    /// `speed`, the gain per second against plain k1's pass (equal-error speed).
    static func reducedRows(
        _ q: any Distribution, _ p: any Distribution, n: Int, _ generator: Philox, _ start: UInt64,
        _ k1: [Moments], _ shape: [Int], _ exact: Tensor?, _ plainSeconds: Double, _ session: Interpreter
    ) throws(KLSError) -> [(String, Value)] {
        guard let runner = try VarianceReducedMonteCarlo(q: q, p: p) else { return [] }
        var rows: [(String, Value)] = []
        for sampler in [Sampler.sobol, .antithetic] {
            let clock = session.environment.monotonicNanoseconds()
            let run = try runner.run(n: n, estimator: .k1, sampler: sampler, generator: generator, start: start)
            let seconds = Double(session.environment.monotonicNanoseconds() &- clock) / 1e9
            let row = summary(run.moments, n: run.draws, against: k1, shape, exact)
            let speed = row["gain"].flatMap { try? $0.asTensor() }.map { gains in
                DivergenceBuiltins.tensorValue(shape, gains.values.map { $0 * plainSeconds / Swift.max(seconds, 1e-9) })
            }
            rows.append(
                (
                    sampler.rawValue,
                    .record(
                        Record(
                            kind: "summary",
                            zip(row.names, row.values).map { ($0, $1) }
                                + [("speed", speed ?? .none), ("seconds", .number(seconds))]))
                ))
        }
        return rows
    }

    /// compare's `grad` table: the fused per-draw formulas for a Gaussian pair
    /// of one kind, per-draw tapes for any other reparameterised q.
    static func gradientComparison(
        _ q: any Distribution, _ p: any Distribution, n: Int, _ generator: Philox, _ start: UInt64
    ) throws(KLSError) -> Value {
        if case .gaussian(let gq)? = DifferentiableParts(q), case .gaussian(let gp)? = DifferentiableParts(p),
            gq.isDiagonal == gp.isDiagonal
        {
            return try GradientTable.record(
                try GradientComparison.table(gq, gp, try gq.standard(q), n: n, generator, start))
        }
        guard let qParts = DifferentiableParts(q) else {
            throw KLSError(
                "compare(grad=true) needs a reparameterised q; \(q.family) is not one",
                hint: q.isDiscrete ? "a discrete q has only the score-function estimator" : nil)
        }
        guard let pParts = DifferentiableParts(p) else {
            throw KLSError("compare(grad=true) needs p's density as a formula; \(p.family) is not covered")
        }
        let pair = GradientComparison.GeneralPair(q: q, qParts: qParts, pParts: pParts)
        return try GradientTable.record(try GradientComparison.generalTable(pair, n: n, generator, start))
    }

    static func checkRecord(_ c: SampleCheck) -> Record {
        func vector(_ v: [Double]) -> Value {
            v.count == 1 ? .number(v[0]) : ((try? Tensor(v)).map(Value.tensor) ?? .none)
        }
        return Record(
            kind: "check",
            [
                ("ok", .bool(c.ok)), ("verdict", .string(Text(small: c.verdict))), ("n", .number(Double(c.n))),
                ("mean_z", vector(c.meanZ)), ("std_ratio", vector(c.stdRatio)), ("std_z", vector(c.stdZ)),
                ("ks", c.ksStatistic.map(Value.number) ?? .none), ("ks_pvalue", c.ksPValue.map(Value.number) ?? .none),
            ])
    }
}
