import Foundation
import KLSDiagnostics
import KLSTensor

/// What a VAE's KL term is made of, averaged over its data points: Hoffman and
/// Johnson's (2016) split of the mean KL into the mutual information between
/// data point and latent and the KL from the aggregate posterior to the prior,
/// and Chen et al.'s (2018, β-TCVAE) split of the latter into total
/// correlation and dimension-wise KL:
///
///     E_x KL(q(z|x) ‖ p(z)) = I(x; z) + KL(q(z) ‖ p(z)),
///     KL(q(z) ‖ p(z))       = KL(q(z) ‖ Πⱼ q(zⱼ)) + Σⱼ KL(q(zⱼ) ‖ p(zⱼ)),
///
/// with the data distribution the N points' empirical one, so I(x; z) ≤ log N.
///
/// Every term is a mean over the same n draws (k uniform over the points,
/// z ~ q(z|x_k)) of a per-draw log-ratio; log q(z) and log q(z_j) are exact
/// log-sum-exps over all N components (no minibatch estimate), so each term is
/// unbiased and the identities hold draw by draw, to rounding.
public enum KLDecomposition {
    /// The record's terms, declared once: name and what it measures.
    public enum Term: String, CaseIterable, Sendable {
        case meanKL = "mean_kl"
        case mutualInfo = "mutual_info"
        case marginalKL = "marginal_kl"
        case totalCorrelation = "total_correlation"
        case dimensionwiseKL = "dimensionwise_kl"

        public var summary: String {
            switch self {
            case .meanKL: "E_x KL(q(z|x) ‖ p(z)), the KL term of the ELBO averaged over the data"
            case .mutualInfo: "I(x; z) = E log q(z|x)/q(z): what z says about which point it came from (≤ log N)"
            case .marginalKL: "KL(q(z) ‖ p(z)): how far the aggregate posterior is from the prior"
            case .totalCorrelation: "KL(q(z) ‖ Π q(z_j)): dependence between the latent dimensions"
            case .dimensionwiseKL: "Σ_j KL(q(z_j) ‖ p(z_j)): each dimension's aggregate against the prior's"
            }
        }
    }

    /// A factorised Gaussian prior: one mean and standard deviation per dimension.
    public struct Prior: Sendable {
        public let means: [Double]
        public let stds: [Double]
        /// −log σⱼ − ½ log 2π, once rather than per draw.
        let offsets: [Double]

        public init(means: [Double], stds: [Double]) {
            self.means = means
            self.stds = stds
            offsets = stds.map { -Foundation.log($0) - 0.5 * Foundation.log(2 * Double.pi) }
        }

        /// log p(z_j) for coordinate j.
        func logDensity(_ z: Double, _ j: Int) -> Double {
            let u = (z - means[j]) / stds[j]
            return offsets[j] - 0.5 * u * u
        }
    }

    /// The terms' moments over the draws, and each dimension's own KL.
    public struct Result: Sendable {
        public var terms: [Term: Moments]
        /// KL(q(z_j) ‖ p(z_j)) for each j.
        public var perDimension: [Moments]
        /// The largest |mean_kl − mutual_info − marginal_kl| and
        /// |marginal_kl − total_correlation − dimensionwise_kl| over the draws.
        public var identityGap: Double
    }

    /// Draws per chunk: each chunk's moments merge in order, so a seed gives the
    /// same numbers on any number of cores.
    static let chunk = 256

    /// The terms from n draws of `generator` from index `start` (d + 1 indices
    /// per draw, as `AggregatePosterior.sample`).
    public static func run(
        _ q: AggregatePosterior, prior: Prior, n: Int, generator: Philox, start: UInt64
    ) throws(KLSError) -> Result {
        let chunks = (n + chunk - 1) / chunk
        let parts = Parallel.mapChunks(chunks, cost: Swift.max(1, 4 * chunk * q.count * q.dimensions)) { range in
            range.map { c in
                Cancellation.isRequested
                    ? nil : draws(q, prior, c * chunk..<Swift.min(n, (c + 1) * chunk), generator, start)
            }
        }
        try Cancellation.check()
        var total = Result(
            terms: Dictionary(uniqueKeysWithValues: Term.allCases.map { ($0, Moments()) }),
            perDimension: [Moments](repeating: Moments(), count: q.dimensions), identityGap: 0)
        for part in parts.joined() {
            guard let part else { continue }
            for term in Term.allCases { total.terms[term]?.merge(part.terms[term] ?? Moments()) }
            for j in 0..<q.dimensions { total.perDimension[j].merge(part.perDimension[j]) }
            total.identityGap = Swift.max(total.identityGap, part.identityGap)
        }
        return total
    }

    /// The terms of draws `range`.
    static func draws(
        _ q: AggregatePosterior, _ prior: Prior, _ range: Range<Int>, _ generator: Philox, _ start: UInt64
    ) -> Result {
        let d = q.dimensions
        let m = range.count
        var values = [[Double]](repeating: [Double](repeating: 0, count: m), count: Term.allCases.count)
        var dimension = [Double](repeating: 0, count: m * d)
        var gap = 0.0
        q.withComponents { components in
            var sums = [Double](repeating: 0, count: q.count)
            var terms = sums
            var z = [Double](repeating: 0, count: d)
            var marginals = [Double](repeating: 0, count: d)
            for (t, i) in range.enumerated() {
                let base = start &+ UInt64(i) &* UInt64(d + 1)
                let k = q.component(generator, index: base)
                for j in 0..<d {
                    let e = NormalSampler.draw(generator, index: base &+ 1 &+ UInt64(j))
                    z[j] = q.means[flat: k * d + j] + q.stds[flat: k * d + j] * e
                }
                let aggregate = z.withUnsafeBufferPointer { zb in
                    marginals.withUnsafeMutableBufferPointer { mb in
                        guard let zp = zb.baseAddress, let mp = mb.baseAddress else { return Double.nan }
                        return components.density(at: zp, sums: &sums, terms: &terms, marginals: mp)
                    }
                }
                let own = sums[k]
                var logPrior = 0.0
                var product = 0.0
                for j in 0..<d {
                    let pj = prior.logDensity(z[j], j)
                    logPrior += pj
                    product += marginals[j]
                    dimension[t * d + j] = marginals[j] - pj
                }
                values[0][t] = own - logPrior
                values[1][t] = own - aggregate
                values[2][t] = aggregate - logPrior
                values[3][t] = aggregate - product
                values[4][t] = product - logPrior
                gap = Swift.max(
                    gap, Swift.abs(values[0][t] - values[1][t] - values[2][t]),
                    Swift.abs(values[2][t] - values[3][t] - values[4][t]))
            }
        }
        var terms: [Term: Moments] = [:]
        for (index, term) in Term.allCases.enumerated() {
            terms[term] = values[index].withUnsafeBufferPointer { b in b.baseAddress.map { Moments($0, m) } }
        }
        let perDimension = (0..<d).map { j in
            dimension.withUnsafeBufferPointer { b in b.baseAddress.map { Moments($0 + j, m, stride: d) } ?? Moments() }
        }
        return Result(terms: terms, perDimension: perDimension, identityGap: gap)
    }
}
