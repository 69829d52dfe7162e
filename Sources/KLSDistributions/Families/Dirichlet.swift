import Foundation
import KLSDiagnostics
import KLSGradient
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

    /// The formulas of `DirichletParts` on the plain concentration.
    private var formulas: DirichletParts { DirichletParts(concentration: .plain(concentration)) }

    public func entropy() throws(KLSError) -> Tensor { try formulas.entropy().value }
    public func mean() throws(KLSError) -> Tensor { try formulas.moments().mean.value }
    public func variance() throws(KLSError) -> Tensor { try formulas.moments().variance.value }
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
public enum DirichletFamily: DifferentiableVectorFamily, VectorFamilyKL {
    public static let name = "Dirichlet"
    public static let parameterNames = ["concentration"]
    public static let parameterMeanings = ["α > 0 on the last axis: k ≥ 2 coordinates (a batch on the leading axes)"]
    public static let summary = "Dirichlet(concentration): probability vectors on the simplex, mean α/Σα."
    public static let example = "Dirichlet([2, 3, 5])"
    static let tag = FamilyStream.named(name)

    public static func make(_ parameters: [Tensor]) throws(KLSError) -> any Distribution {
        try Dirichlet(concentration: parameters[0])
    }

    package static func parts(of d: any Distribution) -> (any VectorParts)? {
        (d as? Dirichlet).map { DirichletParts(concentration: .plain($0.concentration)) }
    }

    /// With a traced concentration: the parts its gradients use.
    package static func makeTraced(_ parameters: [TracedNumber]) throws(KLSError) -> TracedDistribution {
        let base = try Dirichlet(concentration: parameters[0].value)
        return TracedDistribution(base: base, parts: .vector(DirichletParts(concentration: parameters[0])))
    }

    static let klRules: [KLRegistry.Entry] = [
        KLRegistry.Entry(q: Dirichlet.self, p: Dirichlet.self) { q, p throws(KLSError) in
            guard let a = q as? Dirichlet, let b = p as? Dirichlet else { throw KLSError("internal: Dirichlet rule") }
            guard a.categories == b.categories else {
                throw KLSError(
                    "KL(Dirichlet ‖ Dirichlet): q has \(a.categories) coordinates and p has \(b.categories)")
            }
            let (q, p) = (
                DirichletParts(concentration: .plain(a.concentration)),
                DirichletParts(concentration: .plain(b.concentration))
            )
            return try q.kl(to: p).value
        }
    ]
}

/// Dirichlet's formulas in a concentration α `[…, k]` that may be traced —
/// the plain distribution's entropy, moments and KL too. Densities, entropy,
/// moments and the closed-form KL are formulas in α; a
/// draw is g / Σg for the unnormalised gammas g behind `sample`, each
/// differentiated implicitly in its αᵢ (dg/dα = −(∂F/∂α)/p, as for Gamma), so
/// `sample` and `kl_mc` are pathwise, as PyTorch's `rsample`.
package struct DirichletParts: VectorParts {
    package let concentration: TracedNumber

    package init(concentration: TracedNumber) { self.concentration = concentration }

    package var values: [TracedNumber] { [concentration] }
    package func with(_ values: [TracedNumber]) -> any VectorParts { DirichletParts(concentration: values[0]) }

    private var plain: Tensor { concentration.value }

    /// Σ over the last axis, kept as an axis of length 1 so it broadcasts back.
    private func total(_ v: TracedNumber) throws(KLSError) -> TracedNumber {
        let shape = v.value.shape
        return try TracedNumber.reshape(TracedNumber.sum(v, axes: [-1]), Array(shape.dropLast()) + [1])
    }

    /// log B(α) = Σ log Γ(αᵢ) − log Γ(α₀), per batch element.
    private func logBeta() throws(KLSError) -> TracedNumber {
        let sum = try TracedNumber.sum(TracedNumber.apply(.lgamma, concentration), axes: [-1])
        return try sum - TracedNumber.apply(.lgamma, TracedNumber.sum(concentration, axes: [-1]))
    }

    /// Σ (αᵢ − 1) log xᵢ − log B(α); −inf off the simplex (the plain value's rule).
    package func logpdf(_ x: TracedNumber) throws(KLSError) -> TracedNumber {
        let points = x.value
        let plainValue = try Dirichlet(concentration: plain).logpdf(points)
        let inside = try plainValue.map(.isfinite)
        let k = points.shape.last ?? 1
        let xs = try points.broadcast(to: inside.shape + [k])
        // Off the simplex the formula's unused branch gets the centre, where its gradient stays finite.
        let safe = try Tensor(shape: xs.shape) { out in
            for i in 0..<out.count { out[i] = inside[flat: i / k] == 1 ? xs[flat: i] : 1 / Double(k) }
        }
        let moved = try TracedNumber.select(try inside.reshaped(inside.shape + [1]), x, .plain(safe))
        let terms = try (concentration - 1) * TracedNumber.apply(.log, moved)
        let value = try TracedNumber.sum(terms, axes: [-1]) - logBeta()
        return try TracedNumber.select(inside, value, .plain(plainValue))
    }

    /// log B(α) + (α₀ − k) ψ(α₀) − Σ (αᵢ − 1) ψ(αᵢ).
    package func entropy() throws(KLSError) -> TracedNumber {
        let k = Double(plain.shape.last ?? 1)
        let sum = try TracedNumber.sum(concentration, axes: [-1])
        let shifts = try TracedNumber.sum((concentration - 1) * TracedNumber.apply(.digamma, concentration), axes: [-1])
        return try logBeta() + (sum - k) * TracedNumber.apply(.digamma, sum) - shifts
    }

    /// αᵢ/α₀ and αᵢ(α₀ − αᵢ)/(α₀²(α₀ + 1)).
    package func moments() throws(KLSError) -> (mean: TracedNumber, variance: TracedNumber) {
        let sum = try total(concentration)
        let mean = try concentration / sum
        return (mean, try mean * (1 - mean) / (sum + 1))
    }

    /// log Γ(α₀) − log Γ(β₀) − Σ (log Γ(αᵢ) − log Γ(βᵢ))
    ///   + Σ (αᵢ − βᵢ)(ψ(αᵢ) − ψ(α₀)), with β p's concentration.
    package func kl(to p: any VectorParts) throws(KLSError) -> TracedNumber {
        guard let p = p as? DirichletParts else {
            throw KLSError("grad of closed-form kl pairs a Dirichlet with a Dirichlet")
        }
        return try kl(to: p)
    }

    package func kl(to p: DirichletParts) throws(KLSError) -> TracedNumber {
        let digammas =
            try TracedNumber.apply(.digamma, concentration) - TracedNumber.apply(.digamma, total(concentration))
        let linear = try TracedNumber.sum((concentration - p.concentration) * digammas, axes: [-1])
        return try p.logBeta() - logBeta() + linear
    }

    /// The unnormalised gammas behind the Dirichlet's own draws.
    package func standard(_ d: any Distribution) throws(KLSError) -> any Distribution {
        let alpha = try plain.broadcast(to: d.batchShape + d.eventShape)
        return DirichletGammas(try Dirichlet(concentration: alpha))
    }

    /// g / Σg, with each gamma g traced to its α by dg/dα (implicit reparameterisation).
    package func draw(_ gammas: Tensor) throws(KLSError) -> TracedNumber {
        let alpha = try plain.broadcast(to: gammas.shape)
        var g: TracedNumber = .plain(gammas)
        if let tape = try TracedNumber.tape([concentration]) {
            let slopes = try Tensor(shape: gammas.shape) { out in
                for i in 0..<out.count {
                    out[i] = ImplicitReparameterisation.gammaShape(gammas[flat: i], alpha[flat: i])
                }
            }
            let shape = plain.shape
            let traced = concentration.node
            g = .traced(
                tape.record(gammas) { gradient, pass throws(KLSError) in
                    guard let traced else { return }
                    try pass(
                        traced, try GradientRules.unbroadcast(try Tensor.binary(.multiply, gradient, slopes), to: shape)
                    )
                })
        }
        return try g / total(g)
    }
}
