import Foundation
import KLSTensor

/// The fused Gaussian path: for q and p diagonal Gaussians (Normal, DiagNormal,
/// StdNormal), one pass draws ε, forms z = μq + σq ε and accumulates
/// ℓ = Σ ½((z − μp)/σp)² − ½ε² + log(σp/σq), never materialising z.
struct GaussianKernel {
    let dimension: Int
    let batch: Int
    /// Per (batch, coordinate), with a = (μq − μp)/σp and b = σq/σp, the
    /// coefficients of u² − ε² = a² + 2ab·ε + (b² − 1)·ε²: linear 2ab and
    /// quadratic b² − 1.
    let linear: [Double], quadratic: [Double]
    /// Per batch element: Σ log(σp/σq) + ½ Σ a² over the event.
    let constant: [Double]

    /// Nil unless both are diagonal Gaussians over the same event and q carries
    /// the full batch.
    init?(q: any Distribution, p: any Distribution, batchShape: [Int]) {
        guard let (mq, sq, eventRank) = GaussianKernel.diagonal(q), let (mp, sp, pRank) = GaussianKernel.diagonal(p),
            eventRank == pRank, eventRank <= 1, q.batchShape == batchShape
        else { return nil }
        let shape = batchShape + q.eventShape
        guard let muQ = try? mq.broadcast(to: shape), let sigmaQ = try? sq.broadcast(to: shape),
            let muP = try? mp.broadcast(to: shape), let sigmaP = try? sp.broadcast(to: shape)
        else { return nil }
        dimension = q.eventShape.first ?? 1
        batch = Swift.max(1, batchShape.reduce(1, *))
        var linear: [Double] = []
        var quadratic: [Double] = []
        var constant = [Double](repeating: 0, count: batch)
        for r in 0..<batch {
            for j in 0..<dimension {
                let i = r * dimension + j
                let a = (muQ[flat: i] - muP[flat: i]) / sigmaP[flat: i]
                let b = sigmaQ[flat: i] / sigmaP[flat: i]
                linear.append(2 * a * b)
                quadratic.append(b * b - 1)
                constant[r] += Foundation.log(sigmaP[flat: i]) - Foundation.log(sigmaQ[flat: i]) + 0.5 * a * a
            }
        }
        self.linear = linear
        self.quadratic = quadratic
        self.constant = constant
    }

    /// (mean, std, event rank) of a Normal or a diagonal Gaussian built on one.
    static func diagonal(_ d: any Distribution) -> (Tensor, Tensor, Int)? {
        DiagonalGaussian(d).map { ($0.mean, $0.std, $0.eventRank) }
    }

    /// ℓ for `count` samples whose draws start at index `start`: the draws are
    /// generated in bulk (SIMD Philox), then one 8-wide pass forms
    /// ℓ = const + ½ Σ (linear·ε + quadratic·ε²).
    /// One scalar Gaussian pair: ½x(a + bx) + c for each draw, eight at a time
    /// (the same arithmetic as the general loop's tail, so the same bits).
    private func scalarLogRatios(_ epsilon: UnsafePointer<Double>, count: Int, into out: UnsafeMutablePointer<Double>) {
        let (a, b, c) = (linear[0], quadratic[0], constant[0])
        let (source, target) = (UnsafeRawPointer(epsilon), UnsafeMutableRawPointer(out))
        var s = 0
        while s + 8 <= count {
            let x = source.loadUnaligned(fromByteOffset: s * 8, as: SIMD8<Double>.self)
            target.storeBytes(of: 0.5 * (x * (a + b * x)) + c, toByteOffset: s * 8, as: SIMD8<Double>.self)
            s += 8
        }
        for i in s..<count { out[i] = 0.5 * (epsilon[i] * (a + b * epsilon[i])) + c }
    }

    /// Draws for a few samples at a time — at most `groupElements` doubles,
    /// which stay in cache — rather than the whole chunk's (32 MB at d = 1024).
    static let groupElements = 16_384

    func logRatios(count: Int, generator: Philox, start: UInt64, into out: UnsafeMutablePointer<Double>) {
        let width = batch * dimension
        let group = Swift.max(1, Self.groupElements / Swift.max(width, 1))
        var first = 0
        while first < count {
            let n = Swift.min(group, count - first)
            // Sample s's draws are start + s·width + j, whatever the grouping.
            withDraws(n * width, generator, start &+ UInt64(first * width)) { epsilon in
                logRatios(epsilon, count: n, into: out + first * batch)
            }
            first += n
        }
    }

    /// Log-ratios of `count` samples whose standard draws are at `epsilon`.
    private func logRatios(_ epsilon: UnsafePointer<Double>, count: Int, into out: UnsafeMutablePointer<Double>) {
        let d = dimension
        let width = batch * d
        if d == 1 && batch == 1 {
            scalarLogRatios(epsilon, count: count, into: out)
            return
        }
        linear.withUnsafeBufferPointer { l in
            quadratic.withUnsafeBufferPointer { q in
                guard let l = l.baseAddress, let q = q.baseAddress else { return }
                let rawL = UnsafeRawPointer(l)
                let rawQ = UnsafeRawPointer(q)
                for s in 0..<count {
                    let e = epsilon + s * width
                    let rawE = UnsafeRawPointer(e)
                    for r in 0..<batch {
                        var vector = SIMD8<Double>()
                        var j = 0
                        let row = r * d
                        while j + 8 <= d {
                            let x = rawE.loadUnaligned(fromByteOffset: (row + j) * 8, as: SIMD8<Double>.self)
                            let a = rawL.loadUnaligned(fromByteOffset: (row + j) * 8, as: SIMD8<Double>.self)
                            let b = rawQ.loadUnaligned(fromByteOffset: (row + j) * 8, as: SIMD8<Double>.self)
                            vector += x * (a + b * x)
                            j += 8
                        }
                        var total = vector.sum()
                        while j < d {
                            let x = e[row + j]
                            total += x * (l[row + j] + q[row + j] * x)
                            j += 1
                        }
                        out[s * batch + r] = 0.5 * total + constant[r]
                    }
                }
            }
        }
    }
}
