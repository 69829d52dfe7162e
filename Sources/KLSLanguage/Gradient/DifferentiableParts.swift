import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// A distribution kls can differentiate through, by family: Gaussians (with the
/// closed-form KL and the fused kl_mc gradient) or one of the reparameterised
/// scalar families.
enum DifferentiableParts {
    case gaussian(GaussianParts)
    case scalar(ScalarParts)

    init?(_ d: any Distribution) {
        if let g = GaussianParts(d) {
            self = .gaussian(g)
        } else if let s = ScalarParts(d) {
            self = .scalar(s)
        } else {
            return nil
        }
    }

    /// The parameters, which become the leaves of a chunk's tape.
    var values: [Value] {
        switch self {
        case .gaussian(let g): return [g.mean, g.std]
        case .scalar(let s): return s.values
        }
    }

    func with(_ values: [Value]) -> DifferentiableParts {
        switch self {
        case .gaussian(let g):
            return .gaussian(GaussianParts(mean: values[0], std: values[1], isDiagonal: g.isDiagonal))
        case .scalar(let s): return .scalar(s.with(values))
        }
    }

    func logpdf(_ x: Value) throws(KLSError) -> Value {
        switch self {
        case .gaussian(let g): return try g.logpdf(x)
        case .scalar(let s): return try s.logpdf(x)
        }
    }

    func entropy() throws(KLSError) -> Value {
        switch self {
        case .gaussian(let g): return try g.entropy()
        case .scalar(let s): return try s.entropy()
        }
    }

    func draw(_ epsilon: Tensor) throws(KLSError) -> Value {
        switch self {
        case .gaussian(let g): return try g.draw(epsilon)
        case .scalar(let s): return try s.draw(epsilon)
        }
    }

    func standard(_ d: any Distribution) throws(KLSError) -> any Distribution {
        switch self {
        case .gaussian(let g): return try g.standard(d)
        case .scalar(let s): return try s.standard(d)
        }
    }
}
