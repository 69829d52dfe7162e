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
            let spread = try add(try square(q1), try square(try sub(q0, p0)))
            let scaled = try div(spread, try mul(.number(2), try square(p1)))
            return try sub(try add(try sub(try log(p1), try log(q1)), scaled), .number(0.5))
        case .laplace:
            // log(bp/bq) + |μq − μp|/bp + (bq/bp) e^(−|μq − μp|/bq) − 1
            let distance = try TracedMath.apply(.abs, try sub(q0, p0))
            let decay = try TracedMath.apply(.exp, try mul(.number(-1), try div(distance, q1)))
            let terms = try add(try div(distance, p1), try mul(try div(q1, p1), decay))
            return try sub(try add(try sub(try log(p1), try log(q1)), terms), .number(1))
        case .exponential:
            // log(λq/λp) + λp/λq − 1
            return try sub(try add(try sub(try log(q0), try log(p0)), try div(p0, q0)), .number(1))
        case .gamma:
            // (αq − αp)ψ(αq) − lgamma(αq) + lgamma(αp) + αp(log βq − log βp) + αq(βp − βq)/βq
            let shape = try mul(try sub(q0, p0), try TracedMath.apply(.digamma, q0))
            let normaliser = try sub(try TracedMath.apply(.lgamma, p0), try TracedMath.apply(.lgamma, q0))
            let rates = try mul(p0, try sub(try log(q1), try log(p1)))
            let mean = try div(try mul(q0, try sub(p1, q1)), q1)
            return try add(try add(shape, normaliser), try add(rates, mean))
        case .beta:
            return try betaKL(q0, q1, p0, p1)
        case .uniform:
            // log((hp − lp)/(hq − lq)) when q's support lies inside p's, else inf (no gradient).
            let inside = try Tensor.binary(
                .multiply,
                try Tensor.binary(.greaterEqual, try plain(q0), try plain(p0)),
                try Tensor.binary(.lessEqual, try plain(q1), try plain(p1)))
            let value = try sub(try log(try sub(p1, p0)), try log(try sub(q1, q0)))
            return try TracedMath.select(inside, value, .number(.infinity))
        case .studentT:
            throw KLSError(
                "kl between two StudentTs has no closed form", hint: "kl_mc's gradient is pathwise for StudentT")
        }
    }

    /// ln B(ap, bp) − ln B(aq, bq) + (aq − ap)ψ(aq) + (bq − bp)ψ(bq) + (ap − aq + bp − bq)ψ(aq + bq).
    private func betaKL(_ aq: Value, _ bq: Value, _ ap: Value, _ bp: Value) throws(KLSError) -> Value {
        func logBeta(_ a: Value, _ b: Value) throws(KLSError) -> Value {
            try sub(
                try add(try TracedMath.apply(.lgamma, a), try TracedMath.apply(.lgamma, b)),
                try TracedMath.apply(.lgamma, try add(a, b)))
        }
        let total = try add(aq, bq)
        let shifts = try add(
            try mul(try sub(aq, ap), try TracedMath.apply(.digamma, aq)),
            try mul(try sub(bq, bp), try TracedMath.apply(.digamma, bq)))
        let joint = try mul(try sub(try add(ap, bp), total), try TracedMath.apply(.digamma, total))
        return try add(try sub(try logBeta(ap, bp), try logBeta(aq, bq)), try add(shifts, joint))
    }

    private func add(_ a: Value, _ b: Value) throws(KLSError) -> Value { try TracedMath.add(a, b) }
    private func sub(_ a: Value, _ b: Value) throws(KLSError) -> Value { try TracedMath.sub(a, b) }
    private func mul(_ a: Value, _ b: Value) throws(KLSError) -> Value { try TracedMath.mul(a, b) }
    private func div(_ a: Value, _ b: Value) throws(KLSError) -> Value { try TracedMath.div(a, b) }
    private func log(_ a: Value) throws(KLSError) -> Value { try TracedMath.apply(.log, a) }
    private func square(_ a: Value) throws(KLSError) -> Value { try TracedMath.apply(.square, a) }
    private func plain(_ a: Value) throws(KLSError) -> Tensor { try Differentiation.tensor(a, "parameter") }
}
