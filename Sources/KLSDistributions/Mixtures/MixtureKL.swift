import Foundation
import KLSDiagnostics
import KLSTensor

/// Every `MixtureEstimate` of KL(q‖p) between two Gaussian mixtures, per batch
/// element (the batch shapes broadcast). The pairwise closed forms — KL and
/// overlap ∫f_a g_b between components, each component's entropy — are computed
/// once for the whole batch; the estimates then combine them element by element
/// (`MixtureTables`).
public struct MixtureKL {
    public let q: GaussianMixture
    public let p: GaussianMixture
    /// The broadcast batch shape of q and p.
    public let batchShape: [Int]
    /// Each estimate, of shape `batchShape`.
    public let values: [MixtureEstimate: Tensor]

    /// Checks the pair (Gaussian components, one event shape) and computes the estimates.
    public init(q first: any Distribution, p second: any Distribution) throws(KLSError) {
        try KLRegistry.checkEvents(first, second)
        q = try GaussianMixture(first, role: "q")
        p = try GaussianMixture(second, role: "p")
        let shape = try Shape.broadcast(first.batchShape, second.batchShape)
        batchShape = shape
        let tables = try Self.tables(q, p, shape: shape)
        var values: [MixtureEstimate: Tensor] = [:]
        for estimate in MixtureEstimate.allCases {
            values[estimate] = try Tensor(shape: shape) { out in
                for i in 0..<out.count { out[i] = tables[i].value(estimate) }
            }
        }
        self.values = values
    }

    /// The pairwise closed forms, read into one `MixtureTables` per batch element.
    static func tables(_ q: GaussianMixture, _ p: GaussianMixture, shape: [Int]) throws(KLSError) -> [MixtureTables] {
        let count = shape.reduce(1, *)
        /// A [rows][columns] table of batch tensors, broadcast to `shape`.
        func pairs(
            _ rows: [any Distribution], _ columns: [any Distribution],
            _ f: (any Distribution, any Distribution) throws(KLSError) -> Tensor
        ) throws(KLSError) -> [[Tensor]] {
            var table: [[Tensor]] = []
            for a in rows {
                var row: [Tensor] = []
                for b in columns { row.append(try f(a, b).broadcast(to: shape)) }
                table.append(row)
            }
            return table
        }
        let klQQ = try pairs(q.components, q.components, GaussianPair.kl)
        let klQP = try pairs(q.components, p.components, GaussianPair.kl)
        let overlapQP = try pairs(q.components, p.components, GaussianPair.logOverlap)
        let overlapQQ = try pairs(q.components, q.components, GaussianPair.logOverlap)
        var entropies: [Tensor] = []
        var unscented: [Tensor] = []
        for a in q.components {
            entropies.append(try a.entropy().broadcast(to: shape))
            unscented.append(try sigmaPointMeans(a, q, p, shape: shape))
        }
        func element(_ table: [[Tensor]], _ i: Int) -> [[Double]] { table.map { $0.map { $0[flat: i] } } }
        return (0..<count).map { i in
            MixtureTables(
                logWeightsQ: q.logWeights, logWeightsP: p.logWeights,
                klQQ: element(klQQ, i), klQP: element(klQP, i),
                overlapQQ: element(overlapQQ, i), overlapQP: element(overlapQP, i),
                entropies: entropies.map { $0[flat: i] }, unscented: unscented.map { $0[flat: i] })
        }
    }

    /// The mean of log q(x) − log p(x) over component a's sigma points.
    static func sigmaPointMeans(
        _ a: any Distribution, _ q: GaussianMixture, _ p: GaussianMixture, shape: [Int]
    ) throws(KLSError) -> Tensor {
        let points = try GaussianPair.sigmaPoints(a, batch: shape)
        let ratios = try Tensor.binary(
            .subtract, try q.distribution.logpdf(points), try p.distribution.logpdf(points))
        return try ratios.reduce(.mean, axes: [0])
    }
}

/// The closed forms between the components of q = Σ π_a f_a and p = Σ ω_b g_b
/// for one batch element, and the estimates built from them.
struct MixtureTables {
    /// log π_a and log ω_b.
    let logWeightsQ: [Double]
    let logWeightsP: [Double]
    /// KL(f_a‖f_a') and KL(f_a‖g_b).
    let klQQ: [[Double]]
    let klQP: [[Double]]
    /// log ∫f_a f_a' and log ∫f_a g_b.
    let overlapQQ: [[Double]]
    let overlapQP: [[Double]]
    /// H(f_a).
    let entropies: [Double]
    /// The mean of log q − log p over f_a's sigma points.
    let unscented: [Double]

    func value(_ estimate: MixtureEstimate) -> Double {
        switch estimate {
        case .variational: return variational
        case .product: return product
        case .matchedBound: return matchedBound
        case .unscented: return weighted { unscented[$0] }
        case .goldberger: return goldberger
        case .upperBound: return variationalUpperBound
        case .lowerBound: return lowerBound
        }
    }

    /// Σ_a π_a f(a).
    func weighted(_ f: (Int) -> Double) -> Double {
        logWeightsQ.indices.reduce(0.0) { $0 + Foundation.exp(logWeightsQ[$1]) * f($1) }
    }

    /// log Σ_j e^(weights_j + sign · table_a,j) for row a.
    func logSum(_ weights: [Double], _ table: [[Double]], _ a: Int, sign: Double) -> Double {
        Tensor.logSumExp(of: weights.indices.map { weights[$0] + sign * table[a][$0] })
    }

    var variational: Double {
        weighted { a in logSum(logWeightsQ, klQQ, a, sign: -1) - logSum(logWeightsP, klQP, a, sign: -1) }
    }

    var product: Double {
        weighted { a in logSum(logWeightsQ, overlapQQ, a, sign: 1) - logSum(logWeightsP, overlapQP, a, sign: 1) }
    }

    /// Durrieu, Thiran and Kelly's bound: ∫f_a log q ≥ log Σ π_a' e^(∫f_a log f_a')
    /// (the log of a mixture is at least its variational lower bound) and
    /// ∫f_a log p ≤ log ∫f_a p (Jensen); KL is never negative, so 0 when the
    /// difference is.
    var lowerBound: Double {
        let bound = weighted { a in
            logSum(logWeightsQ, klQQ, a, sign: -1) - entropies[a] - logSum(logWeightsP, overlapQP, a, sign: 1)
        }
        return bound.isNaN ? bound : Swift.max(0, bound)
    }

    /// The cost of matching f_a with g_b: log(π_a/ω_b) + KL(f_a‖g_b).
    func matchingCost(_ a: Int, _ b: Int) -> Double { logWeightsQ[a] - logWeightsP[b] + klQP[a][b] }

    var goldberger: Double {
        weighted { a in
            let b = logWeightsP.indices.min { klQP[a][$0] - logWeightsP[$0] < klQP[a][$1] - logWeightsP[$1] } ?? 0
            return matchingCost(a, b)
        }
    }

    /// KL(q‖p) ≤ KL(π‖ω∘m) + Σ π_a KL(f_a‖g_m(a)) for any one-to-one matching m
    /// (the chain rule on the joint of component and point), at its least over
    /// matchings; nan unless q and p have as many components of positive weight.
    var matchedBound: Double {
        guard logWeightsQ.count == logWeightsP.count else { return .nan }
        let weights = logWeightsQ.map { Foundation.exp($0) }
        let cost = logWeightsQ.indices.map { a in logWeightsP.indices.map { b in weights[a] * matchingCost(a, b) } }
        guard let match = LinearAssignment.minimumCost(cost) else { return .nan }
        return match.indices.reduce(0.0) { $0 + cost[$1][match[$1]] }
    }
}
