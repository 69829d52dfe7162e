import Foundation
import KLSDiagnostics
import KLSTensor

/// A divergence between q and p other than (and including) KL, in nats, as
/// `divergence`, `divergence_mc` and `divergence_quad` compute it. Conventions:
/// Rényi-α is 1/(α − 1)·log ∫ q^α p^(1−α) (KL at α = 1); χ²(q‖p) (Pearson) is
/// E_p[(q/p − 1)²] and Neyman's is ∫(q − p)²/q; squared Hellinger is
/// 1 − ∫√(qp); Bhattacharyya is −log ∫√(qp); total variation is ½∫|q − p|;
/// Jensen–Shannon is the divergence ½KL(q‖m) + ½KL(p‖m), m = (q + p)/2, not its
/// square root; Jeffreys is KL(q‖p) + KL(p‖q).
///
/// Each is an expectation over draws of q of a term of the log-ratio
/// ℓ = log q(z) − log p(z) (`term`), turned into the divergence by `value`
/// (and its standard error by the delta method); Jensen–Shannon and Jeffreys
/// add the same over draws of p (`fromP`).
public enum Divergence: Sendable, Equatable {
    case kl
    case renyi(alpha: Double)
    case chi2
    case neyman
    case hellinger
    case bhattacharyya
    case totalVariation
    case jensenShannon
    case jeffreys

    /// The kinds `kind=` takes, in the order help lists them.
    public static let kinds = ["kl", "renyi", "chi2", "neyman", "hellinger", "bhattacharyya", "tv", "js", "jeffreys"]

    /// The divergence named `kind` (`alpha` for Rényi: any α > 0; α = 1 is KL).
    public init(kind: String, alpha: Double?) throws(KLSError) {
        if kind != "renyi", alpha != nil {
            throw KLSError("alpha= is for kind=\"renyi\", not \"\(kind)\"")
        }
        switch kind {
        case "kl": self = .kl
        case "renyi":
            guard let alpha else {
                throw KLSError("kind=\"renyi\" needs alpha= (any α > 0; α = 1 is KL, α = 0.5 twice Bhattacharyya)")
            }
            guard alpha > 0, alpha.isFinite else {
                throw KLSError("alpha must be a finite number above 0, got \(alpha)")
            }
            self = alpha == 1 ? .kl : .renyi(alpha: alpha)
        case "chi2": self = .chi2
        case "neyman": self = .neyman
        case "hellinger": self = .hellinger
        case "bhattacharyya": self = .bhattacharyya
        case "tv": self = .totalVariation
        case "js": self = .jensenShannon
        case "jeffreys": self = .jeffreys
        default:
            throw KLSError(
                "unknown divergence kind \"\(kind)\"",
                hint: "one of " + Divergence.kinds.map { "\"\($0)\"" }.joined(separator: ", ")
                    + ", or a function f for D_f(q‖p) = E_p[f(q/p)]")
        }
    }

    /// The kind's name, as `kind=` takes it.
    public var name: String {
        switch self {
        case .kl: return "kl"
        case .renyi: return "renyi"
        case .chi2: return "chi2"
        case .neyman: return "neyman"
        case .hellinger: return "hellinger"
        case .bhattacharyya: return "bhattacharyya"
        case .totalVariation: return "tv"
        case .jensenShannon: return "js"
        case .jeffreys: return "jeffreys"
        }
    }

    /// The term averaged over draws of q.
    public var term: DivergenceTerm {
        switch self {
        case .kl, .jeffreys: return .logRatio
        case .renyi(let alpha): return .power(alpha - 1)
        case .chi2: return .power(1)
        case .neyman: return .neyman
        case .hellinger: return .hellinger
        case .bhattacharyya: return .power(-0.5)
        case .totalVariation: return .totalVariation
        case .jensenShannon: return .jensenShannon
        }
    }

    /// The term averaged over draws of p, with ℓ = log p − log q there, for the
    /// divergences that also read p's side; nil for the others.
    public var fromP: DivergenceTerm? {
        switch self {
        case .jeffreys: return .logRatio
        case .jensenShannon: return .jensenShannon
        default: return nil
        }
    }

    /// The divergence from the mean of its terms (the sum of both sides' means
    /// for Jensen–Shannon and Jeffreys).
    public func value(fromMean m: Double) -> Double {
        switch self {
        case .renyi(let alpha): return Foundation.log(m) / (alpha - 1)
        case .chi2: return m - 1
        case .bhattacharyya: return -Foundation.log(m)
        default: return m
        }
    }

    /// The standard error of `value(fromMean:)` from the mean's (the delta
    /// method where the value is a function of the mean other than a shift).
    public func standardError(mean m: Double, standardError s: Double) -> Double {
        switch self {
        case .renyi(let alpha): return s / (Swift.abs(alpha - 1) * m)
        case .bhattacharyya: return s / m
        default: return s
        }
    }

    /// How the terms' tail follows a ratio's: they grow as ratio^power where the
    /// ratio is large, the ratio being r = p/q (where p ≫ q) or, with
    /// `ofQOverP`, q/p (where q ≫ p: χ², Rényi with α > 1), so their Pareto k̂
    /// is `power` times the ratio's. Nil where the terms stay bounded or grow
    /// like a log (KL, Jeffreys, total variation, Jensen–Shannon).
    public var termTail: (power: Double, ofQOverP: Bool)? {
        switch self {
        case .renyi(let alpha): return alpha < 1 ? (1 - alpha, false) : (alpha - 1, true)
        case .chi2: return (1, true)
        case .neyman: return (2, false)
        case .hellinger, .bhattacharyya: return (0.5, false)
        default: return nil
        }
    }

    /// Whether the value is a log of a mean (Rényi, Bhattacharyya): its
    /// estimate is biased at small n, and its tail is the Pareto k̂ of the terms.
    public var isLogMean: Bool {
        switch self {
        case .renyi, .bhattacharyya: return true
        default: return false
        }
    }
}

/// What a Monte Carlo divergence averages, from one log-ratio ℓ.
public enum DivergenceTerm: Sendable, Equatable {
    /// ℓ.
    case logRatio
    /// e^(cℓ): Rényi's (q/p)^(α−1), χ²'s q/p, Bhattacharyya's √(p/q).
    case power(Double)
    /// (1 − p/q)² = (1 − e^(−ℓ))².
    case neyman
    /// 1 − √(p/q) = 1 − e^(−ℓ/2): squared Hellinger.
    case hellinger
    /// (1 − p/q)₊ = max(0, 1 − e^(−ℓ)): ∫(q − p)₊ is the total variation
    /// (∫(q − p)₊ = ∫(p − q)₊), and these terms lie in [0, 1] where ½|1 − p/q|
    /// has p/q's heavy tail.
    case totalVariation
    /// ½ log(2q/(q + p)) = ½(log 2 − softplus(−ℓ)).
    case jensenShannon

    /// The term at one log-ratio (quadrature's integrand): `terms` of one.
    public func callAsFunction(_ l: Double) -> Double {
        var (input, output) = (l, 0.0)
        withUnsafePointer(to: &input) { x in withUnsafeMutablePointer(to: &output) { terms(x, 1, into: $0) } }
        return output
    }

    /// The terms of `count` log-ratios into `out` (not `logRatios`: the
    /// Jensen–Shannon terms read ℓ again after writing), with the vector
    /// kernels of exp and log1p (`UnaryFunction.run`) — the one formula of
    /// each term, for the Monte Carlo engine and quadrature alike.
    public func terms(_ logRatios: UnsafePointer<Double>, _ count: Int, into out: UnsafeMutablePointer<Double>) {
        let all = 0..<count
        switch self {
        case .logRatio:
            if UnsafePointer(out) != logRatios { out.update(from: logRatios, count: count) }
        case .power(let c):
            for i in all { out[i] = c * logRatios[i] }
            UnaryFunction.exp.run(out, out, all)
        // 1 − e^(−x) rather than −expm1(−x): near ℓ = 0 they differ by an ulp of 1
        // (an absolute 1e-16 per unit of q in an integral, far below a Monte Carlo
        // error), and exp is the faster kernel (expm1 kept Hellinger at 1.8× kl_mc).
        case .neyman:
            for i in all { out[i] = -logRatios[i] }
            UnaryFunction.exp.run(out, out, all)
            for i in all { out[i] = (1 - out[i]) * (1 - out[i]) }
        case .hellinger:
            for i in all { out[i] = -0.5 * logRatios[i] }
            UnaryFunction.exp.run(out, out, all)
            for i in all { out[i] = 1 - out[i] }
        case .totalVariation:
            for i in all { out[i] = -logRatios[i] }
            UnaryFunction.exp.run(out, out, all)
            for i in all { out[i] = Swift.max(0, 1 - out[i]) }
        case .jensenShannon:
            // softplus(−ℓ) = max(−ℓ, 0) + log1p(e^(−|ℓ|)).
            for i in all { out[i] = -Swift.abs(logRatios[i]) }
            UnaryFunction.exp.run(out, out, all)
            UnaryFunction.log1p.run(out, out, all)
            let log2 = Foundation.log(2.0)
            for i in all { out[i] = 0.5 * (log2 - (Swift.max(-logRatios[i], 0) + out[i])) }
        }
    }
}
