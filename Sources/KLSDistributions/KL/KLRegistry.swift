import KLSDiagnostics
import KLSTensor

/// KL(q‖p) in closed form, looked up by the pair of families (language.md §6).
///
/// Results are per batch element (the two batch shapes broadcast) and summed
/// over the event. A pair with no entry is an error that points to `kl_mc` and
/// `kl_quad`; distributions over different event shapes are an error that
/// points to `DiagNormal` and `independent`.
public enum KLRegistry {
    /// A closed form for a pair of types; nil when these particular instances
    /// have none (an `Independent` that is not a diagonal Gaussian, say).
    typealias Rule = @Sendable (any Distribution, any Distribution) throws(KLSError) -> Tensor?

    /// A pair of distribution types, q's first: the key of a closed form.
    struct Pair: Hashable {
        let q: ObjectIdentifier
        let p: ObjectIdentifier

        init(_ q: any Distribution.Type, _ p: any Distribution.Type) {
            self.q = ObjectIdentifier(q)
            self.p = ObjectIdentifier(p)
        }
    }

    /// One closed form: the types it applies to and the formula.
    struct Entry {
        let q: any Distribution.Type
        let p: any Distribution.Type
        let rule: Rule
    }

    /// The table of closed forms, keyed by the pair of distribution types (not
    /// by display names, which a renamed family would silently break).
    static let rules: [Pair: Rule] = {
        var table: [Pair: Rule] = [:]
        let vector = VectorFamilies.all.flatMap { ($0 as? any VectorFamilyKL.Type)?.klRules ?? [] }
        let entries = ScalarKL.rules + CrossFamilyKL.all + GaussianKL.rules + DiscreteKL.rules + vector
        // A special case's own rules, listed after, win over those it inherits.
        let inherited = ScalarFamilies.all.flatMap { family in
            (family as? any SpecialCaseFamily.Type)?.inheritedRules(entries) ?? []
        }
        for entry in inherited + entries { table[Pair(entry.q, entry.p)] = entry.rule }
        return table
    }()

    /// KL(q‖p) per batch element.
    public static func kl(_ q: any Distribution, _ p: any Distribution) throws(KLSError) -> Tensor {
        if let value = try closedForm(q, p) { return value }
        if q is Mixture || p is Mixture, GaussianMixture.isGaussianMixture(q), GaussianMixture.isGaussianMixture(p) {
            throw KLSError(
                "KL between Gaussian mixtures has no closed form",
                hint: "kl_mixture(q, p) gives the Hershey–Olsen approximations and bounds beside a Monte Carlo one")
        }
        throw KLSError(
            "KL(\(q.family) ‖ \(p.family)) has no closed form in kls",
            hint: "estimate it with kl_mc(q, p, n=100000)"
                + (q.eventShape.isEmpty && !q.isDiscrete ? " or compute it with kl_quad(q, p)" : ""))
    }

    /// The closed form when the pair has one, else nil. Throws for pairs that
    /// cannot be compared at all (different event shapes).
    public static func closedForm(_ q: any Distribution, _ p: any Distribution) throws(KLSError) -> Tensor? {
        try checkEvents(q, p)
        if let rule = rules[Pair(type(of: q), type(of: p))], let value = try rule(q, p) { return value }
        if let infinite = try SupportRule.infinite(q, p) { return infinite }
        // independent(X) against independent(Y), moving the same number of axes.
        if let a = q as? Independent, let b = p as? Independent, a.reinterpreted == b.reinterpreted,
            let inner = try closedForm(a.base, b.base)
        {
            return try a.sumEvent(inner)
        }
        return nil
    }

    /// Event shapes must match for the KL of the whole event to mean anything.
    public static func checkEvents(_ q: any Distribution, _ p: any Distribution) throws(KLSError) {
        guard q.eventShape == p.eventShape else {
            throw KLSError(
                DistributionError.differentEvents(q, p),
                hint: "for a vector of independent coordinates use DiagNormal(mean, std) or independent(q)")
        }
    }
}

/// Broadcasting helper: applies `f(θq, θp)` over the broadcast batch.
func pairwise<F: ScalarFamily, G: ScalarFamily>(
    _ q: ScalarDistribution<F>, _ p: ScalarDistribution<G>,
    _ f: (F.Parameters, G.Parameters) -> Double
) throws(KLSError) -> Tensor {
    let shape = try Shape.broadcast(q.batchShape, p.batchShape)
    var qs: [Tensor] = []
    var ps: [Tensor] = []
    for v in q.values { qs.append(try v.broadcast(to: shape)) }
    for v in p.values { ps.append(try v.broadcast(to: shape)) }
    return try Tensor(shape: shape) { out in
        Parallel.forEachChunk(out.count, cost: 16) { range in
            for i in range { out[i] = f(F.parameters(qs, at: i), G.parameters(ps, at: i)) }
        }
    }
}

/// A rule for a pair of scalar families with a formula at one point.
/// A rule for a pair of different scalar families with a formula at one point.
func crossRule<F: ScalarFamily, G: ScalarFamily>(
    _ q: F.Type, _ p: G.Type, _ f: @escaping @Sendable (F.Parameters, G.Parameters) -> Double
) -> KLRegistry.Entry {
    KLRegistry.Entry(q: ScalarDistribution<F>.self, p: ScalarDistribution<G>.self) { q, p throws(KLSError) in
        guard let a = q as? ScalarDistribution<F>, let b = p as? ScalarDistribution<G> else {
            throw KLSError("internal: \(F.name)‖\(G.name) rule applied to \(q.family) and \(p.family)")
        }
        return try pairwise(a, b, f)
    }
}

func scalarRule<F: ScalarFamily>(
    _ family: F.Type, _ f: @escaping @Sendable (F.Parameters, F.Parameters) -> Double
)
    -> KLRegistry.Entry
{
    KLRegistry.Entry(q: ScalarDistribution<F>.self, p: ScalarDistribution<F>.self) { q, p throws(KLSError) in
        guard let a = q as? ScalarDistribution<F>, let b = p as? ScalarDistribution<F> else {
            throw KLSError("internal: \(F.name) rule applied to \(q.family) and \(p.family)")
        }
        return try pairwise(a, b, f)
    }
}
