import KLSTensor

/// A scalar family with a closed-form KL between two of its members, written
/// once, generic over the number it computes with: Doubles for `kl`, traced
/// values for its gradient.
public protocol ClosedFormKLFamily: ScalarFamily {
    /// KL(q ‖ p) for one pair of parameter sets.
    static func kl<N: FormulaNumber>(_ q: ParameterValues<Self, N>, _ p: ParameterValues<Self, N>) throws(N.Failure)
        -> N
    /// `kl` on Doubles: what the registry calls per element. Its default is
    /// `kl` itself; as a requirement, each family's witness has a concrete
    /// `Self`, so the compiler specialises the formula for Doubles there,
    /// instead of running the generic one through the witness table per element.
    static func klOfDoubles(_ q: Parameters, _ p: Parameters) -> Double
}

extension ClosedFormKLFamily {
    public static func klOfDoubles(_ q: Parameters, _ p: Parameters) -> Double { kl(q, p) }
}

/// The closed forms of pairs of one scalar family, one rule per family in
/// `ScalarFamilies.all` that has one.
enum ScalarKL {
    static let rules: [KLRegistry.Entry] = ScalarFamilies.all.compactMap { family in
        (family as? any ClosedFormKLFamily.Type).map { rule($0) }
    }

    private static func rule<F: ClosedFormKLFamily>(_ family: F.Type) -> KLRegistry.Entry {
        scalarRule(F.self) { q, p in F.klOfDoubles(q, p) }
    }
}

extension GaussianKL {
    /// KL between N(μq, σq²) and N(μp, σp²).
    /// −log ρ + (ρ² − 1)/2 + d²/2 with ρ = σq/σp, as −r(ε) + ε²/2 + d²/2, ε = ρ − 1,
    /// r(t) = log(1+t) − t (`log1pMinusRatio`): keeps its digits when q ≈ p and
    /// for scale ratios out to 1e±300.
    static func scalar<N: FormulaNumber>(_ mq: N, _ sq: N, _ mp: N, _ sp: N) throws(N.Failure) -> N {
        let epsilon = try (sq - sp) / sp
        let d = try (mq - mp) / sp
        return try -N.log1pMinusRatio(sq, sp, t: epsilon) + 0.5 * epsilon * epsilon + 0.5 * d * d
    }
}
