import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// `kl_mc(q, p)` of two joints: k1, k2, k3 or the Rao–Blackwellised
/// "analytic" estimate, one per batch element, with each layer's share when
/// `per_layer=true`, from fresh draws or from the user's own (`samples=`).
enum JointMonteCarlo {
    static func estimate(_ a: Arguments, _ session: Interpreter, _ pair: JointPair) throws(KLSError) -> Value {
        let analytic = try a.string("estimator") == "analytic"
        let estimator = analytic ? .k1 : try KLBuiltins.estimator(a)
        let perLayer = try a.bool("per_layer")
        guard a.isNone("samples") else {
            guard !analytic, !perLayer else {
                throw KLSError("kl_mc: samples= cannot be combined with estimator=\"analytic\" or per_layer=true")
            }
            return try ownDraws(a, session, pair, estimator)
        }
        let n = try a.integer("n", atLeast: 1)
        let (generator, start) = try KLBuiltins.stream(a, session, pair.q, n)
        let run = try ProgressLine.around(session, a.function, total: n) { line throws(KLSError) in
            try JointEstimator(pair, estimators: [estimator], perLayer: perLayer, analytic: analytic).run(
                n: n, generator: generator, start: start, progress: line.update)
        }
        let shape = pair.batchShape
        let moments = analytic ? run.analytic : run.totals[0]
        let ratios = run.ratios.diagnostics()
        var extra = KLBuiltins.ratioFields(ratios, shape: shape)
        if perLayer {
            let layers = zip(pair.q.layers, run.layers).map { layer, m in
                let record = KLBuiltins.estimateRecord(m, shape: shape, n: n, estimator: .k1, exact: nil)
                return (layer.name, Value.record(record))
            }
            extra.append(("layers", .record(Record(layers))))
        }
        if analytic { extra += try raoBlackwellised(pair, run.closedForm, session) }
        var record = KLBuiltins.estimateRecord(
            moments, shape: shape, n: n, estimator: estimator, exact: nil, extra: extra)
        if analytic {
            record = Record(
                kind: "estimate",
                zip(record.names, record.values).map {
                    $0 == "estimator" ? ($0, .string(Text(small: "analytic"))) : ($0, $1)
                })
        }
        try KLBuiltins.warnIfInfinite(moments, a.function, session)
        try KLBuiltins.warnAboutRatios(ratios, shape: shape, a.function, session)
        try KLBuiltins.warnIfNegative(moments, estimator, session)
        return .record(record)
    }

    /// The analytic estimate's account of itself: `closed_form`, the layers
    /// whose conditional KL stood in for their log-ratio, and `k1_layers`, why
    /// each other layer kept its k1 terms.
    static func raoBlackwellised(_ pair: JointPair, _ closed: [Bool], _ session: Interpreter) throws(KLSError)
        -> [(String, Value)]
    {
        var used: [Value] = []
        var kept: [(String, Value)] = []
        for (l, layer) in pair.q.layers.enumerated() {
            if closed[l] {
                used.append(.string(Text(small: layer.name)))
                continue
            }
            let why = pair.blocked[l] ?? "kl has no closed form for this layer's pair of families"
            kept.append((layer.name, .string(Text(small: why))))
        }
        if used.isEmpty {
            try session.warn("kl_mc: no layer has a closed-form conditional KL, so \"analytic\" is k1 here")
        }
        return [("closed_form", .list(List(small: used))), ("k1_layers", .record(Record(kept)))]
    }

    /// kl_mc(q, p, samples=z): the estimate from the user's own draws of q (a
    /// record of layers), with a warning when they do not look like q's.
    static func ownDraws(_ a: Arguments, _ session: Interpreter, _ pair: JointPair, _ estimator: Estimator)
        throws(KLSError) -> Value
    {
        let z = try a.read("samples") { v, what throws(KLSError) in try JointBuiltins.layers(pair.q, v, what) }
        let n = z.count
        guard !z.single, z.batch == pair.q.batchShape || z.batch == pair.batchShape else {
            throw KLSError(
                "kl_mc: samples= must hold [n] + each layer's shape (batch \(Shape.describe(pair.q.batchShape)))")
        }
        let run = try MonteCarloEngine.estimate(
            logRatios: try pair.logRatios(z.layers, rows: n), estimators: [estimator])
        let shape = pair.batchShape
        let moments = run.moments[0]
        if n >= 2, let check = try? JointBuiltins.check(z, pair.q), case .bool(false)? = check["ok"],
            case .string(let verdict)? = check["verdict"]
        {
            try session.warn(Messages.samplesNotFromQ(verdict: verdict.string))
        }
        let record = KLBuiltins.estimateRecord(
            moments, shape: shape, n: n, estimator: estimator, exact: nil,
            extra: KLBuiltins.ratioFields(run.ratios, shape: shape))
        try KLBuiltins.warnIfInfinite(moments, a.function, session)
        try KLBuiltins.warnAboutRatios(run.ratios, shape: shape, a.function, session)
        try KLBuiltins.warnIfNegative(moments, estimator, session)
        return .record(record)
    }
}
