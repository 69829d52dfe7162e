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

    /// KL(q‖p) of two linear-Gaussian joints, exact: both as MvNormals, p's
    /// coordinates put in q's layer order; else an error naming the layer
    /// that is not linear-Gaussian.
    static func kl(_ pair: JointPair) throws(KLSError) -> Tensor {
        guard pair.batchShape.isEmpty else {
            throw KLSError(
                "kl: joints with a batch (\(Shape.describe(pair.batchShape))) have no closed form here",
                hint: "estimate each element's KL with kl_mc(q, p, n=100000, estimator=\"analytic\")")
        }
        var gaussians: [MvNormal] = []
        for (side, joint) in [("q", pair.q), ("p", pair.p)] {
            switch try gaussian(joint) {
            case .success(let g): gaussians.append(g)
            case .failure(let why):
                throw KLSError(
                    "kl: no closed form for these joints: in \(side), \(why.message); kl is exact only when every "
                        + "layer is Gaussian with a mean affine in its parents and a fixed covariance",
                    hint: "estimate it with kl_mc(q, p, n=100000), or estimator=\"analytic\"")
            }
        }
        return try KLRegistry.kl(gaussians[0], try reordered(gaussians[1], pair))
    }

    /// p's joint Gaussian with its coordinates in q's layer order.
    static func reordered(_ g: MvNormal, _ pair: JointPair) throws(KLSError) -> MvNormal {
        let p = pair.p
        let offsets = p.layers.indices.map { l in p.layers[..<l].reduce(0) { $0 + $1.eventSize } }
        let order = pair.pIndex.flatMap { j in (0..<p.layers[j].eventSize).map { offsets[j] + $0 } }
        let d = order.count
        let (mean, cov) = (try g.mean(), g.covariances)
        let m = order.map { mean[flat: $0] }
        let c = order.flatMap { i in order.map { j in cov[flat: i * d + j] } }
        return try MvNormal(mean: try Tensor(shape: [d], values: m), cov: try Tensor(shape: [d, d], values: c))
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
        let inputs = layer.parents.reduce(0) { $0 + joint.layers[$1].eventSize }
        let probe = layer.function == nil ? [[Double]](repeating: [], count: 1) : probeRows(inputs)
        let all = try parentDraws(joint, layer, probe)
        let d = try joint.distribution(of: l, parents: layer.parents.map { all[$0] }, count: probe.count)
        guard let (means, covs) = try gaussianRows(d, rows: probe.count, rowwise: layer.rowwise, size: layer.eventSize)
        else {
            return .failure(KLSError("layer '\(layer.name)' is a \(d.family), not a Gaussian"))
        }
        let offset = means[0]
        // Column j of the affine map: the mean at unit vector j less the mean at 0.
        let map = (0..<inputs).map { j in zip(means[1 + j], offset).map { $0 - $1 } }
        for row in (inputs + 1)..<probe.count {
            var predicted = offset
            for j in 0..<inputs { for i in 0..<layer.eventSize { predicted[i] += map[j][i] * probe[row][j] } }
            let scale = Swift.max(1, predicted.map(Swift.abs).max() ?? 1)
            if zip(predicted, means[row]).contains(where: { Swift.abs($0 - $1) > 1e-9 * scale }) {
                return .failure(KLSError("layer '\(layer.name)': its mean is not affine in its parents"))
            }
        }
        let varies = covs.dropFirst().contains { cov in
            zip(cov, covs[0]).contains { Swift.abs($0 - $1) > 1e-12 * Swift.max(1, Swift.abs($1)) }
        }
        if varies { return .failure(KLSError("layer '\(layer.name)': its covariance changes with its parents")) }
        // The map's columns, parent by parent, as size × parentSize matrices.
        var weights: [Int: [Double]] = [:]
        var column = 0
        for parent in layer.parents {
            let size = joint.layers[parent].eventSize
            weights[parent] = (0..<layer.eventSize).flatMap { i in (0..<size).map { j in map[column + j][i] } }
            column += size
        }
        return .success(Conditional(offset: offset, weights: weights, noise: covs[0]))
    }

    /// Probe points in the parents' joined coordinates: 0, each unit vector,
    /// and two more (fixed, irregular) for the affine check.
    static func probeRows(_ inputs: Int) -> [[Double]] {
        var rows = [[Double](repeating: 0, count: inputs)]
        for j in 0..<inputs {
            var unit = [Double](repeating: 0, count: inputs)
            unit[j] = 1
            rows.append(unit)
        }
        for c in 0..<2 { rows.append((0..<inputs).map { Foundation.sin(Double(3 * $0 + 7 * c + 1)) * 0.9 }) }
        return rows
    }

    /// The probe rows split into each parent's draws (`[rows] + its shape`),
    /// placed at the parent's index among all layers.
    static func parentDraws(_ joint: JointDistribution, _ layer: JointDistribution.Layer, _ probe: [[Double]])
        throws(KLSError) -> [Tensor]
    {
        var all = [Tensor](repeating: Tensor(scalar: 0), count: joint.layers.count)
        var column = 0
        for parent in layer.parents {
            let size = joint.layers[parent].eventSize
            let values = probe.flatMap { $0[column..<(column + size)] }
            all[parent] = try Tensor(shape: [probe.count] + joint.layers[parent].event, values: values)
            column += size
        }
        return all
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
        let offsets = joint.layers.indices.map { l in joint.layers[..<l].reduce(0) { $0 + $1.eventSize } }
        let d = joint.eventShape[0]
        var mean = [Double](repeating: 0, count: d)
        var cov = [Double](repeating: 0, count: d * d)
        for (l, c) in conditionals.enumerated() {
            let size = joint.layers[l].eventSize
            let o = offsets[l]
            // B: this layer's weights on all earlier coordinates (size × o).
            var b = [Double](repeating: 0, count: size * Swift.max(o, 1))
            for (parent, w) in c.weights {
                let ps = joint.layers[parent].eventSize
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
