import KLSDiagnostics
import KLSTensor

/// The closed-form KL between two members of one scalar family, as formulas
/// over values that may be traced, so that `grad` reaches both sides'
/// parameters. The formulas are the textbook ones (`ScalarKL` evaluates the
/// same quantities in forms that keep their digits when q ≈ p; the gradients,
/// being differences of O(1) terms, do not need that care).
extension ScalarParts {
    func kl(to p: ScalarParts) throws(KLSError) -> Value {
        guard kind == p.kind else {
            throw KLSError(
                "grad of closed-form kl between \(kind.rawValue) and \(p.kind.rawValue) is not supported",
                hint: "kl_mc's gradient is pathwise for any reparameterised pair")
        }
        // Exponential has one parameter: its rate stands in both places.
        let (q0, p0) = (values[0], p.values[0])
        let (q1, p1) = (values.last ?? q0, p.values.last ?? p0)
        switch kind {
        case .logNormal:
            // log(σp/σq) + (σq² + (μq − μp)²)/(2σp²) − ½
            let spread = try square(q1) + square(q0 - p0)
            let scaled = try spread / (2 * square(p1))
            return try log(p1) - log(q1) + scaled - 0.5
        case .laplace:
            // log(bp/bq) + |μq − μp|/bp + (bq/bp) e^(−|μq − μp|/bq) − 1
            let distance = try TracedMath.apply(.abs, q0 - p0)
            let decay = try TracedMath.apply(.exp, -1 * (distance / q1))
            let terms = try distance / p1 + q1 / p1 * decay
            return try log(p1) - log(q1) + terms - 1
        case .exponential:
            // log(λq/λp) + λp/λq − 1
            return try log(q0) - log(p0) + p0 / q0 - 1
        case .gamma:
            // (αq − αp)ψ(αq) − lgamma(αq) + lgamma(αp) + αp(log βq − log βp) + αq(βp − βq)/βq
            let shape = try (q0 - p0) * TracedMath.apply(.digamma, q0)
            let normaliser = try TracedMath.apply(.lgamma, p0) - TracedMath.apply(.lgamma, q0)
            let rates = try p0 * (log(q1) - log(p1))
            let mean = try q0 * (p1 - q1) / q1
            return try shape + normaliser + (rates + mean)
        case .beta:
            return try betaKL(q0, q1, p0, p1)
        case .uniform:
            // log((hp − lp)/(hq − lq)) when q's support lies inside p's, else inf (no gradient).
            let inside = try Tensor.binary(
                .multiply,
                try Tensor.binary(.greaterEqual, try plain(q0), try plain(p0)),
                try Tensor.binary(.lessEqual, try plain(q1), try plain(p1)))
            let value = try log(p1 - p0) - log(q1 - q0)
            return try TracedMath.select(inside, value, .number(.infinity))
        case .studentT:
            throw KLSError(
                "kl between two StudentTs has no closed form", hint: "kl_mc's gradient is pathwise for StudentT")
        }
    }

    /// ln B(ap, bp) − ln B(aq, bq) + (aq − ap)ψ(aq) + (bq − bp)ψ(bq) + (ap − aq + bp − bq)ψ(aq + bq).
    private func betaKL(_ aq: Value, _ bq: Value, _ ap: Value, _ bp: Value) throws(KLSError) -> Value {
        func logBeta(_ a: Value, _ b: Value) throws(KLSError) -> Value {
            try TracedMath.apply(.lgamma, a) + TracedMath.apply(.lgamma, b) - TracedMath.apply(.lgamma, a + b)
        }
        let total = try aq + bq
        let shifts = try (aq - ap) * TracedMath.apply(.digamma, aq) + (bq - bp) * TracedMath.apply(.digamma, bq)
        let joint = try (ap + bp - total) * TracedMath.apply(.digamma, total)
        return try logBeta(ap, bp) - logBeta(aq, bq) + (shifts + joint)
    }

    private func log(_ a: Value) throws(KLSError) -> Value { try TracedMath.apply(.log, a) }
    private func square(_ a: Value) throws(KLSError) -> Value { try TracedMath.apply(.square, a) }
    private func plain(_ a: Value) throws(KLSError) -> Tensor { try Differentiation.tensor(a, "parameter") }
}
