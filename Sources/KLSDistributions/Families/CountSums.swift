import KLSTensor

/// Sums over the support of a count family, for the quantities without a
/// closed form (a Poisson's or a Binomial's entropy, a Binomial KL between
/// different counts): written once over the family's own mass function, so a
/// gradient differentiates them term by term.
enum CountSums {
    /// The counts holding all but a negligible part (below 10⁻³⁰) of the mass of
    /// every distribution given by its mean, standard deviation and the count
    /// past which its tail falls by a further 10³⁰ (a geometric tail's reach),
    /// capped at `limit` terms.
    static func window(means: [Double], deviations: [Double], reach: [Double] = [], limit: Int = 10_000_000)
        -> ClosedRange<Int>
    {
        var (low, high) = (Double.infinity, 0.0)
        for (i, (mean, deviation)) in zip(means, deviations).enumerated() {
            low = Swift.min(low, mean - 12 * deviation - 10)
            high = Swift.max(high, mean + 12 * deviation + 10 + (i < reach.count ? reach[i] : 0))
        }
        guard low.isFinite || high > 0 else { return 0...0 }
        let first = Swift.max(0, low.isFinite ? Int(Swift.max(0, Swift.min(low, Double(limit)))) : 0)
        let last = Int(Swift.min(Swift.max(high, 0).rounded(.up), Double(first + limit)))
        return first...Swift.max(first, last)
    }
}

extension ScalarFamily {
    /// −Σ p(k) log p(k) for k in `counts`, p the family's mass (`logDensity`),
    /// every k a count each distribution gives mass to.
    static func entropyBySum<N: FormulaNumber>(_ t: ParameterValues<Self, N>, over counts: ClosedRange<Int>)
        throws(N.Failure) -> N
    {
        var sum = N.constant(0)
        for k in counts {
            let logMass = try logDensity(N.constant(Double(k)), t)
            sum = try sum - N.exp(logMass) * logMass
        }
        return sum
    }
}
