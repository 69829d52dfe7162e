import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// A distribution kls can differentiate through, by family: Gaussians (with the
/// closed-form KL and the fused kl_mc gradient), multivariate normals, one of
/// the reparameterised scalar families, or a discrete family (densities only).
enum DifferentiableParts {
    case gaussian(GaussianParts)
    case mvNormal(MvNormalParts)
    case scalar(ScalarParts)
    case discrete(DiscreteParts)
    case dirichlet(DirichletParts)

    init?(_ d: any Distribution) {
        if let g = GaussianParts(d) {
            self = .gaussian(g)
        } else if let m = MvNormalParts(d) {
            self = .mvNormal(m)
        } else if let c = DiscreteParts(d) {
            self = .discrete(c)
        } else if let s = ScalarParts(d) {
            self = .scalar(s)
        } else if let r = DirichletParts(d) {
            self = .dirichlet(r)
        } else {
            return nil
        }
    }

    /// The parameters, which become the leaves of a chunk's tape.
    var values: [Value] {
        switch self {
        case .gaussian(let g): return [g.mean, g.std]
        case .mvNormal(let m): return [m.mean, m.scale]
        case .scalar(let s): return s.values
        case .discrete(let c): return [c.probabilities]
        case .dirichlet(let r): return [r.concentration]
        }
    }

    func with(_ values: [Value]) -> DifferentiableParts {
        switch self {
        case .gaussian(let g):
            return .gaussian(GaussianParts(mean: values[0], std: values[1], isDiagonal: g.isDiagonal))
        case .mvNormal: return .mvNormal(MvNormalParts(mean: values[0], scale: values[1]))
        case .scalar(let s): return .scalar(s.with(values))
        case .discrete(let c): return .discrete(DiscreteParts(probabilities: values[0], categorical: c.categorical))
        case .dirichlet: return .dirichlet(DirichletParts(concentration: values[0]))
        }
    }

    func logpdf(_ x: Value) throws(KLSError) -> Value {
        switch self {
        case .gaussian(let g): return try g.logpdf(x)
        case .mvNormal(let m): return try m.logpdf(x)
        case .scalar(let s): return try s.logpdf(x)
        case .discrete(let c): return try c.logpdf(x)
        case .dirichlet(let r): return try r.logpdf(x)
        }
    }

    func entropy() throws(KLSError) -> Value {
        switch self {
        case .gaussian(let g): return try g.entropy()
        case .mvNormal(let m): return try m.entropy()
        case .scalar(let s): return try s.entropy()
        case .discrete(let c): return try c.entropy()
        case .dirichlet(let r): return try r.entropy()
        }
    }

    func draw(_ epsilon: Tensor) throws(KLSError) -> Value {
        switch self {
        case .gaussian(let g): return try g.draw(epsilon)
        case .mvNormal(let m): return try m.draw(epsilon)
        case .scalar(let s): return try s.draw(epsilon)
        case .discrete(let c): throw c.noPathwise(c.categorical ? "Categorical" : "Bernoulli")
        case .dirichlet(let r): return try r.draw(epsilon)
        }
    }

    func standard(_ d: any Distribution) throws(KLSError) -> any Distribution {
        switch self {
        case .gaussian(let g): return try g.standard(d)
        case .mvNormal(let m): return try m.standard(d)
        case .scalar(let s): return try s.standard(d)
        case .discrete(let c): throw c.noPathwise(d.family)
        case .dirichlet(let r): return try r.standard(d)
        }
    }

    /// The mean, per coordinate, shaped like a draw.
    func mean(_ d: any Distribution) throws(KLSError) -> Value {
        let zero = Value.tensor(try Tensor(repeating: 0, shape: d.batchShape + d.eventShape))
        switch self {
        case .gaussian(let g):
            return try g.mean + zero + 0 * g.std
        case .mvNormal(let m): return try m.mean + zero
        case .scalar(let s): return try s.moments().mean + zero
        case .discrete(let c): return try c.moments().mean + zero
        case .dirichlet(let r): return try r.moments().mean + zero
        }
    }

    /// The variance, per coordinate, shaped like a draw.
    func variance(_ d: any Distribution) throws(KLSError) -> Value {
        let zero = Value.tensor(try Tensor(repeating: 0, shape: d.batchShape + d.eventShape))
        switch self {
        case .gaussian(let g): return try TracedMath.apply(.square, g.std) + zero
        case .mvNormal(let m):
            // Σᵢᵢ = Σₖ Lᵢₖ²: the rows of L.
            return try TracedMath.sum(TracedMath.apply(.square, m.scale), axes: [-1]) + zero
        case .scalar(let s): return try s.moments().variance + zero
        case .discrete(let c): return try c.moments().variance + zero
        case .dirichlet(let r): return try r.moments().variance + zero
        }
    }
}
