import Foundation
import KLSDiagnostics
import KLSTensor

/// How the draws of q are made: independent (`plain`, the engine's), in
/// antithetic pairs ε, −ε, or from scrambled Sobol points through Φ⁻¹
/// (randomised quasi-Monte Carlo).
public enum Sampler: String, CaseIterable, Sendable {
    case plain
    case sobol
    case antithetic
}

/// Monte Carlo KL with a variance-reduced sampler, for a Gaussian q (Normal,
/// DiagNormal, StdNormal, MvNormal: z = μ + σε or μ + Lε from standard normal
/// ε) and any p. The draws are made in chunks and never all held.
///
/// The error comes from independent units: for `sobol`, 32 independent
/// scrambles of ⌈n/32⌉ points each, whose means vary honestly (each scrambled
/// set is an unbiased estimate, Owen 1997); for `antithetic`, the ⌈n/2⌉ pairs'
/// means. `moments` are those units' (count 32 or ⌈n/2⌉), so the stderr is
/// theirs, never the within-set spread that would overstate it for Sobol.
public struct VarianceReducedMonteCarlo {
    public static let scrambles = 32
    static let chunk = 16_384

    let q: any Distribution
    let p: any Distribution
    /// A Gaussian q's map from standard normal noise; nil for a scalar q drawn
    /// through its inverse cdf.
    let noise: GaussianNoise?
    public let batchShape: [Int]
    /// Coordinates of one draw's noise (1 for an inverse cdf).
    var dimension: Int { noise?.dimension ?? 1 }

    /// Nil when q can be drawn neither from standard normal noise (Normal,
    /// DiagNormal, StdNormal, MvNormal) nor through its inverse cdf (a
    /// continuous scalar family).
    public init?(q: any Distribution, p: any Distribution) throws(KLSError) {
        let noise = GaussianNoise(q)
        guard noise != nil || (q.eventShape.isEmpty && !q.isDiscrete && !q.isThreadConfined && Self.hasCDF(q))
        else { return nil }
        try KLRegistry.checkEvents(q, p)
        (self.q, self.p, self.noise) = (q, p, noise)
        batchShape = try Shape.broadcast(q.batchShape, p.batchShape)
    }

    /// Whether a scalar q answers `cdf` (a Mixture of such does too).
    static func hasCDF(_ q: any Distribution) -> Bool {
        let support = q.support
        let inside = support.lowerBound.isFinite ? support.lowerBound : Swift.min(0, support.upperBound)
        return (try? q.cdf(Tensor(scalar: inside))) != nil
    }

    /// The units' moments per batch element, and the draws made in all.
    public func run(n: Int, estimator: Estimator, sampler: Sampler, generator: Philox, start: UInt64)
        throws(KLSError) -> (moments: [Moments], draws: Int)
    {
        try run(n: n, term: .kl(estimator), sampler: sampler, generator: generator, start: start)
    }

    /// The same for any term of the log-ratio (a divergence's).
    public func run(n: Int, term estimator: MonteCarloTerm, sampler: Sampler, generator: Philox, start: UInt64)
        throws(KLSError) -> (moments: [Moments], draws: Int)
    {
        switch sampler {
        case .plain:
            throw KLSError("internal: the plain sampler is the engine's")
        case .sobol: return try sobol(n: n, estimator: estimator, generator: generator)
        case .antithetic: return try antithetic(n: n, estimator: estimator, generator: generator, start: start)
        }
    }

    /// The running estimate after each draw, `[draws, batch]`, the draws in the
    /// order that refines the estimate evenly — point j of every scramble before
    /// point j + 1 (Sobol), each ε just before its −ε (antithetic) — so `draws`
    /// is n rounded up to whole units (32 scrambles, pairs). The last row is
    /// `run`'s value exactly.
    public func trace(n: Int, estimator: Estimator, sampler: Sampler, generator: Philox, start: UInt64)
        throws(KLSError) -> Tensor
    {
        let draws =
            sampler == .sobol
            ? Swift.max(1, (n + Self.scrambles - 1) / Self.scrambles) * Self.scrambles : 2 * Swift.max(1, (n + 1) / 2)
        let batch = batchShape.reduce(1, *)
        try MemoryLimit.check(elements: try Checked.product([draws, batch], what: "kl_trace of \(draws) draws"))
        var moments: [Moments] = []
        let terms = try Tensor(shape: [draws, batch]) { (out) throws(KLSError) in
            guard let keep = out.baseAddress else { return }
            switch sampler {
            case .plain: throw KLSError("internal: the plain sampler is the engine's")
            case .sobol: moments = try sobol(n: n, estimator: .kl(estimator), generator: generator, keep: keep).moments
            case .antithetic:
                moments = try antithetic(
                    n: n, estimator: .kl(estimator), generator: generator, start: start, keep: keep
                ).moments
            }
        }
        return try RunningEstimate.trace(terms, shape: [draws] + batchShape, endingAt: moments.map(\.mean))
    }

    /// Each scramble's mean term per batch element: one unit each. With `keep`,
    /// every term too, point j of scramble u at row j · 32 + u.
    func sobol(n: Int, estimator: MonteCarloTerm, generator: Philox, keep: UnsafeMutablePointer<Double>? = nil)
        throws(KLSError) -> (moments: [Moments], draws: Int)
    {
        let perScramble = Swift.max(1, (n + Self.scrambles - 1) / Self.scrambles)
        guard perScramble <= SobolSequence.maximumCount else {
            throw KLSError("sampler=\"sobol\": at most 2^32 points per scramble", kind: .resource)
        }
        let batch = batchShape.reduce(1, *)
        var units = [Moments](repeating: Moments(), count: batch)
        for replicate in 0..<Self.scrambles {
            let sequence = try SobolSequence(dimension: dimension, generator: generator, replicate: replicate)
            var sums = [Double](repeating: 0, count: batch)
            var done = 0
            while done < perScramble {
                let count = Swift.min(Self.chunk, perScramble - done)
                let points = try Tensor(shape: [count, dimension]) { out in
                    guard let base = out.baseAddress else { return }
                    sequence.fill(start: done, count: count, into: base)
                    if noise != nil { NormalQuantile.apply(base, count: out.count) }
                }
                let terms = try self.terms(try draw(points), estimator)
                for b in 0..<batch { for i in 0..<count { sums[b] += terms[flat: i * batch + b] } }
                if let keep {
                    for i in 0..<count {
                        for b in 0..<batch {
                            keep[((done + i) * Self.scrambles + replicate) * batch + b] = terms[flat: i * batch + b]
                        }
                    }
                }
                done += count
                try Cancellation.check()
            }
            for b in 0..<batch {
                var mean = sums[b] / Double(perScramble)
                units[b].merge(Moments(&mean, 1))
            }
        }
        return (units, perScramble * Self.scrambles)
    }

    /// Pairs ε, −ε from the stream's normal draws: each pair's mean is a unit.
    /// With `keep`, every term too, pair i's at rows 2i and 2i + 1.
    func antithetic(
        n: Int, estimator: MonteCarloTerm, generator: Philox, start: UInt64, keep: UnsafeMutablePointer<Double>? = nil
    ) throws(KLSError) -> (moments: [Moments], draws: Int) {
        let pairs = Swift.max(1, (n + 1) / 2)
        let batch = batchShape.reduce(1, *)
        var units = [Moments](repeating: Moments(), count: batch)
        var done = 0
        while done < pairs {
            let count = Swift.min(Self.chunk, pairs - done)
            let (forward, backward) = try antitheticTerms(count: count, from: done, estimator, generator, start)
            if let keep {
                for i in 0..<count {
                    for b in 0..<batch {
                        keep[(2 * (done + i)) * batch + b] = forward[flat: i * batch + b]
                        keep[(2 * (done + i) + 1) * batch + b] = backward[flat: i * batch + b]
                    }
                }
            }
            let means = try Tensor.binary(
                .multiply, try Tensor.binary(.add, forward, backward), scalar: 0.5, scalarOnLeft: false)
            means.withBuffer { m in
                guard let base = m.baseAddress else { return }
                for b in 0..<batch { units[b].merge(Moments(base + b, count, stride: batch)) }
            }
            done += count
            try Cancellation.check()
        }
        return (units, 2 * pairs)
    }

    /// The terms of pairs `from ..< from + count`: standard normal ε and −ε for
    /// a Gaussian q, uniforms u and 1 − u through the inverse cdf otherwise.
    func antitheticTerms(
        count: Int, from done: Int, _ estimator: MonteCarloTerm, _ generator: Philox, _ start: UInt64
    ) throws(KLSError) -> (Tensor, Tensor) {
        let first = start &+ UInt64(done) &* UInt64(dimension)
        if noise != nil {
            let epsilon = try Tensor.normal(shape: [count, dimension], generator: generator, start: first)
            return (try terms(try draw(epsilon), estimator), try terms(try draw(try epsilon.map(.negate)), estimator))
        }
        // [0, 1) draws moved half a step up, into (0, 1): both u and 1 − u are inside.
        let u = try Tensor.binary(
            .add, try Tensor.uniform(shape: [count, 1], generator: generator, start: first), scalar: 0x1p-54,
            scalarOnLeft: false)
        let reflected = try Tensor.binary(.subtract, u, scalar: 1, scalarOnLeft: true)
        return (try terms(try draw(u), estimator), try terms(try draw(reflected), estimator))
    }

    /// Draws of q from noise rows (`[count, dimension]`): standard normal ε for
    /// a Gaussian q, uniforms in (0, 1) through the inverse cdf otherwise.
    func draw(_ noise: Tensor) throws(KLSError) -> Tensor {
        if let gaussian = self.noise { return try gaussian.draw(noise, batch: batchShape) }
        return try InverseCDF.quantiles(q, noise, batch: batchShape)
    }

    /// The estimator's terms at the draws z, `[count, batch]`.
    func terms(_ z: Tensor, _ estimator: MonteCarloTerm) throws(KLSError) -> Tensor {
        let logRatio = try Tensor.binary(.subtract, try q.logpdf(z), try p.logpdf(z))
        let count = z.shape[0]
        let flat = try logRatio.broadcast(to: [count] + batchShape)
        return try Tensor(shape: [count, batchShape.reduce(1, *)]) { out in
            guard let o = out.baseAddress else { return }
            flat.withBuffer { l in
                guard let base = l.baseAddress else { return }
                estimator.terms(base, out.count, into: o)
            }
        }
    }
}

/// A Gaussian q as a map of standard normal noise: z = μ + σ ⊙ ε (Normal,
/// DiagNormal, StdNormal) or μ + Lε (MvNormal), one ε per draw shared by the
/// batch elements (each element's estimate is still unbiased, with its own error).
struct GaussianNoise {
    let diagonal: DiagonalGaussian?
    let full: MvNormal?
    let eventShape: [Int]
    /// Coordinates of one draw's noise.
    var dimension: Int { Swift.max(1, eventShape.reduce(1, *)) }

    init?(_ q: any Distribution) {
        eventShape = q.eventShape
        if let d = DiagonalGaussian(q) {
            (diagonal, full) = (d, nil)
        } else if let m = q as? MvNormal {
            (diagonal, full) = (nil, m)
        } else {
            return nil
        }
    }

    /// z for each row of ε (`[count, dimension]`): `[count] + batch + event`.
    func draw(_ epsilon: Tensor, batch: [Int]) throws(KLSError) -> Tensor {
        let count = epsilon.shape[0]
        let shaped = try epsilon.reshaped([count] + [Int](repeating: 1, count: batch.count) + eventShape)
        if let d = diagonal {
            let scaled = try Tensor.binary(.multiply, shaped, d.std)
            return try Tensor.binary(.add, scaled, d.mean).broadcast(to: [count] + batch + eventShape)
        }
        guard let m = full else { throw KLSError("internal: no Gaussian noise map") }
        let k = m.dimension
        let means = try m.means.broadcast(to: batch + [k])
        let factors = try m.choleskyFactors.broadcast(to: batch + [k, k])
        let elements = batch.reduce(1, *)
        return try Tensor(shape: [count] + batch + [k]) { out in
            for i in 0..<count {
                for b in 0..<elements {
                    for r in 0..<k {
                        var s = means[flat: b * k + r]
                        for c in 0...r { s += factors[flat: (b * k + r) * k + c] * epsilon[flat: i * k + c] }
                        out[(i * elements + b) * k + r] = s
                    }
                }
            }
        }
    }
}
