/// One of the deterministic estimates of KL(f‖g) between Gaussian mixtures
/// f = Σ π_a f_a and g = Σ ω_b g_b that Hershey and Olsen (2007) compare, with
/// the lower bound of Durrieu, Thiran and Kelly (2012). Declared once: the
/// record's fields, their order, labels and help come from here.
public enum MixtureEstimate: String, CaseIterable, Sendable {
    case variational
    case product
    case matchedBound = "matched_bound"
    case unscented
    case goldberger
    case upperBound = "upper_bound"
    case lowerBound = "lower_bound"

    /// What an estimate promises about the true KL.
    public enum Guarantee: String, Sendable {
        case approximation
        case upperBound = "upper bound"
        case lowerBound = "lower bound"
    }

    public var guarantee: Guarantee {
        switch self {
        case .variational, .product, .unscented, .goldberger: return .approximation
        case .matchedBound, .upperBound: return .upperBound
        case .lowerBound: return .lowerBound
        }
    }

    /// One line for help and docs: the formula, in words.
    public var summary: String {
        switch self {
        case .variational:
            return "Σ π_a log(Σ π_a' e^−KL(f_a‖f_a') / Σ ω_b e^−KL(f_a‖g_b))"
        case .product:
            return "Σ π_a log(Σ π_a' ∫f_a f_a' / Σ ω_b ∫f_a g_b) (Jensen on both cross-entropies)"
        case .matchedBound:
            return "min over matchings m of Σ π_a (log(π_a/ω_m(a)) + KL(f_a‖g_m(a))); equal counts"
        case .unscented:
            return "Σ π_a · mean of log q/p at f_a's sigma points μ_a ± √d·(column of chol Σ_a)"
        case .goldberger:
            return "Σ π_a (KL(f_a‖g_m(a)) + log(π_a/ω_m(a))), m(a) = argmin_b KL(f_a‖g_b) − log ω_b"
        case .upperBound:
            return "min over couplings of Σ φ_ab (log(φ_ab/ψ_ab) + KL(f_a‖g_b)) (variational)"
        case .lowerBound:
            return "max(0, Σ π_a [log Σ π_a' e^−KL(f_a‖f_a') − H(f_a) − log Σ ω_b ∫f_a g_b])"
        }
    }
}
