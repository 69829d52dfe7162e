import Foundation
import KLSDiagnostics
import KLSGradient
import KLSTensor

/// Bernoulli and Categorical with parameters that may depend on grad's
/// variable. Their densities, entropies and closed-form KLs are smooth in the
/// probabilities, so those differentiate; their draws are not (a draw jumps
/// from one value to the next), so `sample` and `kl_mc` refuse and name the
/// score-function estimator, which these densities make easy to write:
/// `grad(p -> mean(f(z) * logpdf(Bernoulli(p), z)))` at fixed draws z.
package struct DiscreteParts {
    /// Bernoulli's p, or Categorical's probabilities (normalised along the last axis).
    package let probabilities: TracedNumber
    package let categorical: Bool

    package init(probabilities: TracedNumber, categorical: Bool) {
        self.probabilities = probabilities
        self.categorical = categorical
    }

    /// The parts of a plain distribution (a traced one carries its own:
    /// `DifferentiableParts`).
    package init?(plain d: any Distribution) {
        if let c = d as? Categorical {
            (probabilities, categorical) = (.plain(c.probs), true)
        } else if let b = d as? Bernoulli, let p = b.values.first {
            (probabilities, categorical) = (.plain(p), false)
        } else {
            return nil
        }
    }

    /// `Categorical(probs)` with traced probs: normalised as a formula, so the gradient sees the normalisation.
    package static func normalised(_ raw: TracedNumber) throws(KLSError) -> TracedNumber {
        let total = try TracedNumber.sum(raw, axes: [-1])
        let rank = raw.value.rank
        let shape = total.value.shape
        return try raw / TracedNumber.reshape(total, shape + (rank > 0 ? [1] : []))
    }

    /// log P(x): log p or log(1 − p) (Bernoulli); log π[x] (Categorical); −inf off the support.
    package func logpdf(_ x: TracedNumber) throws(KLSError) -> TracedNumber {
        let plain = x.value
        if !categorical {
            let isOne = try Tensor.binary(.equal, plain, scalar: 1, scalarOnLeft: false)
            let isZero = try Tensor.binary(.equal, plain, scalar: 0, scalarOnLeft: false)
            let one = try TracedNumber.apply(.log, probabilities)
            let zero = try TracedNumber.apply(.log1p, -1 * probabilities)
            return try TracedNumber.select(
                isOne, one, try TracedNumber.select(isZero, zero, TracedNumber(-.infinity)))
        }
        let probs = probabilities.value
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
        let logs = try TracedNumber.apply(.log, try safe(probabilities))
        let picked = try TracedNumber.sum(.plain(oneHot) * logs, axes: [-1])
        return try TracedNumber.select(inside, picked, TracedNumber(-.infinity))
    }

    /// −Σ π log π, with 0 log 0 = 0.
    package func entropy() throws(KLSError) -> TracedNumber {
        let terms = try plogp(probabilities)
        if !categorical {
            let complement = try 1 - probabilities
            return try -1 * (terms + plogp(complement))
        }
        return try -1 * TracedNumber.sum(terms, axes: [-1])
    }

    /// Σ πq (log πq − log πp) over the categories (both outcomes for Bernoulli).
    package func kl(to p: DiscreteParts) throws(KLSError) -> TracedNumber {
        guard categorical == p.categorical else {
            throw KLSError("grad of closed-form kl pairs Bernoulli with Bernoulli and Categorical with Categorical")
        }
        func term(_ q: TracedNumber, _ p: TracedNumber) throws(KLSError) -> TracedNumber {
            let ratio = try TracedNumber.apply(.log, safe(q)) - TracedNumber.apply(.log, p)
            let value = try q * ratio
            return try TracedNumber.select(try positive(q), value, TracedNumber(0))
        }
        if !categorical {
            let (q1, p1) = (probabilities, p.probabilities)
            let (q0, p0) = (try 1 - q1, try 1 - p1)
            return try term(q1, p1) + term(q0, p0)
        }
        return try TracedNumber.sum(try term(probabilities, p.probabilities), axes: [-1])
    }

    /// Bernoulli: p and p(1 − p); Categorical: Σ k πₖ and Σ k² πₖ − mean².
    package func moments() throws(KLSError) -> (mean: TracedNumber, variance: TracedNumber) {
        guard categorical else {
            return (probabilities, try probabilities * (1 - probabilities))
        }
        let k = probabilities.value.shape.last ?? 1
        let index = TracedNumber.plain(try Tensor((0..<k).map(Double.init)))
        let mean = try TracedNumber.sum(probabilities * index, axes: [-1])
        let square = try TracedNumber.sum(probabilities * (index * index), axes: [-1])
        return (mean, try square - TracedNumber.apply(.square, mean))
    }

    /// The error for a draw: discrete draws have no pathwise gradient.
    package func noPathwise(_ family: String) -> KLSError { ScalarParts.noPathwise(family, discrete: true) }

    /// x log x, 0 where x is 0.
    private func plogp(_ x: TracedNumber) throws(KLSError) -> TracedNumber {
        try TracedNumber.select(
            try positive(x), try x * TracedNumber.apply(.log, safe(x)), TracedNumber(0))
    }

    private func positive(_ x: TracedNumber) throws(KLSError) -> Tensor {
        try Tensor.binary(.greater, x.value, scalar: 0, scalarOnLeft: false)
    }

    /// x with its zeros replaced by 1, so that log x stays finite where it is not used.
    private func safe(_ x: TracedNumber) throws(KLSError) -> TracedNumber {
        try TracedNumber.select(try positive(x), x, TracedNumber(1))
    }
}
