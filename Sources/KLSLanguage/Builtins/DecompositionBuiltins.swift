import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// ELBO surgery: the aggregate posterior of an encoder over its data points and
/// the split of the mean KL term into its parts (language.md §6, `KLDecomposition`).
enum DecompositionBuiltins {
    static let all: [Builtin] = [
        Builtin(
            "aggregate", [.required("q").meaning("a DiagNormal (or Normal) whose batch [N] runs over data points")],
            theme: .divergence,
            summary: "The aggregate posterior q(z) = 1/N Σ q(z|x_k): a mixture with one component per data point.",
            example: "aggregate(DiagNormal(randn([100, 2]), ones([100, 2])))",
            details: [
                "A distribution like any other: sample, logpdf (a streamed log-sum-exp over the N points),",
                "mean, var, kl_mc(aggregate(q), p). No closed-form entropy or KL.",
            ]
        ) { a, _ throws(KLSError) in .distribution(try AggregatePosterior(try KLBuiltins.q(a))) },
        Builtin(
            "kl_decomposition",
            [
                .required("q").meaning("the encoder's posteriors: DiagNormal with batch [N] over the data points"),
                .required("p").meaning("the prior: StdNormal, DiagNormal (event [d]) or Normal for d = 1"),
                .optional("n", .number(1000)).meaning("draws (a data point, then z from its posterior)"),
                .optional("seed"),
            ], theme: .divergence,
            summary: "The KL term over a dataset split: mean_kl = mutual_info + marginal_kl, and TC + dimension-wise.",
            example: "kl_decomposition(DiagNormal(randn([200, 3]), 0.5 * ones([200, 3])), StdNormal(3), seed=1)",
            details: [
                "A record of estimate records on the same n draws (log q(z) exact over all N points):"
            ] + KLDecomposition.Term.allCases.map { "  \($0.rawValue): \($0.summary)" }
                + [
                    "with mean_kl = mutual_info + marginal_kl and marginal_kl = total_correlation +",
                    "dimensionwise_kl on every draw (identity_gap: the largest difference); mean_kl's exact",
                    "closed form and z beside it. Per dimension: dimension_kl (its aggregate against the",
                    "prior's, with dimension_kl_stderr), dimension_mean_kl (exact) and activity, the variance",
                    "of the posterior means over the data (Burda et al.: below 0.01, the dimension has",
                    "collapsed). Hoffman & Johnson 2016; Chen et al. 2018. Cost: n · N · d.",
                ]
        ) { a, session throws(KLSError) in try decomposition(a, session) },
    ]

    static func decomposition(_ a: Arguments, _ session: Interpreter) throws(KLSError) -> Value {
        let q = try KLBuiltins.q(a)
        let p = try KLBuiltins.p(a)
        let aggregate = try AggregatePosterior(q, function: a.function)
        let prior = try factorisedPrior(p, q)
        let n = try a.integer("n", atLeast: 2)
        let (generator, start) = try KLBuiltins.stream(a, session, drawsPerSample: aggregate.drawsPerSample, n)
        let result = try ProgressLine.around(session, a.function, total: n) { _ throws(KLSError) in
            try KLDecomposition.run(aggregate, prior: prior, n: n, generator: generator, start: start)
        }
        let exact = try KLRegistry.closedForm(q, p).map { t in t.values.reduce(0, +) / Double(Swift.max(t.count, 1)) }
        var fields: [(String, Value)] = KLDecomposition.Term.allCases.map { term in
            let moments = result.terms[term] ?? Moments()
            let closed = term == .meanKL ? exact.map { Tensor(scalar: $0) } : nil
            return (
                term.rawValue,
                .record(KLBuiltins.estimateRecord([moments], shape: [], n: n, estimator: .k1, exact: closed))
            )
        }
        let d = aggregate.dimensions
        let vector = { (values: [Double]) in (try? Tensor(shape: [d], values: values)).map(Value.from) ?? .none }
        fields += [
            ("dimension_kl", vector(result.perDimension.map(\.mean))),
            ("dimension_kl_stderr", vector(result.perDimension.map(\.standardError))),
            ("dimension_mean_kl", vector(try dimensionMeanKL(aggregate, prior))),
            ("activity", vector(activity(aggregate))),
            ("identity_gap", .number(result.identityGap)),
            ("points", .number(Double(aggregate.count))), ("dims", .number(Double(d))), ("n", .number(Double(n))),
        ]
        return .record(Record(kind: "kl_decomposition", fields))
    }

    /// The prior as one Gaussian per latent dimension.
    static func factorisedPrior(_ p: any Distribution, _ q: any Distribution) throws(KLSError)
        -> KLDecomposition.Prior
    {
        guard p.batchShape.isEmpty, p.eventShape == q.eventShape, let mean = try? p.mean(),
            let variance = try? p.variance(), GaussianMixture.isGaussian(p), !(p is MvNormal)
        else {
            throw KLSError(
                "kl_decomposition: p must be a factorised Gaussian prior with q's event shape "
                    + Shape.describe(q.eventShape) + " and no batch — StdNormal, DiagNormal or Normal; got "
                    + "\(p.family) with batch \(Shape.describe(p.batchShape)) and event "
                    + Shape.describe(p.eventShape),
                hint: "for d latents: StdNormal(d)")
        }
        return KLDecomposition.Prior(means: mean.values, stds: variance.values.map { $0.squareRoot() })
    }

    /// Each dimension's KL(q(z_j|x_k) ‖ p(z_j)) averaged over the points, from
    /// the KL registry's closed form for Normals.
    static func dimensionMeanKL(_ q: AggregatePosterior, _ prior: KLDecomposition.Prior) throws(KLSError) -> [Double] {
        let (n, d) = (q.count, q.dimensions)
        let components = try Normal([q.parameters[0].value, q.parameters[1].value])
        let marginals = try Normal([
            try Tensor(shape: [d], values: prior.means), try Tensor(shape: [d], values: prior.stds),
        ])
        guard let kl = try KLRegistry.closedForm(components, marginals) else {
            throw KLSError("internal: no closed form for Normal ‖ Normal")
        }
        return (0..<d).map { j in (0..<n).reduce(0.0) { $0 + kl[flat: $1 * d + j] } / Double(n) }
    }

    /// The variance over the data points of each dimension's posterior mean.
    static func activity(_ q: AggregatePosterior) -> [Double] {
        let (n, d) = (q.count, q.dimensions)
        let means = q.parameters[0].value
        return (0..<d).map { j in
            let column = (0..<n).map { means[flat: $0 * d + j] }
            let centre = column.reduce(0, +) / Double(n)
            return column.reduce(0.0) { $0 + ($1 - centre) * ($1 - centre) } / Double(n)
        }
    }
}
