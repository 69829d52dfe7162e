import Foundation
import KLSDiagnostics
import KLSDistributions
import KLSGradient
import KLSTensor

/// `kl_mc` under `grad`: the estimate is kl_mc's own; its gradient is the
/// pathwise (reparameterised) estimate on n draws of ε from the same seed,
/// computed when the gradient flows back, chunk by chunk — each chunk on a
/// tape of its own that is dropped after it, so memory stays bounded for any
/// n and the result does not depend on the thread count.
enum MonteCarloGradient {
    static let rule = Derivative.custom { a, session throws(KLSError) in
        if try KLBuiltins.sampler(a) != .plain {
            throw KLSError(
                "grad of kl_mc draws plainly; sampler=\"\(try a.string("sampler"))\" is for estimates, not gradients",
                hint: "leave sampler= out under grad")
        }
        let (plainQ, plainP) = (
            try DistributionBuiltins.distribution(a, "q"), try DistributionBuiltins.distribution(a, "p")
        )
        if plainQ is JointDistribution || plainP is JointDistribution {
            return try JointGradient.monteCarlo(a, session)
        }
        let (q, p) = (plainQ, plainP)
        guard let pParts = DifferentiableParts(p) else { throw DistributionDerivatives.unsupported(p) }
        let name = try a.string("estimator")
        guard let estimator = Estimator(rawValue: name) else {
            throw KLSError("grad of kl_mc takes estimator \"k1\", \"k2\" or \"k3\", got \"\(name)\"")
        }
        let n = try a.integer("n", atLeast: 1)
        let (qParts, gaussians) = try Self.pathwiseParts(q, pParts)
        let standard = try qParts?.standard(q) ?? q
        let (record, generator, start) = try estimateAndStream(session) { () throws(KLSError) in
            guard case .record(let r) = try KLBuiltins.monteCarlo(a.untraced(), session) else {
                throw KLSError("internal: kl_mc gave no estimate")
            }
            return r
        } stream: { () throws(KLSError) in
            try RandomBuiltins.stream(a, session, count: n * standard.drawsPerSample, streaming: true)
        }
        guard let value = record["value"] else { throw KLSError("internal: kl_mc gave no estimate") }
        let parameters = (qParts?.values ?? []) + pParts.values
        guard let tape = try TracedNumber.tape(parameters) else { return .record(record) }
        let plain = parameters.map(\.value)
        let draws = PathwiseGradient.Draws(standard: standard, generator: generator, start: start, n: n)
        let traced = tape.record(try value.asTensor()) { g, pass throws(KLSError) in
            let sums: [Tensor]
            if let diagonal = gaussians {
                sums = try PathwiseGradient.gaussianSums(g, plain, diagonal, estimator, draws)
            } else if let qParts {
                sums = try PathwiseGradient.generalSums(g, plain, qParts, pParts, estimator, draws)
            } else {
                sums = try PathwiseGradient.fixedQSums(g, plain, q, pParts, estimator, draws)
            }
            for (i, share) in sums.enumerated() {
                guard case .traced(let t) = parameters[i] else { continue }
                try pass(t, try Tensor.binary(.divide, share, scalar: Double(n), scalarOnLeft: false))
            }
        }
        return estimate(record, value: traced)
    }

    /// How the gradient reaches the parameters: through q's pathwise draws where
    /// q depends on the variable, or where q and p are Gaussians of one kind
    /// (closed-form per-draw derivatives; whether diagonal is returned) — q's
    /// parts, then; else nil: q's own draws, only log p differentiated.
    private static func pathwiseParts(_ q: any Distribution, _ p: DifferentiableParts) throws(KLSError)
        -> (DifferentiableParts?, gaussians: Bool?)
    {
        let parts = DifferentiableParts(q)
        if case .gaussian(let gq)? = parts, case .gaussian(let gp) = p, gq.isDiagonal == gp.isDiagonal {
            return (parts, gq.isDiagonal)
        }
        guard q is TracedDistribution else { return (nil, nil) }
        guard let parts else { throw DistributionDerivatives.unsupported(q) }
        return (parts, nil)
    }

    /// kl_mc's record with its `value` replaced by the traced one that carries the gradient.
    static func estimate(_ record: Record, value traced: Traced) -> Value {
        let fields = zip(record.names, record.values).map { ($0 == "value" ? ($0, Value.traced(traced)) : ($0, $1)) }
        return .record(Record(kind: record.kind, fields))
    }

    /// The plain estimate, and the stream its draws came from: taken again
    /// from the session's stream as it was before the estimate, so that
    /// without a seed the gradient still sees the estimate's draws.
    static func estimateAndStream(
        _ session: Interpreter, _ estimate: () throws(KLSError) -> Record,
        stream: () throws(KLSError) -> (Philox, UInt64)
    ) throws(KLSError) -> (Record, Philox, UInt64) {
        let before = session.random
        let record = try estimate()
        let after = session.random
        session.random = before
        defer { session.random = after }
        let (generator, start) = try stream()
        return (record, generator, start)
    }
}
