import Foundation
import KLSTensor

/// The fused path for Gaussian pairs where either side has a full covariance
/// (MvNormal against MvNormal, DiagNormal or StdNormal). With z = μq + Lq ε,
/// log p(z) needs y = Lp⁻¹(z − μp) = a + M ε, where a = Lp⁻¹(μq − μp) and
/// M = Lp⁻¹Lq (lower triangular) are computed once; then
/// ℓ = ½(|y|² − |ε|²) + Σ log Lp,ii − Σ log Lq,ii, one pass per draw.
struct MultivariateGaussianKernel: FusedKernel {
    let dimension: Int
    let batch: Int
    /// Per batch element: a (d), M (d×d, row-major, lower triangular), and the constant.
    let offsets: [Double], transforms: [Double], constants: [Double]

    init?(q: any Distribution, p: any Distribution, batchShape: [Int]) {
        guard q is MvNormal || p is MvNormal, q.batchShape == batchShape, q.eventShape.count == 1,
            let mq = try? GaussianKL.asMvNormal(q), let mp = try? GaussianKL.asMvNormal(p)
        else { return nil }
        let d = mq.dimension
        let batch = Swift.max(1, batchShape.reduce(1, *))
        let pBatch = Swift.max(1, mp.means.count / d)
        var offsets: [Double] = []
        var transforms: [Double] = []
        var constants: [Double] = []
        for b in 0..<batch {
            let bp = b % pBatch
            let lq = mq.factor(b)
            let lp = mp.factor(bp)
            var a = [Double](repeating: 0, count: d)
            lp.solve({ mq.means[flat: b * d + $0] - mp.means[flat: bp * d + $0] }, into: &a)
            offsets += a
            transforms += lp.solve(lowerTriangular: lq)
            constants.append(lp.halfLogDeterminant - lq.halfLogDeterminant)
        }
        dimension = d
        self.batch = batch
        self.offsets = offsets
        self.transforms = transforms
        self.constants = constants
    }

    func logRatios(count: Int, generator: Philox, start: UInt64, into out: UnsafeMutablePointer<Double>) {
        let d = dimension
        withDraws(count * batch * d, generator, start) { epsilon in
            offsets.withUnsafeBufferPointer { a in
                transforms.withUnsafeBufferPointer { m in
                    for s in 0..<count {
                        for r in 0..<batch {
                            let e = epsilon + (s * batch + r) * d
                            var total = 0.0
                            for i in 0..<d {
                                var y = a[r * d + i]
                                let row = r * d * d + i * d
                                for k in 0...i { y += m[row + k] * e[k] }
                                total += y * y - e[i] * e[i]
                            }
                            out[s * batch + r] = 0.5 * total + constants[r]
                        }
                    }
                }
            }
        }
    }
}

/// A one-pass kernel for ℓ = log q(z) − log p(z) over draws of q.
protocol FusedKernel {
    func logRatios(count: Int, generator: Philox, start: UInt64, into out: UnsafeMutablePointer<Double>)
}

extension FusedKernel {
    /// Standard normal draws `start ..< start + count`, in bulk, in a scratch
    /// buffer that lives for the call.
    func withDraws<R>(_ count: Int, _ generator: Philox, _ start: UInt64, _ body: (UnsafePointer<Double>) -> R) -> R {
        let epsilon = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, count))
        defer { epsilon.deallocate() }
        NormalSampler.fill(generator, start: start, count: count, into: epsilon)
        return body(epsilon)
    }
}

extension GaussianKernel: FusedKernel {}
