import Foundation
import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// LogNormal, Laplace, Uniform, Exponential, StudentT, Gamma and Beta with
/// parameters that may depend on grad's variable: densities, entropies and
/// pathwise draws — as formulas over standard draws ε (x = loc + scale·ε,
/// exp(μ + σε), low + (high − low)·u, e/rate), so gradients reach the
/// parameters through the draws, or for Gamma and Beta by implicit
/// reparameterisation of the family's own draws.
struct ScalarParts {
    enum Kind: String {
        case logNormal = "LogNormal"
        case laplace = "Laplace"
        case uniform = "Uniform"
        case exponential = "Exponential"
        case studentT = "StudentT"
        case gamma = "Gamma"
        case beta = "Beta"
    }

    let kind: Kind
    /// The parameters in the family's order (`parameterNames`).
    let values: [Value]

    init(kind: Kind, values: [Value]) {
        self.kind = kind
        self.values = values
    }

    init?(_ d: any Distribution) {
        if let t = d as? TracedDistribution {
            guard case .scalar(let s) = t.parts else { return nil }
            self = s
            return
        }
        guard let kind = Kind(rawValue: d.family), d.eventShape.isEmpty else { return nil }
        self.kind = kind
        values = d.parameters.map { .tensor($0.value) }
    }

    private var v0: Value { values[0] }
    private var v1: Value { values[1] }

    /// The distribution of the standard draws ε, batch-shaped like `d`.
    func standard(_ d: any Distribution) throws(KLSError) -> any Distribution {
        let shape = d.batchShape
        let zero = try Tensor(repeating: 0, shape: shape)
        let one = try Tensor(repeating: 1, shape: shape)
        switch kind {
        case .logNormal: return try Normal([zero, one])
        case .laplace: return try Laplace([zero, one])
        case .uniform: return try Uniform([zero, one])
        case .exponential: return try Exponential([one])
        case .studentT:
            return try StudentT([try Differentiation.tensor(values[0], "df").broadcast(to: shape), zero, one])
        case .gamma, .beta:
            // Implicit reparameterisation: the "standard" draws are the family's own.
            let plain = try values.map { v throws(KLSError) in try Differentiation.tensor(v, "parameter") }
            return kind == .gamma ? try Gamma(plain) : try Beta(plain)
        }
    }

    /// The pathwise draw from standard draws ε.
    func draw(_ epsilon: Tensor) throws(KLSError) -> Value {
        let e = Value.tensor(epsilon)
        switch kind {
        case .logNormal: return try exp(v0 + v1 * e)
        case .laplace: return try v0 + v1 * e
        case .uniform: return try v0 + (v1 - v0) * e
        case .exponential: return try e / v0
        case .studentT: return try values[1] + values[2] * implicitDraw(epsilon)
        case .gamma, .beta: return try implicitDraw(epsilon)
        }
    }

    /// The family's own draws z (for StudentT, the standard t draws), passing
    /// gradients back to the shape parameters by dz/dθ = −(∂F/∂θ)/p.
    private func implicitDraw(_ z: Tensor) throws(KLSError) -> Value {
        let shapes = kind == .studentT ? [values[0]] : [v0, v1]
        guard let tape = try Differentiation.tape(shapes) else { return .tensor(z) }
        let plain = try shapes.map { v throws(KLSError) in try Differentiation.tensor(v, "parameter") }
        let broadcast = try plain.map { t throws(KLSError) in try t.broadcast(to: z.shape) }
        let (d0, d1) = ImplicitReparameterisation.slopes(kind, z, broadcast[0], broadcast.last ?? broadcast[0])
        let slopes = [try Tensor(shape: z.shape, values: d0), try Tensor(shape: z.shape, values: d1)]
        return .traced(
            tape.record(z) { g, pass throws(KLSError) in
                for (k, parameter) in shapes.enumerated() {
                    guard let t = Differentiation.traced(parameter) else { continue }
                    try pass(
                        t, try Differentiation.unbroadcast(try Differentiation.scale(g, slopes[k]), to: plain[k].shape))
                }
            })
    }

    /// The log-density at x: −inf outside the support, with no gradient there.
    func logpdf(_ x: Value) throws(KLSError) -> Value {
        let plain = try Differentiation.tensor(x, "x")
        switch kind {
        case .logNormal:
            let inside = try Tensor.binary(.greater, plain, scalar: 0, scalarOnLeft: false)
            let safe = try TracedMath.select(inside, x, .number(1))
            let logX = try log(safe)
            let z = try (logX - v0) / v1
            let core = try log(v1) + 0.5 * Foundation.log(2 * Double.pi)
            let value = try -0.5 * square(z) - (logX + core)
            return try TracedMath.select(inside, value, .number(-.infinity))
        case .laplace:
            let spread = try TracedMath.apply(.abs, x - v0) / v1
            return try -Foundation.log(2.0) - (log(v1) + spread)
        case .uniform:
            let low = try Tensor.binary(.greaterEqual, plain, try Differentiation.tensor(v0, "low"))
            let high = try Tensor.binary(.lessEqual, plain, try Differentiation.tensor(v1, "high"))
            let inside = try Tensor.binary(.multiply, low, high)
            let value = try -1 * log(v1 - v0)
            return try TracedMath.select(inside, value, .number(-.infinity))
        case .exponential:
            let inside = try Tensor.binary(.greaterEqual, plain, scalar: 0, scalarOnLeft: false)
            let value = try log(v0) - v0 * x
            return try TracedMath.select(inside, value, .number(-.infinity))
        case .studentT:
            return try studentT(x)
        case .gamma, .beta:
            return try gammaOrBeta(x, plain)
        }
    }

    /// α log β + (α − 1) log x − βx − lgamma(α), or (a − 1) log x + (b − 1)
    /// log(1 − x) − log B(a, b): −inf outside the support, with no gradient there.
    private func gammaOrBeta(_ x: Value, _ plain: Tensor) throws(KLSError) -> Value {
        let positive = try Tensor.binary(.greater, plain, scalar: 0, scalarOnLeft: false)
        let below = try Tensor.binary(.less, plain, scalar: 1, scalarOnLeft: false)
        let inside = kind == .gamma ? positive : try Tensor.binary(.multiply, positive, below)
        let safe = try TracedMath.select(inside, x, .number(0.5))
        let logX = try log(safe)
        let shapeTerm = try (v0 - 1) * logX
        let value: Value
        if kind == .gamma {
            let scaled = try v0 * log(v1) - v1 * safe
            value = try shapeTerm + scaled - lgamma(v0)
        } else {
            let log1mX = try TracedMath.apply(.log1p, -1 * safe)
            let other = try (v1 - 1) * log1mX
            value = try shapeTerm + other - logBeta(v0, v1)
        }
        return try TracedMath.select(inside, value, .number(-.infinity))
    }

    /// log B(a, b) = lgamma(a) + lgamma(b) − lgamma(a + b).
    private func logBeta(_ a: Value, _ b: Value) throws(KLSError) -> Value {
        try lgamma(a) + lgamma(b) - lgamma(a + b)
    }

    /// lgamma((ν+1)/2) − lgamma(ν/2) − ½ log(νπ) − log s − (ν+1)/2 · log1p(((x − loc)/s)²/ν).
    private func studentT(_ x: Value) throws(KLSError) -> Value {
        let (nu, loc, scale) = (values[0], values[1], values[2])
        let half = try 0.5 * nu
        let halfPlus = try half + 0.5
        let normaliser = try lgamma(halfPlus) - lgamma(half) - (0.5 * log(nu * .number(.pi)) + log(scale))
        let z = try (x - loc) / scale
        let tail = try TracedMath.apply(.log1p, square(z) / nu)
        return try normaliser - halfPlus * tail
    }

    func entropy() throws(KLSError) -> Value {
        switch kind {
        case .logNormal:
            return try v0 + (log(v1) + (0.5 + 0.5 * Foundation.log(2 * Double.pi)))
        case .laplace: return try (1 + Foundation.log(2.0)) + log(v1)
        case .uniform: return try log(v1 - v0)
        case .exponential: return try 1 - log(v0)
        case .studentT:
            // (ν + 1)/2 (ψ((ν + 1)/2) − ψ(ν/2)) + ½ log ν + log B(ν/2, ½) + log scale
            let (nu, scale) = (values[0], values[2])
            let half = try 0.5 * nu
            let halfPlus = try half + 0.5
            let spread = try digamma(halfPlus) - digamma(half)
            let logB = try logBeta(half, .number(0.5))
            let logs = try 0.5 * log(nu) + log(scale)
            return try halfPlus * spread + (logB + logs)
        case .gamma:
            // α − log β + lgamma(α) + (1 − α) ψ(α)
            let oneMinus = try 1 - v0
            return try v0 - log(v1) + (lgamma(v0) + oneMinus * digamma(v0))
        case .beta:
            // log B(a, b) − (a − 1) ψ(a) − (b − 1) ψ(b) + (a + b − 2) ψ(a + b)
            let total = try v0 + v1
            let shifts = try (v0 - 1) * digamma(v0) + (v1 - 1) * digamma(v1)
            let joint = try (total - 2) * digamma(total)
            return try logBeta(v0, v1) - shifts + joint
        }
    }

    /// The same family with other parameter values (the leaves of a chunk's tape).
    func with(_ values: [Value]) -> ScalarParts { ScalarParts(kind: kind, values: values) }

    /// The mean and variance as formulas in the parameters (nan or inf where
    /// the family's moment does not exist, as the plain `mean` and `var` give).
    func moments() throws(KLSError) -> (mean: Value, variance: Value) {
        switch kind {
        case .logNormal:
            let s2 = try square(v1)
            let mean = try exp(v0 + 0.5 * s2)
            return (mean, try TracedMath.apply(.expm1, s2) * square(mean))
        case .laplace:
            return (v0, try 2 * square(v1))
        case .uniform:
            let width = try v1 - v0
            return (try 0.5 * (v0 + v1), try square(width) / 12)
        case .exponential:
            let mean = try 1 / v0
            return (mean, try square(mean))
        case .gamma:
            let mean = try v0 / v1
            return (mean, try mean / v1)
        case .beta:
            let total = try v0 + v1
            let mean = try v0 / total
            let spread = try mean * (1 - mean) / (total + 1)
            return (mean, spread)
        case .studentT:
            let (df, loc, scale) = (values[0], values[1], values[2])
            let nu = try Differentiation.tensor(df, "df")
            let hasMean = try Tensor.binary(.greater, nu, scalar: 1, scalarOnLeft: false)
            let hasVariance = try Tensor.binary(.greater, nu, scalar: 2, scalarOnLeft: false)
            let ratio = try df / (df - 2)
            let variance = try square(scale) * ratio
            let beyond = try ElementwiseBuiltins.select(hasMean, Tensor(scalar: .infinity), Tensor(scalar: .nan))
            return (
                try TracedMath.select(hasMean, loc, .number(.nan)),
                try TracedMath.select(hasVariance, variance, .tensor(beyond))
            )
        }
    }
}

// The functions of the formulas above, on values that may be traced (free
// functions, so that Foundation's log and exp of Doubles stay in reach).
private func log(_ v: Value) throws(KLSError) -> Value { try TracedMath.apply(.log, v) }
private func exp(_ v: Value) throws(KLSError) -> Value { try TracedMath.apply(.exp, v) }
private func square(_ v: Value) throws(KLSError) -> Value { try TracedMath.apply(.square, v) }
private func lgamma(_ v: Value) throws(KLSError) -> Value { try TracedMath.apply(.lgamma, v) }
private func digamma(_ v: Value) throws(KLSError) -> Value { try TracedMath.apply(.digamma, v) }
