import Foundation
import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// What `fit` minimises over q.
enum FitDivergence: Equatable, Sendable {
    /// KL(q‖p) = E_q[log q − log p]: mode-seeking.
    case reverseKL
    /// KL(p‖q) = E_p[log p − log q]: mass-covering.
    case forwardKL
    /// Rényi's D_α(q‖p) = 1/(α−1) log E_q[(q/p)^(α−1)]: mass-covering as α → 0, KL at 1.
    case renyi(Double)
    /// χ²(q‖p) = E_q[q/p] − 1 = e^(D₂) − 1 (minimised as D₂, which has its optima).
    case chi2

    static let names = ["reverse_kl", "forward_kl", "renyi", "chi2"]

    init(name: String, alpha: Double?) throws(KLSError) {
        switch name {
        case "reverse_kl": self = .reverseKL
        case "forward_kl": self = .forwardKL
        case "chi2": self = .chi2
        case "renyi":
            guard let alpha else { throw KLSError("fit: divergence=\"renyi\" needs alpha=, its order α > 0") }
            guard alpha > 0, alpha.isFinite else { throw KLSError("fit: alpha must be finite and > 0, got \(alpha)") }
            self = alpha == 1 ? .reverseKL : .renyi(alpha)
        default:
            throw KLSError(
                "fit: divergence must be \"reverse_kl\", \"forward_kl\", \"renyi\" or \"chi2\", got \"\(name)\"",
                hint: Suggestions.hint(for: name, among: Self.names))
        }
        if alpha != nil, name != "renyi" { throw KLSError("fit: alpha= is for divergence=\"renyi\"") }
    }

    /// Whether the estimate averages over draws of p: forward KL, and Rényi
    /// below α = ½ as E_p[(q/p)^α], whose terms stay light-tailed as α → 0
    /// where q's own draws weigh them by (p/q)^(1−α), heavy-tailed wherever q
    /// is narrower than p — and the fit passes through such q.
    var drawsFromP: Bool {
        switch self {
        case .forwardKL: return true
        case .renyi(let alpha): return alpha < 0.5
        case .reverseKL, .chi2: return false
        }
    }

    var name: String {
        switch self {
        case .reverseKL: return "reverse_kl"
        case .forwardKL: return "forward_kl"
        case .renyi: return "renyi"
        case .chi2: return "chi2"
        }
    }
}

/// `fit(q, p, divergence=…)`: q's parameters moved to minimise a divergence
/// from p, estimated on n draws held fixed for every step and every start
/// (common random numbers), so the objective is one smooth function that
/// L-BFGS minimises exactly; its optima lie within O(1/√n) of the true ones.
struct DirectionFit: @unchecked Sendable {
    let template: FitTemplate
    let divergence: FitDivergence
    let p: any Distribution
    let n: Int
    let seed: Int
    /// Forward KL's draws of p and log p at them, drawn once.
    let drawsOfP: (z: Tensor, logp: Tensor)?

    init(template: FitTemplate, divergence: FitDivergence, p: any Distribution, n: Int, seed: Int) throws(KLSError) {
        (self.template, self.divergence, self.p, self.n, self.seed) = (template, divergence, p, n, seed)
        guard divergence.drawsFromP else {
            drawsOfP = nil
            return
        }
        let z = try p.sample(n, generator: Philox(seed: UInt64(seed)), start: 0)
        drawsOfP = (z, try p.logpdf(z))
    }

    /// The objective at θ (traced under `grad`): an estimate of the divergence
    /// (D₂ for χ²), a number.
    func objective(_ theta: [Value], _ session: Interpreter) throws(KLSError) -> Value {
        let q = try template.distribution(theta, session)
        func call(_ name: String, _ arguments: [Value], keywords: [(String, Value)] = []) throws(KLSError) -> Value {
            try template.call(name, arguments, session, keywords: keywords)
        }
        if let drawsOfP {
            let logq = try call("logpdf", [q, .tensor(drawsOfP.z)])
            guard case .renyi(let alpha) = divergence else {
                let mean = drawsOfP.logp.values.reduce(0, +) / Double(n)
                return try Operators.arithmetic(.subtract, .number(mean), try call("mean", [logq]))
            }
            let terms = try Operators.arithmetic(
                .multiply, .number(alpha), try Operators.arithmetic(.subtract, logq, .tensor(drawsOfP.logp)))
            return try Operators.arithmetic(.divide, try call("logmeanexp", [terms]), .number(alpha - 1))
        }
        let z = try call("sample", [q], keywords: [("n", .number(Double(n))), ("seed", .number(Double(seed)))])
        let terms = try Operators.arithmetic(
            .subtract, try call("logpdf", [q, z]), try call("logpdf", [.distribution(p), z]))
        switch divergence {
        case .reverseKL, .forwardKL: return try call("mean", [terms])
        case .chi2: return try call("logmeanexp", [terms])
        case .renyi(let alpha):
            let scaled = try Operators.arithmetic(.multiply, .number(alpha - 1), terms)
            return try Operators.arithmetic(.divide, try call("logmeanexp", [scaled]), .number(alpha - 1))
        }
    }

    /// The divergence from the objective's value (χ² = e^(D₂) − 1).
    func reported(_ objective: Double) -> Double { divergence == .chi2 ? Foundation.expm1(objective) : objective }

    /// The divergence at a fitted q on n fresh draws (the seed after the
    /// fitting draws') of the side the fit drew from: value, stderr (the delta
    /// method's for Rényi and χ²), and the Pareto k̂ of the terms' own tail
    /// where they have one.
    func freshEstimate(_ q: any Distribution) throws(KLSError) -> FitEstimate {
        // Rényi from p's draws averages e^(−α ℓ) with ℓ = log p − log q there:
        // (q/p)^α, growing as the ratio q/p (the engine's r) to the power α.
        typealias Tail = (power: Double, ofQOverP: Bool)?
        let (first, second, kind, term, tail): (any Distribution, any Distribution, Divergence, DivergenceTerm, Tail) =
            switch divergence {
            case .reverseKL: (q, p, .kl, .logRatio, nil)
            case .forwardKL: (p, q, .kl, .logRatio, nil)
            case .chi2: (q, p, .chi2, Divergence.chi2.term, Divergence.chi2.termTail)
            case .renyi(let alpha) where alpha < 0.5:
                (p, q, .renyi(alpha: alpha), .power(-alpha), (power: alpha, ofQOverP: false))
            case .renyi(let alpha):
                (
                    q, p, .renyi(alpha: alpha), Divergence.renyi(alpha: alpha).term,
                    Divergence.renyi(alpha: alpha).termTail
                )
            }
        var engine = try MonteCarloEngine(q: first, p: second)
        engine.diagnosesQOverP = tail?.ofQOverP ?? false
        let run = try engine.run(
            n: n, estimators: [.divergence(term)], generator: Philox(seed: UInt64(seed) &+ 1), start: 0)
        let m = run.moments[0][0]
        let paretoK = tail.flatMap { t in run.ratios.first.map { t.power * $0.paretoK } }
        return FitEstimate(
            value: kind.value(fromMean: m.mean),
            stderr: kind.standardError(mean: m.mean, standardError: m.standardError), paretoK: paretoK)
    }

    /// value_and_grad of the objective in θ, as a function of a record of θ's tensors.
    func valueAndGradient() -> Function {
        let fit = self
        let objective = Builtin(
            "fit objective", [.required("theta")], theme: .gradients, summary: "The objective fit minimises.",
            example: "fit(q, p)"
        ) { a, session throws(KLSError) in
            guard case .record(let theta) = a["theta"] else { throw KLSError("internal: fit's θ is not a record") }
            return try fit.objective(theta.values, session)
        }
        guard
            case .function(let f) = GradientBuiltins.gradientFunction(
                Function(.builtin(objective)), argument: 0, withValue: true)
        else { return Function(.builtin(objective)) }
        return f
    }
}

/// A fitted q's divergence on fresh draws.
struct FitEstimate {
    var value: Double
    var stderr: Double
    /// The terms' tail (nil where they have none of their own): above 0.5 the stderr is unreliable.
    var paretoK: Double?
}
