import Foundation
import KLSDiagnostics
import KLSTensor

/// A scalar family in exponential-family form, density h(x) exp(ηᵀT(x) − A(η)):
/// its natural parameters η and log-partition A. Between two members with the
/// same base (h and T: Binomial's total_count, Laplace's loc, Weibull's
/// concentration), ∫ q^α p^(1−α) = exp(A(αη_q + (1−α)η_p) − αA(η_q) − (1−α)A(η_p)),
/// which gives Rényi-α — and χ², Neyman's χ², Bhattacharyya and Hellinger from
/// it — in closed form (Nielsen & Nock 2011). Each family declares its form
/// beside its density.
public protocol ExponentialFamilyForm: ScalarFamily {
    /// η(θ), or nil at the edge of the family (a probability of 0 or 1, a rate
    /// of 0) where the density is not of the form.
    static func naturalParameters(_ t: Parameters) -> [Double]?
    /// A(η) for the base of `t`; +inf outside the natural parameter space
    /// (where ∫ h e^(ηᵀT) diverges).
    static func logPartition(_ eta: [Double], base t: Parameters) -> Double
    /// Whether two members share h and T, so their densities' ratio is e^((η_q − η_p)ᵀT) up to constants.
    static func sharesBase(_ a: Parameters, _ b: Parameters) -> Bool
}

extension ExponentialFamilyForm {
    public static func sharesBase(_ a: Parameters, _ b: Parameters) -> Bool { true }

    /// log ∫ q^α p^(1−α): +inf where the mixed η leaves the space (α > 1 only:
    /// the space is convex), nil where a member is at the family's edge.
    static func logAffinity(_ q: Parameters, _ p: Parameters, alpha: Double) -> Double? {
        guard sharesBase(q, p), let a = naturalParameters(q), let b = naturalParameters(p) else { return nil }
        let mixed = zip(a, b).map { alpha * $0 + (1 - alpha) * $1 }
        let inside = logPartition(mixed, base: q)
        guard inside < .infinity else { return .infinity }
        return inside - alpha * logPartition(a, base: q) - (1 - alpha) * logPartition(b, base: p)
    }
}

/// A distribution whose family has an `ExponentialFamilyForm`.
protocol ExponentialFamilyRenyi {
    /// D_α(self‖p) per broadcast batch element, or nil when p is not of the
    /// same family with the same base everywhere.
    func renyi(to p: any Distribution, alpha: Double) throws(KLSError) -> Tensor?
}

extension ScalarDistribution: ExponentialFamilyRenyi where F: ExponentialFamilyForm {
    func renyi(to other: any Distribution, alpha: Double) throws(KLSError) -> Tensor? {
        guard let p = other as? ScalarDistribution<F> else { return nil }
        let shape = try Shape.broadcast(batchShape, p.batchShape)
        let q = try ScalarDistribution<F>.broadcast(values, to: shape)
        let r = try ScalarDistribution<F>.broadcast(p.values, to: shape)
        var out = [Double](repeating: 0, count: shape.reduce(1, *))
        for i in out.indices {
            guard let log = F.logAffinity(F.parameters(q, at: i), F.parameters(r, at: i), alpha: alpha) else {
                return nil
            }
            out[i] = log == .infinity ? .infinity : log / (alpha - 1)
        }
        return try Tensor(shape: shape, values: out)
    }

    static func broadcast(_ values: [Tensor], to shape: [Int]) throws(KLSError) -> [Tensor] {
        var result: [Tensor] = []
        for v in values { result.append(try v.broadcast(to: shape)) }
        return result
    }
}
