import Foundation
import KLSDiagnostics
import KLSTensor
import RealModule

/// The Dirichlet distribution on the probability simplex: density
/// Γ(α₀)/∏Γ(αᵢ) ∏ xᵢ^(αᵢ−1), α₀ = Σ αᵢ. `concentration` has the k
/// coordinates on its last axis (event shape `[k]`); leading axes are the batch.
public final class Dirichlet: Distribution {
    public let family = "Dirichlet"
    /// α, shape `batch + [k]`.
    public let concentration: Tensor
    public let batchShape: [Int]
    public var eventShape: [Int] { [categories] }
    /// The number of coordinates k.
    public let categories: Int

    public init(concentration alpha: Tensor) throws(KLSError) {
        guard alpha.rank >= 1, let k = alpha.shape.last, k >= 2 else {
            throw KLSError(
                "Dirichlet: concentration needs a last axis of at least 2 coordinates, got shape "
                    + Shape.describe(alpha.shape))
        }
        for i in 0..<alpha.count where !(alpha[flat: i] > 0 && alpha[flat: i].isFinite) {
            throw DistributionError.invalid(
                "Dirichlet", "concentration", "finite and > 0", alpha[flat: i], at: i, shape: alpha.shape)
        }
        (concentration, categories, batchShape) = (alpha, k, Array(alpha.shape.dropLast()))
    }

    public var parameters: [(name: String, value: Tensor)] { [("concentration", concentration)] }
    var batchCount: Int { concentration.count / categories }
    public var drawsPerSample: Int { batchCount }
    public var support: ClosedRange<Double> { 0...1 }

    /// Row `b` of α.
    func alpha(_ b: Int) -> [Double] { (0..<categories).map { concentration[flat: b * categories + $0] } }

    /// The Gamma(αᵢ, 1) draws from one draw's own supply, normalised by their sum.
    public func sample(_ count: Int?, generator: Philox, start: UInt64) throws(KLSError) -> Tensor {
        let gammas = try gammaDraws(count, generator: generator, start: start)
        let k = categories
        return try Tensor(shape: gammas.shape) { out in
            for v in 0..<(out.count / k) {
                let total = (0..<k).reduce(0.0) { $0 + gammas[flat: v * k + $1] }
                for j in 0..<k { out[v * k + j] = gammas[flat: v * k + j] / total }
            }
        }
    }

    /// The unnormalised Gamma(αᵢ, 1) draws behind `sample` (Marsaglia–Tsang, k
    /// from each draw's own supply): the noise a gradient differentiates
    /// implicitly in α (`DirichletGammas`).
    public func gammaDraws(_ count: Int?, generator: Philox, start: UInt64) throws(KLSError) -> Tensor {
        let (k, batch) = (categories, batchCount)
        let rows = (0..<batch).map(alpha)
        return try Tensor(shape: outputShape(count)) { out in
            guard let p = out.baseAddress else { return }
            Parallel.forEachChunk(out.count / k, cost: 64) { range in
                for v in range {
                    var random = DrawRandom(generator, index: start &+ UInt64(v), tag: DirichletFamily.tag)
                    for j in 0..<k {
                        p[v * k + j] = Swift.max(random.gamma(rows[v % batch][j]), Double.leastNonzeroMagnitude)
                    }
                }
            }
        }
    }

    /// Σ (αᵢ − 1) log xᵢ − log B(α); −inf off the simplex (a coordinate below 0,
    /// or a sum off 1 by more than 10⁻⁹ per coordinate).
    public func logpdf(_ x: Tensor) throws(KLSError) -> Tensor {
        let k = categories
        guard x.rank >= 1, x.shape[x.rank - 1] == k else {
            throw KLSError(
                "Dirichlet: logpdf needs points with a last axis of \(k), got shape \(Shape.describe(x.shape))")
        }
        let shape = try Shape.broadcast(Array(x.shape.dropLast()), batchShape)
        let (xs, alphas) = (try x.broadcast(to: shape + [k]), try concentration.broadcast(to: shape + [k]))
        return try Tensor(shape: shape) { out in
            for v in 0..<out.count {
                let a = (0..<k).map { alphas[flat: v * k + $0] }
                let point = (0..<k).map { xs[flat: v * k + $0] }
                out[v] = Self.logDensity(point, a)
            }
        }
    }

    static func logDensity(_ x: [Double], _ alpha: [Double]) -> Double {
        if x.contains(where: \.isNaN) { return .nan }
        guard x.allSatisfy({ $0 >= 0 }), Swift.abs(x.reduce(0, +) - 1) <= 1e-9 * Double(x.count) else {
            return -.infinity
        }
        var sum = -logBeta(alpha)
        for (xi, ai) in zip(x, alpha) where ai != 1 { sum += (ai - 1) * Foundation.log(xi) }
        return sum
    }

    /// log B(α) = Σ log Γ(αᵢ) − log Γ(α₀).
    static func logBeta(_ alpha: [Double]) -> Double {
        alpha.reduce(0) { $0 + Double.logGamma($1) } - Double.logGamma(alpha.reduce(0, +))
    }

    /// log B(α) + (α₀ − k) ψ(α₀) − Σ (αᵢ − 1) ψ(αᵢ).
    public func entropy() throws(KLSError) -> Tensor {
        try Tensor(shape: batchShape) { out in
            for b in 0..<out.count {
                let a = alpha(b)
                let total = a.reduce(0, +)
                var value = Self.logBeta(a) + (total - Double(categories)) * SpecialFunctions.digamma(total)
                for ai in a { value -= (ai - 1) * SpecialFunctions.digamma(ai) }
                out[b] = value
            }
        }
    }

    /// αᵢ/α₀.
    public func mean() throws(KLSError) -> Tensor {
        try perCoordinate { a, total, i in a[i] / total }
    }

    /// αᵢ(α₀ − αᵢ)/(α₀²(α₀ + 1)).
    public func variance() throws(KLSError) -> Tensor {
        try perCoordinate { a, total, i in a[i] * (total - a[i]) / (total * total * (total + 1)) }
    }

    private func perCoordinate(_ f: ([Double], Double, Int) -> Double) throws(KLSError) -> Tensor {
        let k = categories
        return try Tensor(shape: batchShape + [k]) { out in
            for b in 0..<batchCount {
                let a = alpha(b)
                let total = a.reduce(0, +)
                for i in 0..<k { out[b * k + i] = f(a, total, i) }
            }
        }
    }

    /// KL(Dir(αq)‖Dir(αp)) = log Γ(αq₀) − log Γ(αp₀) − Σ (log Γ(αqᵢ) − log Γ(αpᵢ))
    /// + Σ (αqᵢ − αpᵢ)(ψ(αqᵢ) − ψ(αq₀)).
    static func kl(_ q: [Double], _ p: [Double]) -> Double {
        let (totalQ, totalP) = (q.reduce(0, +), p.reduce(0, +))
        var value = Double.logGamma(totalQ) - Double.logGamma(totalP)
        let digammaTotal = SpecialFunctions.digamma(totalQ)
        for (a, b) in zip(q, p) {
            value += Double.logGamma(b) - Double.logGamma(a) + (a - b) * (SpecialFunctions.digamma(a) - digammaTotal)
        }
        return value
    }
}

/// A Dirichlet's unnormalised gamma draws (`Dirichlet.gammaDraws`), as a
/// distribution that is only ever sampled: the standard draws of its gradient.
public final class DirichletGammas: Distribution {
    public let dirichlet: Dirichlet
    public var family: String { "Dirichlet noise" }
    public var batchShape: [Int] { dirichlet.batchShape }
    public var eventShape: [Int] { dirichlet.eventShape }
    public var parameters: [(name: String, value: Tensor)] { dirichlet.parameters }
    public var drawsPerSample: Int { dirichlet.drawsPerSample }

    public init(_ dirichlet: Dirichlet) { self.dirichlet = dirichlet }

    public func sample(_ count: Int?, generator: Philox, start: UInt64) throws(KLSError) -> Tensor {
        try dirichlet.gammaDraws(count, generator: generator, start: start)
    }
    public func logpdf(_ x: Tensor) throws(KLSError) -> Tensor { throw unavailable }
    public func entropy() throws(KLSError) -> Tensor { throw unavailable }
    public func mean() throws(KLSError) -> Tensor { throw unavailable }
    public func variance() throws(KLSError) -> Tensor { throw unavailable }
    private var unavailable: KLSError { KLSError("internal: Dirichlet noise is only sampled") }
}

/// Dirichlet's declaration: its constructor, help and closed-form KL.
public enum DirichletFamily: VectorFamily, VectorFamilyKL {
    public static let name = "Dirichlet"
    public static let parameterNames = ["concentration"]
    public static let parameterMeanings = ["α > 0 on the last axis: k ≥ 2 coordinates (a batch on the leading axes)"]
    public static let summary = "Dirichlet(concentration): probability vectors on the simplex, mean α/Σα."
    public static let example = "Dirichlet([2, 3, 5])"
    static let tag = FamilyStream.named(name)

    public static func make(_ parameters: [Tensor]) throws(KLSError) -> any Distribution {
        try Dirichlet(concentration: parameters[0])
    }

    static let klRules: [KLRegistry.Entry] = [
        KLRegistry.Entry(q: Dirichlet.self, p: Dirichlet.self) { q, p throws(KLSError) in
            guard let a = q as? Dirichlet, let b = p as? Dirichlet else { throw KLSError("internal: Dirichlet rule") }
            guard a.categories == b.categories else {
                throw KLSError(
                    "KL(Dirichlet ‖ Dirichlet): q has \(a.categories) coordinates and p has \(b.categories)")
            }
            let k = a.categories
            let shape = try Shape.broadcast(a.batchShape, b.batchShape)
            let (qs, ps) = (
                try a.concentration.broadcast(to: shape + [k]), try b.concentration.broadcast(to: shape + [k])
            )
            return try Tensor(shape: shape) { out in
                for r in 0..<out.count {
                    out[r] = Dirichlet.kl((0..<k).map { qs[flat: r * k + $0] }, (0..<k).map { ps[flat: r * k + $0] })
                }
            }
        }
    ]
}
