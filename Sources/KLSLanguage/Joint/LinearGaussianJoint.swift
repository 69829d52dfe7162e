import Foundation
import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// A joint whose layers are all Gaussian, each mean affine in its parents and
/// each covariance fixed, is one big Gaussian; its KL against another such
/// joint is then exact (`kl(q, p)`). Whether a function layer is affine is
/// found by calling it: at the parents' zero, at each unit vector, and at two
/// more points that must fit the affine map to 1e-9 (with the covariance
/// unchanged to 1e-12).
enum LinearGaussianJoint {
    /// One layer given its parents: z = offset + Σ weights[j]·parent_j + ε, ε ~ N(0, noise).
    struct Conditional {
        let offset: [Double]
        /// Per parent layer, a size × parentSize matrix (row-major).
        let weights: [Int: [Double]]
        let noise: [Double]
    }

    /// The joint as one MvNormal, or the reason it is not linear-Gaussian.
    static func gaussian(_ joint: JointDistribution) throws(KLSError) -> Result<MvNormal, KLSError> {
        var conditionals: [Conditional] = []
        for l in joint.layers.indices {
            switch try conditional(joint, l) {
            case .success(let c): conditionals.append(c)
            case .failure(let why): return .failure(why)
            }
        }
        let (mean, cov) = assemble(joint, conditionals)
        let d = mean.count
        return .success(
            try MvNormal(mean: try Tensor(shape: [d], values: mean), cov: try Tensor(shape: [d, d], values: cov)))
    }

    /// Layer l as a conditional Gaussian, probing its function when it has one.
    static func conditional(_ joint: JointDistribution, _ l: Int) throws(KLSError) -> Result<Conditional, KLSError> {
        let layer = joint.layers[l]
        let parentSizes = layer.parents.map { joint.layers[$0].size }
        let inputs = parentSizes.reduce(0, +)
        // Rows: zero, each unit vector, and two checks.
        let rows = layer.function == nil ? 1 : inputs + 3
        var parentDraws: [Tensor] = []
        var position = 0
        var checks: [[Double]] = [[], []]
        for (k, parent) in layer.parents.enumerated() {
            let size = parentSizes[k]
            var values = [Double](repeating: 0, count: rows * size)
            for j in 0..<size where rows > 1 { values[(1 + position + j) * size + j] = 1 }
            for (c, row) in [inputs + 1, inputs + 2].enumerated() where rows > 1 {
                for j in 0..<size {
                    let v = Foundation.sin(Double(3 * (position + j) + 7 * c + 1)) * 0.9
                    values[row * size + j] = v
                    checks[c].append(v)
                }
            }
            position += size
            parentDraws.append(try Tensor(shape: [rows] + joint.layers[parent].shape, values: values))
        }
        var all = [Tensor](repeating: Tensor(scalar: 0), count: joint.layers.count)
        for (k, parent) in layer.parents.enumerated() { all[parent] = parentDraws[k] }
        let d = try joint.distribution(of: l, given: all, count: rows)
        guard let (means, covs) = try gaussianRows(d, rows: rows, rowwise: layer.rowwise, size: layer.size) else {
            return .failure(KLSError("layer '\(layer.name)' is a \(d.family), not a Gaussian"))
        }
        let offset = means[0]
        var weights: [Int: [Double]] = [:]
        position = 0
        for (k, parent) in layer.parents.enumerated() {
            let size = parentSizes[k]
            var w = [Double](repeating: 0, count: layer.size * size)
            for j in 0..<size where rows > 1 {
                for i in 0..<layer.size { w[i * size + j] = means[1 + position + j][i] - offset[i] }
            }
            weights[parent] = w
            position += size
        }
        // The two checks: the affine map must reproduce them, with the same covariance.
        for c in 0..<2 where rows > 1 {
            let row = inputs + 1 + c
            var predicted = offset
            position = 0
            for (k, parent) in layer.parents.enumerated() {
                let size = parentSizes[k]
                let w = weights[parent] ?? []
                for i in 0..<layer.size {
                    for j in 0..<size { predicted[i] += w[i * size + j] * checks[c][position + j] }
                }
                position += size
            }
            let scale = predicted.map(Swift.abs).max() ?? 1
            for i in 0..<layer.size where Swift.abs(predicted[i] - means[row][i]) > 1e-9 * Swift.max(1, scale) {
                return .failure(KLSError("layer '\(layer.name)': its mean is not affine in its parents"))
            }
        }
        for r in 1..<rows {
            for (a, b) in zip(covs[r], covs[0]) where Swift.abs(a - b) > 1e-12 * Swift.max(1, Swift.abs(b)) {
                return .failure(KLSError("layer '\(layer.name)': its covariance changes with its parents"))
            }
        }
        return .success(Conditional(offset: offset, weights: weights, noise: covs[0]))
    }

    /// Per row, the mean vector and covariance matrix (row-major) of a Gaussian
    /// layer distribution; nil for any other family.
    static func gaussianRows(_ d: any Distribution, rows: Int, rowwise: Bool, size: Int) throws(KLSError) -> (
        [[Double]], [[Double]]
    )? {
        let perRow = rowwise ? rows : 1
        let mean = try d.mean()
        var covs: [[Double]] = []
        if let mv = d as? MvNormal {
            let k = mv.dimension
            let all = mv.covariances.withBuffer { Array($0) }
            let count = all.count / Swift.max(k * k, 1)
            guard count * k == size * perRow else { return nil }
            for r in 0..<perRow {
                // Rows of a batched MvNormal are block-diagonal: one block per batch element of the row.
                let blocks = count / perRow
                var cov = [Double](repeating: 0, count: size * size)
                for bIndex in 0..<blocks {
                    let block = r * blocks + bIndex
                    for i in 0..<k {
                        for j in 0..<k {
                            cov[(bIndex * k + i) * size + bIndex * k + j] = all[block * k * k + i * k + j]
                        }
                    }
                }
                covs.append(cov)
            }
        } else if isNormal(d) {
            let variance = try d.variance().withBuffer { Array($0) }
            guard variance.count == size * perRow else { return nil }
            for r in 0..<perRow {
                var cov = [Double](repeating: 0, count: size * size)
                for i in 0..<size { cov[i * size + i] = variance[r * size + i] }
                covs.append(cov)
            }
        } else {
            return nil
        }
        let values = mean.withBuffer { Array($0) }
        guard values.count == size * perRow else { return nil }
        var means = (0..<perRow).map { r in Array(values[(r * size)..<((r + 1) * size)]) }
        if !rowwise {
            means = Array(repeating: means[0], count: rows)
            covs = Array(repeating: covs[0], count: rows)
        }
        return (means, covs)
    }

    /// Normal, DiagNormal, StdNormal and independent(Normal).
    static func isNormal(_ d: any Distribution) -> Bool {
        if d is Normal { return true }
        if let i = d as? Independent { return isNormal(i.base) }
        return false
    }

    /// The joint mean and covariance (row-major) from the layers' conditionals.
    static func assemble(_ joint: JointDistribution, _ conditionals: [Conditional]) -> ([Double], [Double]) {
        let offsets = joint.layers.indices.map { joint.offset(of: $0) }
        let d = joint.eventShape[0]
        var mean = [Double](repeating: 0, count: d)
        var cov = [Double](repeating: 0, count: d * d)
        for (l, c) in conditionals.enumerated() {
            let size = joint.layers[l].size
            let o = offsets[l]
            // B: this layer's weights on all earlier coordinates (size × o).
            var b = [Double](repeating: 0, count: size * Swift.max(o, 1))
            for (parent, w) in c.weights {
                let ps = joint.layers[parent].size
                let po = offsets[parent]
                for i in 0..<size { for j in 0..<ps { b[i * o + po + j] += w[i * ps + j] } }
            }
            for i in 0..<size {
                var m = c.offset[i]
                for j in 0..<o { m += b[i * o + j] * mean[j] }
                mean[o + i] = m
            }
            // Cov(z_l, earlier) = B Σ_earlier; Var(z_l) = B Σ_earlier Bᵀ + noise.
            for i in 0..<size {
                for k in 0..<o {
                    var s = 0.0
                    for j in 0..<o { s += b[i * o + j] * cov[j * d + k] }
                    cov[(o + i) * d + k] = s
                    cov[k * d + o + i] = s
                }
            }
            for i in 0..<size {
                for k in 0..<size {
                    var s = c.noise[i * size + k]
                    for j in 0..<o { s += cov[(o + i) * d + j] * b[k * o + j] }
                    cov[(o + i) * d + o + k] = s
                }
            }
        }
        return (mean, cov)
    }
}
