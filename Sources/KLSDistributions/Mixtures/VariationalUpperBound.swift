import Foundation
import KLSTensor

/// Hershey and Olsen's variational upper bound. For any φ_ab, ψ_ab ≥ 0 with
/// Σ_b φ_ab = π_a and Σ_a ψ_ab = ω_b, the joints φ_ab f_a(x) and ψ_ab g_b(x)
/// have marginals q and p, so by the chain rule
///
///     KL(q‖p) ≤ Σ φ_ab (log(φ_ab/ψ_ab) + KL(f_a‖g_b)).
///
/// Their alternating updates of φ and ψ lower this towards its least value, but
/// slowly where the best φ is a hard assignment (each f_a to one g_b), as it
/// often is; so hard assignments are tried too — Goldberger's, the matched
/// bound's and the rounded iterate, each improved one move at a time. Each is a
/// pair (φ, ψ), so each is a bound, and the least is reported.
extension MixtureTables {
    var variationalUpperBound: Double {
        let (soft, phi) = alternatingUpdates(iterations: 2000)
        guard !soft.isNaN else { return .nan }
        var starts = [
            logWeightsQ.indices.map { a in logWeightsP.indices.min { phi[a][$0] > phi[a][$1] } ?? 0 },
            logWeightsQ.indices.map { a in
                logWeightsP.indices.min { klQP[a][$0] - logWeightsP[$0] < klQP[a][$1] - logWeightsP[$1] } ?? 0
            },
        ]
        if logWeightsQ.count == logWeightsP.count {
            let cost = logWeightsQ.indices.map { a in logWeightsP.indices.map { b in matchingCost(a, b) } }
            if let match = LinearAssignment.minimumCost(cost) { starts.append(match) }
        }
        return starts.reduce(soft) { Swift.min($0, hardBound(improved($1))) }
    }

    /// The alternating updates in logs (so far-apart components, e^−KL below the
    /// least double, keep their share) from φ = ψ = π_a ω_b: the least bound seen
    /// and the last log φ.
    func alternatingUpdates(iterations: Int) -> (Double, [[Double]]) {
        let (rows, columns) = (logWeightsQ.count, logWeightsP.count)
        var logPhi = (0..<rows).map { a in logWeightsP.map { logWeightsQ[a] + $0 } }
        var logPsi = logPhi
        var best = Double.infinity
        for _ in 0..<iterations {
            for b in 0..<columns {
                let total = Tensor.logSumExp(of: (0..<rows).map { logPhi[$0][b] })
                for a in 0..<rows { logPsi[a][b] = logWeightsP[b] + logPhi[a][b] - total }
            }
            for a in 0..<rows {
                let total = Tensor.logSumExp(of: (0..<columns).map { logPsi[a][$0] - klQP[a][$0] })
                for b in 0..<columns { logPhi[a][b] = logWeightsQ[a] + logPsi[a][b] - klQP[a][b] - total }
            }
            var bound = 0.0
            for a in 0..<rows {
                for b in 0..<columns where logPhi[a][b] > -.infinity {
                    bound += Foundation.exp(logPhi[a][b]) * (logPhi[a][b] - logPsi[a][b] + klQP[a][b])
                }
            }
            guard !bound.isNaN else { return (.nan, logPhi) }
            let step = best - bound
            best = Swift.min(best, bound)
            if step.isFinite && step <= 1e-13 * Swift.max(1, Swift.abs(bound)) { break }
        }
        return (best, logPhi)
    }

    /// The bound of the hard assignment a → m(a): φ puts all of π_a on m(a), ψ
    /// shares ω_b among the rows sent to b in proportion to their weights, and
    /// the bound is Σ_b c_b log(c_b/ω_b) + Σ_a π_a KL(f_a‖g_m(a)), c_b the weight
    /// sent to b.
    func hardBound(_ m: [Int]) -> Double {
        let sent = columnWeights(m)
        let spread = logWeightsP.indices.reduce(0.0) { $0 + share(sent[$1], $1) }
        return weighted { a in klQP[a][m[a]] } + spread
    }

    /// c log(c/ω_b), 0 for c = 0.
    func share(_ c: Double, _ b: Int) -> Double { c > 0 ? c * (Foundation.log(c) - logWeightsP[b]) : 0 }

    /// c_b = Σ of π_a over the rows a sent to b.
    func columnWeights(_ m: [Int]) -> [Double] {
        var sent = [Double](repeating: 0, count: logWeightsP.count)
        for a in m.indices { sent[m[a]] += Foundation.exp(logWeightsQ[a]) }
        return sent
    }

    /// `m` improved by moving one row at a time to the column that lowers the
    /// bound most, until no move lowers it (a local optimum; each sweep is
    /// O(rows · columns), and the bound falls with every move, so it ends).
    func improved(_ start: [Int]) -> [Int] {
        var m = start
        var sent = columnWeights(m)
        for _ in 0..<100 {
            var moved = false
            for a in m.indices {
                let (w, from) = (Foundation.exp(logWeightsQ[a]), m[a])
                let leaving = share(sent[from] - w, from) - share(sent[from], from) - w * klQP[a][from]
                var (best, target) = (0.0, from)
                for b in logWeightsP.indices where b != from {
                    let change = leaving + share(sent[b] + w, b) - share(sent[b], b) + w * klQP[a][b]
                    if change < best - 1e-15 * Swift.max(1, Swift.abs(change)) { (best, target) = (change, b) }
                }
                guard target != from else { continue }
                (sent[from], sent[target], m[a], moved) = (Swift.max(0, sent[from] - w), sent[target] + w, target, true)
            }
            if !moved { break }
        }
        return m
    }
}
