import KLSDiagnostics
import KLSTensor

/// KL(q‖p) is +inf wherever q puts mass outside p's support: the one rule that
/// covers every pair of continuous scalar families, and every pair of count
/// families (Poisson against Bernoulli or Binomial), instead of a list of
/// pairs. Applied per batch element to pairs that have no closed form of their own.
enum SupportRule {
    /// +inf for each batch element, when in every one q's support is not inside
    /// p's; nil when some element is covered (then only a formula can answer).
    static func infinite(_ q: any Distribution, _ p: any Distribution) throws(KLSError) -> Tensor? {
        guard q.isDiscrete == p.isDiscrete, let qs = q as? any SupportBounded, let ps = p as? any SupportBounded else {
            return nil
        }
        let shape = try Shape.broadcast(q.batchShape, p.batchShape)
        let (qLow, qHigh) = try qs.supportBounds()
        let (pLow, pHigh) = try ps.supportBounds()
        let ql = try qLow.broadcast(to: shape)
        let qh = try qHigh.broadcast(to: shape)
        let pl = try pLow.broadcast(to: shape)
        let ph = try pHigh.broadcast(to: shape)
        for i in 0..<ql.count where ql[flat: i] >= pl[flat: i] && qh[flat: i] <= ph[flat: i] { return nil }
        return try Tensor(repeating: .infinity, shape: shape)
    }
}

/// A distribution whose support is an interval per batch element.
protocol SupportBounded {
    /// The lower and upper ends of each batch element's support.
    func supportBounds() throws(KLSError) -> (low: Tensor, high: Tensor)
}

extension ScalarDistribution: SupportBounded {
    func supportBounds() throws(KLSError) -> (low: Tensor, high: Tensor) {
        let low = try perBatch { F.support($0).lowerBound }
        let high = try perBatch { F.support($0).upperBound }
        return (low, high)
    }
}
