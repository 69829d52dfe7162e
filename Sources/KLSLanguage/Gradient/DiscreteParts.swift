import Foundation
import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// Bernoulli and Categorical with parameters that may depend on grad's
/// variable. Their densities, entropies and closed-form KLs are smooth in the
/// probabilities, so those differentiate; their draws are not (a draw jumps
/// from one value to the next), so `sample` and `kl_mc` refuse and name the
/// score-function estimator, which these densities make easy to write:
/// `grad(p -> mean(f(z) * logpdf(Bernoulli(p), z)))` at fixed draws z.
struct DiscreteParts {
    /// Bernoulli's p, or Categorical's probabilities (normalised along the last axis).
    let probabilities: Value
    let categorical: Bool

    init(probabilities: Value, categorical: Bool) {
        self.probabilities = probabilities
        self.categorical = categorical
    }

    init?(_ d: any Distribution) {
        if let t = d as? TracedDistribution {
            guard case .discrete(let parts) = t.parts else { return nil }
            self = parts
            return
        }
        if let c = d as? Categorical {
            (probabilities, categorical) = (.tensor(c.probs), true)
        } else if let b = d as? Bernoulli, let p = b.values.first {
            (probabilities, categorical) = (.tensor(p), false)
        } else {
            return nil
        }
    }

    /// `Categorical(probs)` with traced probs: normalised as a formula, so the gradient sees the normalisation.
    static func normalised(_ raw: Value) throws(KLSError) -> Value {
        let total = try TracedMath.sum(raw, axes: [-1])
        let rank = try Differentiation.tensor(raw, "probs").rank
        let shape = try Differentiation.tensor(total, "probs").shape
        return try raw / TracedMath.reshape(total, shape + (rank > 0 ? [1] : []))
    }

    /// log P(x): log p or log(1 − p) (Bernoulli); log π[x] (Categorical); −inf off the support.
    func logpdf(_ x: Value) throws(KLSError) -> Value {
        let plain = try Differentiation.tensor(x, "x")
        if !categorical {
            let isOne = try Tensor.binary(.equal, plain, scalar: 1, scalarOnLeft: false)
            let isZero = try Tensor.binary(.equal, plain, scalar: 0, scalarOnLeft: false)
            let one = try TracedMath.apply(.log, probabilities)
            let zero = try TracedMath.apply(.log1p, -1 * probabilities)
            return try TracedMath.select(
                isOne, one, try TracedMath.select(isZero, zero, .number(-.infinity)))
        }
        let probs = try Differentiation.tensor(probabilities, "probs")
        let k = probs.shape.last ?? 1
        let shape = try Shape.broadcast(plain.shape, Array(probs.shape.dropLast()))
        let categories = try plain.broadcast(to: shape)
        // One-hot rows pick log π[x]; an x outside 0…k−1 (or not whole) has none and gets −inf.
        let oneHot = try Tensor(shape: shape + [k]) { out in
            out.initialize(repeating: 0)
            for i in 0..<categories.count {
                let c = categories[flat: i]
                if c >= 0, c < Double(k), c == c.rounded(.down) { out[i * k + Int(c)] = 1 }
            }
        }
        let inside = try oneHot.reduce(.sum, axes: [-1], keepdims: false)
        let logs = try TracedMath.apply(.log, try safe(probabilities))
        let picked = try TracedMath.sum(.tensor(oneHot) * logs, axes: [-1])
        return try TracedMath.select(inside, picked, .number(-.infinity))
    }

    /// −Σ π log π, with 0 log 0 = 0.
    func entropy() throws(KLSError) -> Value {
        let terms = try plogp(probabilities)
        if !categorical {
            let complement = try 1 - probabilities
            return try -1 * (terms + plogp(complement))
        }
        return try -1 * TracedMath.sum(terms, axes: [-1])
    }

    /// Σ πq (log πq − log πp) over the categories (both outcomes for Bernoulli).
    func kl(to p: DiscreteParts) throws(KLSError) -> Value {
        guard categorical == p.categorical else {
            throw KLSError("grad of closed-form kl pairs Bernoulli with Bernoulli and Categorical with Categorical")
        }
        func term(_ q: Value, _ p: Value) throws(KLSError) -> Value {
            let ratio = try TracedMath.apply(.log, safe(q)) - TracedMath.apply(.log, p)
            let value = try q * ratio
            return try TracedMath.select(try positive(q), value, .number(0))
        }
        if !categorical {
            let (q1, p1) = (probabilities, p.probabilities)
            let (q0, p0) = (try 1 - q1, try 1 - p1)
            return try term(q1, p1) + term(q0, p0)
        }
        return try TracedMath.sum(try term(probabilities, p.probabilities), axes: [-1])
    }

    /// Bernoulli: p and p(1 − p); Categorical: Σ k πₖ and Σ k² πₖ − mean².
    func moments() throws(KLSError) -> (mean: Value, variance: Value) {
        guard categorical else {
            return (probabilities, try probabilities * (1 - probabilities))
        }
        let k = try Differentiation.tensor(probabilities, "probs").shape.last ?? 1
        let index = Value.tensor(try Tensor((0..<k).map(Double.init)))
        let mean = try TracedMath.sum(probabilities * index, axes: [-1])
        let square = try TracedMath.sum(probabilities * (index * index), axes: [-1])
        return (mean, try square - TracedMath.apply(.square, mean))
    }

    /// The error for a draw: discrete draws have no pathwise gradient.
    func noPathwise(_ family: String) -> KLSError { ScalarParts.noPathwise(family, discrete: true) }

    /// x log x, 0 where x is 0.
    private func plogp(_ x: Value) throws(KLSError) -> Value {
        try TracedMath.select(
            try positive(x), try x * TracedMath.apply(.log, safe(x)), .number(0))
    }

    private func positive(_ x: Value) throws(KLSError) -> Tensor {
        try Tensor.binary(.greater, try Differentiation.tensor(x, "probability"), scalar: 0, scalarOnLeft: false)
    }

    /// x with its zeros replaced by 1, so that log x stays finite where it is not used.
    private func safe(_ x: Value) throws(KLSError) -> Value {
        try TracedMath.select(try positive(x), x, .number(1))
    }
}
