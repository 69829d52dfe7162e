import Foundation
import KLSDiagnostics
import KLSGradient
import KLSTensor

/// `compare(q, p, grad=true)`: which gradient estimator trains best. For each of
/// k1, k2, k3 (pathwise: z = μ + σε moves with q's parameters), the
/// score-function estimator (log q(z) − log p(z)) · ∇log q(z) with z held fixed,
/// and the gradient of the closed form: the per-draw gradient's mean, its bias
/// against the exact KL's gradient, and its standard deviation, for q's mean
/// and std, per element. Gaussian q and p.
package enum GradientComparison {
    package static let estimators = ["k1", "k2", "k3", "score_function"]

    /// What the table shows: per estimator (in `estimators`' order), the
    /// per-draw gradient's running moments, flat over q's parameters (named,
    /// with their shapes); and the exact gradient, when there is a closed form.
    package struct Summary {
        package let names: [String]
        package let shapes: [[Int]]
        package let totals: [Accumulator]
        package let exact: [Double]?
    }

    /// Per element: count, mean and M2 (Welford), for each estimator × parameter.
    package struct Accumulator {
        package var count = 0.0
        package var mean: [Double]
        package var m2: [Double]

        init(size: Int) {
            mean = [Double](repeating: 0, count: size)
            m2 = [Double](repeating: 0, count: size)
        }

        /// Chan's parallel combination: exact whatever the chunking.
        mutating func merge(_ other: Accumulator) {
            let total = count + other.count
            guard total > 0 else { return }
            for i in mean.indices {
                let delta = other.mean[i] - mean[i]
                mean[i] += delta * other.count / total
                m2[i] += other.m2[i] + delta * delta * count * other.count / total
            }
            count = total
        }
    }

    package static func table(
        _ q: GaussianParts, _ p: GaussianParts, _ standard: any Distribution, n: Int, _ generator: Philox,
        _ start: UInt64
    ) throws(KLSError) -> Summary {
        let shape = standard.batchShape + standard.eventShape
        let elements = Swift.max(1, shape.reduce(1, *))
        let event = q.isDiagonal ? (shape.last ?? 1) : 1
        let params = try [q.mean, q.std, p.mean, p.std].map { v throws(KLSError) in
            try v.value.broadcast(to: shape).values
        }
        let slots = estimators.count * 2 * elements
        let chunk = Swift.max(1, PathwiseGradient.chunkElements / elements)
        let chunks = (n + chunk - 1) / chunk
        let partials = Parallel.mapChunks(chunks, cost: chunk * elements * 16) {
            range -> Result<Accumulator, KLSError> in
            var total = Accumulator(size: slots)
            for c in range {
                let m = Swift.min(chunk, n - c * chunk)
                do throws(KLSError) {
                    let epsilon = try standard.sample(
                        m, generator: generator, start: start + UInt64(c * chunk * standard.drawsPerSample))
                    total.merge(accumulate(epsilon.values, m, params, event, slots: slots))
                } catch {
                    return .failure(error)
                }
            }
            return .success(total)
        }
        var total = Accumulator(size: slots)
        for partial in partials {
            switch partial {
            case .success(let part): total.merge(part)
            case .failure(let error): throw error
            }
        }
        return summary(total, params, shape: shape, elements: elements)
    }

    /// One chunk's per-draw gradients, accumulated.
    private static func accumulate(
        _ epsilon: [Double], _ m: Int, _ params: [[Double]], _ event: Int, slots: Int
    ) -> Accumulator {
        let elements = params[0].count
        let logRatioOfScales = (0..<elements).map { log(params[1][$0] / params[3][$0]) }
        var total = Accumulator(size: slots)
        var gradients = [Double](repeating: 0, count: slots)
        var u = [Double](repeating: 0, count: event)
        for s in 0..<m {
            for block in 0..<(elements / event) {
                var logRatio = 0.0
                for d in 0..<event {
                    let i = block * event + d
                    let eps = epsilon[s * elements + i]
                    u[d] = (params[0][i] + params[1][i] * eps - params[2][i]) / params[3][i]
                    logRatio += 0.5 * (eps * eps - u[d] * u[d]) + logRatioOfScales[i]
                }
                // The estimators' t′(log r): k1, k2, k3.
                let (slope1, slope2, slope3) = (-1.0, logRatio, expm1(logRatio))
                for d in 0..<event {
                    let i = block * event + d
                    let eps = epsilon[s * elements + i]
                    let (sq, sp) = (params[1][i], params[3][i])
                    let (dMean, dStd) = (-u[d] / sp, 1 / sq - u[d] * eps / sp)  // ∂ log r
                    (gradients[i], gradients[elements + i]) = (slope1 * dMean, slope1 * dStd)
                    (gradients[2 * elements + i], gradients[3 * elements + i]) = (slope2 * dMean, slope2 * dStd)
                    (gradients[4 * elements + i], gradients[5 * elements + i]) = (slope3 * dMean, slope3 * dStd)
                    // Score function: f = −log r (the k1 term) times ∇ log q at fixed z.
                    gradients[6 * elements + i] = -logRatio * eps / sq
                    gradients[7 * elements + i] = -logRatio * (eps * eps - 1) / sq
                }
            }
            total.count += 1
            for j in 0..<slots {
                let delta = gradients[j] - total.mean[j]
                total.mean[j] += delta / total.count
                total.m2[j] += delta * (gradients[j] - total.mean[j])
            }
        }
        return total
    }

    /// The Gaussian table's summary: per estimator, the slots of q's mean and std.
    private static func summary(_ total: Accumulator, _ params: [[Double]], shape: [Int], elements: Int) -> Summary {
        let exactMean = (0..<elements).map { (params[0][$0] - params[2][$0]) / (params[3][$0] * params[3][$0]) }
        let exactStd = (0..<elements).map { -1 / params[1][$0] + params[1][$0] / (params[3][$0] * params[3][$0]) }
        let totals = estimators.indices.map { k in
            var part = Accumulator(size: 2 * elements)
            part.count = total.count
            part.mean = Array(total.mean[(2 * k) * elements..<(2 * k + 2) * elements])
            part.m2 = Array(total.m2[(2 * k) * elements..<(2 * k + 2) * elements])
            return part
        }
        return Summary(names: ["mean", "std"], shapes: [shape, shape], totals: totals, exact: exactMean + exactStd)
    }

}
