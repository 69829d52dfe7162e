import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// The longer user-facing messages of the language layer, kept out of the
/// interpreter and the builtins' logic.
enum Messages {
    // MARK: Calls

    static func plural(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    static func userArity(_ label: String, parameters: Int, list: String, given: Int) -> String {
        "\(label) takes \(plural(parameters, "argument")) (\(list)), got \(given)"
    }

    static func builtinArity(_ name: String, parameters: Int, given: Int) -> String {
        "\(name) takes at most \(plural(parameters, "argument")), got \(given)"
    }

    // MARK: Values

    static func notNumeric(_ what: String, holding items: List) -> String {
        "\(what) must be numeric, got a list holding \(items.first { !$0.isNumeric }?.typeName ?? "non-numbers")"
    }

    static func ragged(first: [Int], other i: Int, _ shape: [Int]) -> String {
        "ragged nested list: element 0 has shape \(Shape.describe(first)) but element \(i) has shape "
            + Shape.describe(shape)
    }

    static func assertCloseGap(_ p: Double, _ q: Double, tolerance: Double) -> String {
        if p.isNaN || q.isNaN { return "nan is never close to anything" }
        if !p.isFinite || !q.isFinite { return "an infinity is close only to the same infinity" }
        return "|a − b| = \(Formatter.number(Swift.abs(p - q), precision: 3)) > "
            + Formatter.number(tolerance, precision: 3)
    }

    static func plotLengths(_ x: [Int], _ y: [Int]) -> String {
        "plot: x and y must be 1-D of the same length, got \(Shape.describe(x)) and \(Shape.describe(y))"
    }

    // MARK: Distributions and KL

    static func logvarOverflow(function: String, worst: Double) -> String {
        let what = worst > 0 ? "overflows exp: the variance is inf" : "underflows exp: the variance is 0"
        return "\(function): logvar = \(Formatter.number(worst)) \(what), so densities and KL become inf or nan; "
            + "clip it first, e.g. clip(logvar, -30, 30)"
    }

    static func samplesShape(_ draws: [Int], got z: [Int]) -> String {
        "kl_mc: samples must have shape [n] + \(Shape.describe(draws)) (draws of q), got \(Shape.describe(z))"
    }

    static func samplesNotFromQ(verdict: String) -> String {
        "kl_mc: the samples do not look like draws from q: \(verdict), so this is not an estimate of KL(q‖p); "
            + "draw them as z = sample(q, n=…) or check(z, q)"
    }

    static func negativeK1(_ worst: Moments) -> String {
        "kl_mc: the k1 estimate is negative (\(Formatter.number(worst.mean)) ± "
            + "\(Formatter.number(worst.standardError, precision: 2))). KL is never negative: this is Monte Carlo "
            + "noise or samples not drawn from q; use more samples, estimator=\"k3\" (never negative), or check(z, q)"
    }

    /// An estimate is +inf because some draw of q lies where p has no density.
    static func infiniteEstimate(function: String, which: String) -> String {
        "\(function): the estimate is inf\(which): some draws z ~ q have p(z) = 0, so log q(z) − log p(z) = +inf. "
            + "q puts mass where p has none, and KL(q‖p) is infinite"
    }

    /// n above `MonteCarloEngine.maximumDraws`.
    static func tooManyDraws(function: String, n: Int) -> String {
        "\(function): n = \(Formatter.number(Double(n))) draws is more than the "
            + "\(Formatter.number(Double(MonteCarloEngine.maximumDraws))) kls runs in one call"
    }

    /// r's upper tail is too heavy for averages of r (Pareto k̂ above 0.7).
    static func heavyRatioTail(function: String, k: Double, which: String) -> String {
        "\(function): the ratio r = p(z)/q(z) has a heavy upper tail\(which) (Pareto k̂ = \(Formatter.number(k)) "
            + "> 0.7): averages of r — k3's, and k2's spread — cannot be trusted however large n, and usually come "
            + "out too low; k1 (an average of log r) is usually still sound. Give q wider tails than p "
            + "(for Gaussians, each variance at least half of p's), or compare with k1 and kl(q, p)"
    }

    /// The mean of r is away from 1: k1 and k3 disagree. With k̂ above 0.5 the
    /// likelier cause is r's infinite variance, else p's mass outside q's support.
    static func ratioMeanAwayFromOne(function: String, ratio r: RatioDiagnostics, which: String) -> String {
        let cause: String
        if r.paretoK > 0.5 {
            cause =
                "r's variance looks infinite (Pareto k̂ = \(Formatter.number(r.paretoK)) > 0.5), so its mean, and "
                + "k3's, settles slowly and mostly runs low; trust k1, or give q wider tails"
        } else if r.meanR > 1 {
            cause =
                "E_q[r] is at most 1 for draws of q, so these draws do not look like draws of q; check(z, q) tests them"
        } else {
            cause =
                "E_q[r] is the mass p puts on q's support: below 1, p has mass where q has none, and k2 and k3 are "
                + "biased while k1 is not; use k1, or kl(q, p) where it exists"
        }
        return "\(function): the mean of r = p(z)/q(z) over the draws is \(Formatter.number(r.meanR)) ± "
            + "\(Formatter.number(r.meanRStandardError, precision: 2))\(which), not 1, so k1 and k3 disagree "
            + "(k3 − k1 is r − 1 per draw). \(cause)"
    }
}
