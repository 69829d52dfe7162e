import Foundation
import KLSDiagnostics
import KLSTensor

/// Categorical against categorical.
enum DiscreteKL {
    static let rules: [KLRegistry.Entry] = [
        KLRegistry.Entry(
            q: Categorical.self, p: Categorical.self,
            rule: { q, p throws(KLSError) in
                guard let a = q as? Categorical, let b = p as? Categorical else {
                    throw KLSError("internal: Categorical rule")
                }
                guard a.categories == b.categories else {
                    throw KLSError(
                        "KL(Categorical ‖ Categorical): q has \(a.categories) categories and p has \(b.categories)")
                }
                let k = a.categories
                let shape = try Shape.broadcast(a.batchShape, b.batchShape)
                let qp = try a.probs.broadcast(to: shape + [k])
                let pp = try b.probs.broadcast(to: shape + [k])
                // Σ q log(q/p): terms with q = 0 vanish; q > 0 where p = 0 gives inf.
                return try Tensor(shape: shape) { out in
                    for r in 0..<out.count {
                        var total = 0.0
                        for j in 0..<k {
                            let x = qp[flat: r * k + j]
                            let y = pp[flat: r * k + j]
                            if x > 0 { total += x * Foundation.log(x / y) }
                        }
                        out[r] = total
                    }
                }
            }
        )
    ]
}
