import Foundation
import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// LogNormal, Laplace, Uniform, Exponential and StudentT with parameters that
/// may depend on grad's variable: densities, entropies and pathwise draws as
/// formulas over standard draws ε (x = loc + scale·ε, exp(μ + σε), low + (high −
/// low)·u, e/rate), so gradients reach the parameters through the draws.
struct ScalarParts {
    enum Kind: String {
        case logNormal = "LogNormal"
        case laplace = "Laplace"
        case uniform = "Uniform"
        case exponential = "Exponential"
        case studentT = "StudentT"
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
            if case .traced = values[0] {
                throw KLSError(
                    "grad through StudentT's df (implicit reparameterisation) is not supported yet: differentiate "
                        + "loc and scale")
            }
            return try StudentT([try values[0].asTensor().broadcast(to: shape), zero, one])
        }
    }

    /// The pathwise draw from standard draws ε.
    func draw(_ epsilon: Tensor) throws(KLSError) -> Value {
        let e = Value.tensor(epsilon)
        switch kind {
        case .logNormal: return try TracedMath.apply(.exp, try TracedMath.add(v0, try TracedMath.mul(v1, e)))
        case .laplace: return try TracedMath.add(v0, try TracedMath.mul(v1, e))
        case .uniform: return try TracedMath.add(v0, try TracedMath.mul(try TracedMath.sub(v1, v0), e))
        case .exponential: return try TracedMath.div(e, v0)
        case .studentT: return try TracedMath.add(values[1], try TracedMath.mul(values[2], e))
        }
    }

    /// The log-density at x: −inf outside the support, with no gradient there.
    func logpdf(_ x: Value) throws(KLSError) -> Value {
        let plain = try Differentiation.tensor(x, "x")
        switch kind {
        case .logNormal:
            let inside = try Tensor.binary(.greater, plain, scalar: 0, scalarOnLeft: false)
            let safe = try TracedMath.select(inside, x, .number(1))
            let logX = try TracedMath.apply(.log, safe)
            let z = try TracedMath.div(try TracedMath.sub(logX, v0), v1)
            let core = try TracedMath.add(try TracedMath.apply(.log, v1), .number(0.5 * log(2 * Double.pi)))
            let value = try TracedMath.sub(
                try TracedMath.mul(.number(-0.5), try TracedMath.apply(.square, z)), try TracedMath.add(logX, core))
            return try TracedMath.select(inside, value, .number(-.infinity))
        case .laplace:
            let spread = try TracedMath.div(try TracedMath.apply(.abs, try TracedMath.sub(x, v0)), v1)
            return try TracedMath.sub(
                .number(-log(2.0)), try TracedMath.add(try TracedMath.apply(.log, v1), spread))
        case .uniform:
            let low = try Tensor.binary(.greaterEqual, plain, try Differentiation.tensor(v0, "low"))
            let high = try Tensor.binary(.lessEqual, plain, try Differentiation.tensor(v1, "high"))
            let inside = try Tensor.binary(.multiply, low, high)
            let value = try TracedMath.mul(.number(-1), try TracedMath.apply(.log, try TracedMath.sub(v1, v0)))
            return try TracedMath.select(inside, value, .number(-.infinity))
        case .exponential:
            let inside = try Tensor.binary(.greaterEqual, plain, scalar: 0, scalarOnLeft: false)
            let value = try TracedMath.sub(try TracedMath.apply(.log, v0), try TracedMath.mul(v0, x))
            return try TracedMath.select(inside, value, .number(-.infinity))
        case .studentT:
            return try studentT(x)
        }
    }

    /// lgamma((ν+1)/2) − lgamma(ν/2) − ½ log(νπ) − log s − (ν+1)/2 · log1p(((x − loc)/s)²/ν).
    private func studentT(_ x: Value) throws(KLSError) -> Value {
        let (nu, loc, scale) = (values[0], values[1], values[2])
        let half = try TracedMath.mul(.number(0.5), nu)
        let halfPlus = try TracedMath.add(half, .number(0.5))
        let normaliser = try TracedMath.sub(
            try TracedMath.sub(try TracedMath.apply(.lgamma, halfPlus), try TracedMath.apply(.lgamma, half)),
            try TracedMath.add(
                try TracedMath.mul(.number(0.5), try TracedMath.apply(.log, try TracedMath.mul(nu, .number(.pi)))),
                try TracedMath.apply(.log, scale)))
        let z = try TracedMath.div(try TracedMath.sub(x, loc), scale)
        let tail = try TracedMath.apply(.log1p, try TracedMath.div(try TracedMath.apply(.square, z), nu))
        return try TracedMath.sub(normaliser, try TracedMath.mul(halfPlus, tail))
    }

    func entropy() throws(KLSError) -> Value {
        switch kind {
        case .logNormal:
            return try TracedMath.add(
                v0, try TracedMath.add(try TracedMath.apply(.log, v1), .number(0.5 + 0.5 * log(2 * Double.pi))))
        case .laplace: return try TracedMath.add(.number(1 + log(2.0)), try TracedMath.apply(.log, v1))
        case .uniform: return try TracedMath.apply(.log, try TracedMath.sub(v1, v0))
        case .exponential: return try TracedMath.sub(.number(1), try TracedMath.apply(.log, v0))
        case .studentT: throw KLSError("grad of StudentT's entropy is not supported yet")
        }
    }

    /// The same family with other parameter values (the leaves of a chunk's tape).
    func with(_ values: [Value]) -> ScalarParts { ScalarParts(kind: kind, values: values) }
}
