import Foundation
import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// `fit`: the direction explorer — q's family fitted to p under reverse KL,
/// forward KL, Rényi-α or χ², from several starts, every distinct optimum kept
/// (language.md §6, `DirectionFit`).
enum FitBuiltins {
    static let all: [Builtin] = [
        Builtin(
            "fit",
            [
                .required("q").meaning("the first start, whose family is fitted (Normal, DiagNormal, MvNormal, …)"),
                .required("p").meaning("the distribution to fit, with q's event shape"),
                .optional("divergence", .string("reverse_kl"), choices: FitDivergence.names).meaning(
                    "what is minimised: KL(q‖p), KL(p‖q), Rényi D_α(q‖p) or χ²(q‖p)"),
                .optional("alpha").meaning("Rényi's order α > 0 (divergence=\"renyi\")"),
                .optional("restarts", .number(4)).meaning("starts besides q, at draws of p (random scales)"),
                .optional("n", .number(10_000)).meaning("draws the divergence is estimated on, the same every step"),
                .optional("seed"), LiveFrames.parameter,
            ], theme: .divergence,
            summary: "Fits q's parameters to p by a divergence from several starts: {q, value, optima, …}.",
            example: "fit(Normal(0, 1), Mixture([0.5, 0.5], [Normal(-2, 0.6), Normal(2, 0.6)]), seed=1)",
            details: [
                "reverse_kl (KL(q‖p)) seeks a mode; forward_kl (KL(p‖q)) covers the mass (for a Gaussian q,",
                "p's moments); renyi moves between them with α (α → 0 covers, α = 1 is reverse KL) and chi2",
                "(χ²(q‖p), D₂) seeks harder still. Each estimate uses n draws (of q, reparameterised; of p for",
                "forward_kl and renyi below α = ½) held fixed, so L-BFGS converges; the optima are those of that",
                "estimate, within O(1/√n) of the true ones. value and stderr are the divergence at q on n fresh",
                "draws. optima lists every distinct one found (a barrier between them), best first, with how",
                "many starts reached it; plot(r) draws p and each (scalar q). live=true draws the fit as it",
                "runs: p, the q of the current step and the optima so far (scalar q), else the objective.",
            ]
        ) { a, session throws(KLSError) in
            try fit(a, session)
        }
    ]

    static func fit(_ a: Arguments, _ session: Interpreter) throws(KLSError) -> Value {
        let (q, p) = (try KLBuiltins.q(a), try KLBuiltins.p(a))
        try KLRegistry.checkEvents(q, p)
        guard p.batchShape.isEmpty else {
            throw KLSError("fit: p must be one distribution, got a batch of shape \(Shape.describe(p.batchShape))")
        }
        let alpha = a.isNone("alpha") ? nil : try a.number("alpha")
        let divergence = try FitDivergence(name: try a.string("divergence"), alpha: alpha)
        let template = try FitTemplate(q)
        let restarts = try a.integer("restarts", atLeast: 0)
        guard restarts <= maximumRestarts else {
            throw KLSError(
                "fit: restarts must be at most \(maximumRestarts), got \(restarts)",
                hint: "more starts rarely find more optima; split the work over seeds")
        }
        let n = try a.integer("n", atLeast: 2)
        // Without seed=, the draws' seed is itself drawn from the session stream.
        let (generator, start) = try RandomBuiltins.stream(a, session, count: 1)
        let draws =
            a.isNone("seed")
            ? Int(Philox.unit(generator.singleWord(index: start, stream: 0)) * 0x7FFF_FFFF)
            : try a.integer("seed", atLeast: 0)
        let problem = try DirectionFit(template: template, divergence: divergence, p: p, n: n, seed: draws)
        let starts = try startingPoints(template, q, p, count: restarts + 1, generator: Philox(seed: UInt64(draws)))
        let optima = try LivePlot.around(session, enabled: try a.bool("live")) { live throws(KLSError) in
            let frames = live.map { _ in LiveFrames.Fit(p: p, divergence: divergence.name, starts: starts.count) }
            return try descend(problem, from: starts, session, live: live.flatMap { l in frames.map { (l, $0) } })
        }
        guard let best = optima.first else { return .none }
        var fields: [(String, Value)] = [
            ("q", .distribution(best.q)), ("value", .number(best.estimate?.value ?? best.value)),
            ("stderr", .number(best.estimate?.stderr ?? .nan)),
            ("optima", .list(try List(optima.map { Value.record(optimumRecord($0)) }))),
            ("divergence", .string(Text(small: divergence.name))),
        ]
        if case .renyi(let alpha) = divergence { fields.append(("alpha", .number(alpha))) }
        fields += [("n", .number(Double(n))), ("starts", .number(Double(starts.count))), ("p", .distribution(p))]
        return .record(Record(kind: "fit", fields))
    }

    static let maximumRestarts = 1000

    /// One optimum: the fitted q, the divergence there, and how many starts reached it.
    struct Optimum {
        var q: any Distribution
        /// The minimised estimate, as the divergence (on the draws every step used).
        var value: Double
        /// The objective L-BFGS minimised there (D₂ for χ²), and where (θ, unconstrained).
        var objective: Double
        var theta: [Double]
        var found: Int
        /// The divergence at q on fresh draws.
        var estimate: FitEstimate?
    }

    /// An optimum's record: q, the divergence there on fresh draws (the
    /// minimised estimate is biased low — the optimiser fits the draws' noise),
    /// its stderr, and how many starts reached it.
    static func optimumRecord(_ o: Optimum) -> Record {
        Record(
            kind: "optimum",
            [
                ("q", .distribution(o.q)), ("value", .number(o.estimate?.value ?? o.value)),
                ("stderr", .number(o.estimate?.stderr ?? .nan)), ("found", .number(Double(o.found))),
            ])
    }

    /// θ of q, then of `count − 1` more starts: means and locations at draws of
    /// p, other parameters jittered on their unconstrained scale (a scale by a
    /// factor e^(±½) typically).
    static func startingPoints(
        _ template: FitTemplate, _ q: any Distribution, _ p: any Distribution, count: Int, generator: Philox
    ) throws(KLSError) -> [[Tensor]] {
        let first = try template.unconstrained(q)
        var starts = [first]
        for k in 1..<Swift.max(count, 1) {
            let g = generator.derived(k)
            var theta: [Tensor] = []
            for (i, (parameter, value)) in zip(template.parameters, first).enumerated() {
                let noise = try Tensor.normal(shape: value.shape, generator: g.derived(i + 1), start: 0)
                if ["mean", "loc"].contains(parameter.name), value.shape == p.sampleShape {
                    theta.append(try p.sample(nil, generator: g, start: 0))
                } else if case .covariance = parameter.domain {
                    theta.append(value)
                } else {
                    let scale = parameter.domain == .positive ? 0.5 : 1.0
                    theta.append(
                        try Tensor.binary(
                            .add, value, try Tensor.binary(.multiply, noise, scalar: scale, scalarOnLeft: false)))
                }
            }
            starts.append(theta)
        }
        return starts
    }

    /// L-BFGS from each start; the results grouped into distinct optima, best first.
    static func descend(
        _ problem: DirectionFit, from starts: [[Tensor]], _ session: Interpreter,
        live: (plot: LivePlot, frames: LiveFrames.Fit)? = nil
    ) throws(KLSError) -> [Optimum] {
        let shapes = starts[0].map(\.shape)
        let names = problem.template.parameters.map(\.name)
        let valueAndGradient = problem.valueAndGradient()
        func theta(_ x: [Double]) throws(KLSError) -> Value {
            var offset = 0
            var fields: [(String, Value)] = []
            for (name, shape) in zip(names, shapes) {
                let count = shape.reduce(1, *)
                fields.append((name, .tensor(try Tensor(shape: shape, values: Array(x[offset..<(offset + count)])))))
                offset += count
            }
            return .record(Record(fields))
        }
        func evaluate(_ x: [Double]) throws(KLSError) -> (Double, [Double]) {
            let result = try session.call(valueAndGradient, [try theta(x)])
            guard case .record(let r) = result, let value = r["value"], case .record(let g)? = r["grad"] else {
                throw KLSError("internal: fit's objective returned no gradient")
            }
            var gradient: [Double] = []
            for name in names { gradient += try (g[name] ?? .none).asTensor("fit's gradient").values }
            let objective = try value.asNumber("fit's objective")
            live?.frames.evaluated(objective, live?.plot) { () throws(KLSError) -> any Distribution in
                guard case .record(let fitted) = try theta(x),
                    case .distribution(let q) = try problem.template.distribution(fitted.values, session)
                else { throw KLSError("internal: no q at this step") }
                return q
            }
            return (objective, gradient)
        }
        var optima: [Optimum] = []
        for (k, start) in starts.enumerated() {
            live?.frames.start = k
            let result: LBFGS.Result
            do {
                result = try LBFGS().minimize(from: start.flatMap(\.values), evaluate)
            } catch  where error.kind == .interrupted {
                Cancellation.reset()
                live?.plot.interrupted = true
                try session.warn(
                    "fit: interrupted at start \(k + 1); returning the optima found so far", escalates: false)
                break
            }
            guard result.value.isFinite else { continue }
            guard case .record(let fitted) = try theta(result.x) else { continue }
            let q = try problem.template.distribution(fitted.values, session)
            guard case .distribution(let made) = q else { continue }
            let point = Optimum(
                q: made, value: problem.reported(result.value), objective: result.value, theta: result.x, found: 1)
            if try gather(point, into: &optima, evaluate) { live?.frames.found.append(made) }
        }
        return try finished(optima, problem, session)
    }

    /// Adds `point` to `optima`, or counts it towards the optimum whose basin it
    /// is in (keeping the lower of the two); true when it is a new optimum.
    static func gather(
        _ point: Optimum, into optima: inout [Optimum], _ evaluate: ([Double]) throws(KLSError) -> (Double, [Double])
    ) throws(KLSError) -> Bool {
        for (i, o) in optima.enumerated() where try sameBasin(o, point, evaluate) {
            let found = optima[i].found + 1
            if point.objective < optima[i].objective { optima[i] = point }
            optima[i].found = found
            return false
        }
        optima.append(point)
        return true
    }

    /// The optima with their divergence on fresh draws, best first; a warning
    /// when their terms have a heavy tail, an error when there are none.
    static func finished(_ found: [Optimum], _ problem: DirectionFit, _ session: Interpreter) throws(KLSError)
        -> [Optimum]
    {
        var optima = found
        for i in optima.indices { optima[i].estimate = try problem.freshEstimate(optima[i].q) }
        if let k = optima.compactMap({ $0.estimate?.paretoK }).filter(\.isFinite).max(), k > 0.5 {
            try session.warn(
                "fit: the \(problem.divergence.name) terms at an optimum have a heavy tail (Pareto k̂ = "
                    + "\(Formatter.number(k, precision: 3))): its stderr is not reliable, and n more draws may move it")
        }
        guard !optima.isEmpty else {
            throw KLSError(
                "fit: the \(problem.divergence.name) estimate was not finite at any start",
                hint: "a q that puts mass where p has none makes reverse KL, Rényi and χ² infinite (and a p with "
                    + "mass outside q's forward KL): choose q's family to match p's support")
        }
        return optima.sorted { ($0.estimate?.value ?? $0.value) < ($1.estimate?.value ?? $1.value) }
    }

    /// Two end points are one optimum when the objective rises nowhere on the
    /// straight line between them (at a quarter, half and three quarters of the
    /// way, on the unconstrained scale) above the higher end, give or take its
    /// rounding: a barrier between them means two basins. Where the objective
    /// is flat (a StudentT's df → ∞, where q is already Normal), starts stop at
    /// different points of one basin, and this keeps them together.
    static func sameBasin(
        _ a: Optimum, _ b: Optimum, _ evaluate: ([Double]) throws(KLSError) -> (Double, [Double])
    ) throws(KLSError) -> Bool {
        let higher = Swift.max(a.objective, b.objective)
        let slack = 1e-9 * (1 + Swift.abs(higher))
        for t in [0.5, 0.25, 0.75] {
            let point = zip(a.theta, b.theta).map { $0 + t * ($1 - $0) }
            let value: Double
            do {
                value = try evaluate(point).0
            } catch  where error.kind != .interrupted {
                return false
            }
            if !(value <= higher + slack) { return false }
        }
        return true
    }
}
