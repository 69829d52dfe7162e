import KLSDiagnostics
import KLSGradient
import KLSTensor

/// A distribution kls can differentiate through, by family: Gaussians (with the
/// closed-form KL and the fused kl_mc gradient), multivariate normals, one of
/// the scalar families, a discrete family (densities only), or a vector family
/// with formulas of its own.
package enum DifferentiableParts {
    case gaussian(GaussianParts)
    case mvNormal(MvNormalParts)
    case scalar(ScalarParts)
    case discrete(DiscreteParts)
    /// A vector family's own parts (`DifferentiableVectorFamily`).
    case vector(any VectorParts)
    /// A mixture of components that have parts (densities and moments; no draws).
    case mixture(MixtureParts)

    package init?(_ d: any Distribution) {
        if let t = d as? TracedDistribution {
            self = t.parts
        } else if let g = GaussianParts(plain: d) {
            self = .gaussian(g)
        } else if let m = MvNormalParts(plain: d) {
            self = .mvNormal(m)
        } else if let c = DiscreteParts(plain: d) {
            self = .discrete(c)
        } else if let s = ScalarParts(plain: d) {
            self = .scalar(s)
        } else if let r = VectorFamilies.parts(of: d) {
            self = .vector(r)
        } else if let m = d as? Mixture, let parts = MixtureParts(plain: m) {
            self = .mixture(parts)
        } else {
            return nil
        }
    }

    /// The parameters, which become the leaves of a chunk's tape.
    package var values: [TracedNumber] {
        switch self {
        case .gaussian(let g): return [g.mean, g.std]
        case .mvNormal(let m): return [m.mean, m.scale]
        case .scalar(let s): return s.values
        case .discrete(let c): return [c.probabilities]
        case .vector(let r): return r.values
        case .mixture(let m): return m.values
        }
    }

    package func with(_ values: [TracedNumber]) -> DifferentiableParts {
        switch self {
        case .gaussian(let g):
            return .gaussian(GaussianParts(mean: values[0], std: values[1], isDiagonal: g.isDiagonal))
        case .mvNormal: return .mvNormal(MvNormalParts(mean: values[0], scale: values[1]))
        case .scalar(let s): return .scalar(s.with(values))
        case .discrete(let c): return .discrete(DiscreteParts(probabilities: values[0], categorical: c.categorical))
        case .vector(let r): return .vector(r.with(values))
        case .mixture(let m): return .mixture(m.with(values))
        }
    }

    package func logpdf(_ x: TracedNumber) throws(KLSError) -> TracedNumber {
        switch self {
        case .gaussian(let g): return try g.logpdf(x)
        case .mvNormal(let m): return try m.logpdf(x)
        case .scalar(let s): return try s.logpdf(x)
        case .discrete(let c): return try c.logpdf(x)
        case .vector(let r): return try r.logpdf(x)
        case .mixture(let m): return try m.logpdf(x)
        }
    }

    package func entropy() throws(KLSError) -> TracedNumber {
        switch self {
        case .gaussian(let g): return try g.entropy()
        case .mvNormal(let m): return try m.entropy()
        case .scalar(let s): return try s.entropy()
        case .discrete(let c): return try c.entropy()
        case .vector(let r): return try r.entropy()
        case .mixture:
            throw KLSError(
                "a Mixture's entropy has no closed form", hint: "estimate it: -mean(logpdf(m, sample(m, n=…)))")
        }
    }

    package func draw(_ epsilon: Tensor) throws(KLSError) -> TracedNumber {
        switch self {
        case .gaussian(let g): return try g.draw(epsilon)
        case .mvNormal(let m): return try m.draw(epsilon)
        case .scalar(let s): return try s.draw(epsilon)
        case .discrete(let c): throw c.noPathwise(c.categorical ? "Categorical" : "Bernoulli")
        case .vector(let r): return try r.draw(epsilon)
        case .mixture: throw MixtureParts.noPathwise()
        }
    }

    package func standard(_ d: any Distribution) throws(KLSError) -> any Distribution {
        switch self {
        case .gaussian(let g): return try g.standard(d)
        case .mvNormal(let m): return try m.standard(d)
        case .scalar(let s): return try s.standard(d)
        case .discrete(let c): throw c.noPathwise(d.family)
        case .vector(let r): return try r.standard(d)
        case .mixture: throw MixtureParts.noPathwise()
        }
    }

    /// The mean, per coordinate, shaped like a draw.
    package func mean(_ d: any Distribution) throws(KLSError) -> TracedNumber {
        let zero = TracedNumber.plain(try Tensor(repeating: 0, shape: d.batchShape + d.eventShape))
        switch self {
        case .gaussian(let g):
            return try g.mean + zero + 0 * g.std
        case .mvNormal(let m): return try m.mean + zero
        case .scalar(let s): return try s.moments().mean + zero
        case .discrete(let c): return try c.moments().mean + zero
        case .vector(let r): return try r.moments().mean + zero
        case .mixture(let m): return try m.moments().mean + zero
        }
    }

    /// The variance, per coordinate, shaped like a draw.
    package func variance(_ d: any Distribution) throws(KLSError) -> TracedNumber {
        let zero = TracedNumber.plain(try Tensor(repeating: 0, shape: d.batchShape + d.eventShape))
        switch self {
        case .gaussian(let g): return try TracedNumber.apply(.square, g.std) + zero
        case .mvNormal(let m):
            // Σᵢᵢ = Σₖ Lᵢₖ²: the rows of L.
            return try TracedNumber.sum(TracedNumber.apply(.square, m.scale), axes: [-1]) + zero
        case .scalar(let s): return try s.moments().variance + zero
        case .discrete(let c): return try c.moments().variance + zero
        case .vector(let r): return try r.moments().variance + zero
        case .mixture(let m): return try m.moments().variance + zero
        }
    }
}

extension DifferentiableParts {
    /// The closed-form KL(q ‖ p) as a formula in both sides' parameters: Normal
    /// or DiagNormal pairs, MvNormal with MvNormal, DiagNormal or StdNormal,
    /// and pairs of one scalar family.
    package func kl(to p: DifferentiableParts, _ qName: String, _ pName: String) throws(KLSError) -> TracedNumber {
        switch (self, p) {
        case (.gaussian(let gq), .gaussian(let gp)): return try gq.kl(to: gp)
        case (.scalar(let sq), .scalar(let sp)): return try sq.kl(to: sp)
        case (.discrete(let dq), .discrete(let dp)): return try dq.kl(to: dp)
        case (.vector(let rq), .vector(let rp)): return try rq.kl(to: rp)
        case (.mvNormal, _), (_, .mvNormal):
            return try Self.multivariate(self, qName).kl(to: try Self.multivariate(p, pName))
        default:
            throw KLSError(
                "grad of closed-form kl covers pairs within one family (and MvNormal with DiagNormal); for "
                    + "\(qName) against \(pName) use kl_mc, whose gradient is pathwise")
        }
    }

    /// q or p of a closed-form kl with an MvNormal in it, as an MvNormal.
    private static func multivariate(_ d: DifferentiableParts, _ name: String) throws(KLSError) -> MvNormalParts {
        if case .mvNormal(let m) = d { return m }
        if case .gaussian(let g) = d, let m = try MvNormalParts(diagonal: g) { return m }
        throw KLSError(
            "grad of closed-form kl pairs an MvNormal with MvNormal, DiagNormal or StdNormal, not \(name)",
            hint: "kl_mc's gradient is pathwise for any reparameterised family")
    }
}
