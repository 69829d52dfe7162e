import Foundation
import KLSDiagnostics
import KLSTensor

/// The aggregate posterior q(z) = 1/N Σₖ q(z | xₖ) of a diagonal-Gaussian
/// encoder over N data points: an equal-weight mixture with one component per
/// data point (Hoffman & Johnson's "ELBO surgery", 2016).
///
/// Its density at z is a log-sum-exp over the N components, streamed: the
/// parameters are stored dimension-major, so each latent dimension's terms for
/// all data points are one contiguous pass, eight at a time; the same pass
/// gives each coordinate's aggregate marginal log q(z_j). Memory is the
/// parameters and two rows of N per worker, whatever the number of points.
public final class AggregatePosterior: Distribution {
    public let family = "Aggregate"
    /// Data points N (mixture components).
    public let count: Int
    /// Latent dimensions d.
    public let dimensions: Int
    /// Component means and standard deviations, row-major [N, d].
    let means: Tensor
    let stds: Tensor
    /// Dimension-major copies: mean, 1/std and −log std − ½ log 2π at [j·N + k].
    let centres: [Double]
    let precisions: [Double]
    let offsets: [Double]
    /// q's event shape: [d] for a DiagNormal, [] for a Normal (d = 1).
    public let eventShape: [Int]

    /// The aggregate of a diagonal Gaussian whose one batch axis runs over the
    /// data points: DiagNormal with batch [N] (latents [d]) or Normal with batch [N].
    /// `function` names the caller in the error.
    public init(_ q: any Distribution, function: String = "aggregate") throws(KLSError) {
        guard let gaussian = DiagonalGaussian(q), q.batchShape.count == 1, q.eventShape.count <= 1 else {
            throw KLSError(
                "\(function): q must be a diagonal Gaussian whose batch runs over the data points — DiagNormal with "
                    + "batch [N] (one row of d latents per point) or Normal with batch [N]; got \(q.family) with "
                    + "batch \(Shape.describe(q.batchShape)) and event \(Shape.describe(q.eventShape))",
                hint: "an encoder's output for N points: DiagNormal(mu, logvar=lv) with mu and lv of shape [N, d]")
        }
        let n = q.batchShape[0]
        let d = q.eventShape.first ?? 1
        let full = [n, d]
        // Means and stds broadcast, and three dimension-major copies.
        try MemoryLimit.check(
            elements: try Checked.product([5, n, d], what: "the aggregate's parameters"),
            what: "the aggregate's parameters")
        means = try gaussian.mean.broadcast(to: q.sampleShape).reshaped(full)
        stds = try gaussian.std.broadcast(to: q.sampleShape).reshaped(full)
        count = n
        dimensions = d
        eventShape = q.eventShape
        var centres = [Double](repeating: 0, count: n * d)
        var precisions = centres
        var offsets = centres
        let halfLogTwoPi = 0.5 * Foundation.log(2 * Double.pi)
        for k in 0..<n {
            for j in 0..<d {
                let s = stds[flat: k * d + j]
                centres[j * n + k] = means[flat: k * d + j]
                precisions[j * n + k] = 1 / s
                offsets[j * n + k] = -Foundation.log(s) - halfLogTwoPi
            }
        }
        (self.centres, self.precisions, self.offsets) = (centres, precisions, offsets)
    }

    public var batchShape: [Int] { [] }
    /// A component index, then d normals.
    public var drawsPerSample: Int { dimensions + 1 }
    public var parameters: [(name: String, value: Tensor)] { [("mean", means), ("std", stds)] }

    /// Each draw picks a data point k uniformly (a Philox word at its first
    /// index) and draws z = μₖ + σₖ ε from the d normals after it.
    public func sample(_ count: Int?, generator: Philox, start: UInt64) throws(KLSError) -> Tensor {
        let m = count ?? 1
        let d = dimensions
        let shape = (count.map { [$0] } ?? []) + eventShape
        try MemoryLimit.check(elements: try Checked.product([m, d], what: "aggregate samples"))
        return try Tensor(shape: shape) { out in
            for t in 0..<m {
                let base = start &+ UInt64(t) &* UInt64(d + 1)
                let k = component(generator, index: base)
                for j in 0..<d {
                    let e = NormalSampler.draw(generator, index: base &+ 1 &+ UInt64(j))
                    out[t * d + j] = means[flat: k * d + j] + stds[flat: k * d + j] * e
                }
            }
        }
    }

    /// The data point a draw at `index` comes from, uniform over 0..<N.
    func component(_ generator: Philox, index: UInt64) -> Int {
        let word = generator.singleWord(index: index, stream: 0x4147)
        return Int(word.multipliedFullWidth(by: UInt64(count)).high)
    }

    public func logpdf(_ x: Tensor) throws(KLSError) -> Tensor {
        let d = dimensions
        guard x.shape.suffix(eventShape.count) == eventShape[...] else {
            throw KLSError(
                "logpdf: Aggregate has event shape \(Shape.describe(eventShape)), got \(Shape.describe(x.shape))")
        }
        let outer = Array(x.shape.dropLast(eventShape.count))
        let points = x.count / d
        let densities = x.withBuffer { b in logDensities(b, points: points).joint }
        return try Tensor(shape: outer, values: densities)
    }

    /// log q(z) and each log q(z_j) for `points` rows of d coordinates at `z`:
    /// `joint` has one number per row, `marginals` d per row. Rows are shared
    /// among the cores; each row's numbers do not depend on how.
    public func logDensities(_ z: UnsafeBufferPointer<Double>, points: Int) -> (joint: [Double], marginals: [Double]) {
        var joint = [Double](repeating: 0, count: points)
        var marginals = [Double](repeating: 0, count: points * dimensions)
        guard let zs = z.baseAddress, points > 0 else { return (joint, marginals) }
        let d = dimensions
        joint.withUnsafeMutableBufferPointer { j in
            marginals.withUnsafeMutableBufferPointer { m in
                guard let j = j.baseAddress, let m = m.baseAddress else { return }
                let out = Unchecked((zs, j, m))
                Parallel.forEachChunk(points, cost: Swift.max(1, 4 * count * d)) { range in
                    withComponents { components in
                        var sums = [Double](repeating: 0, count: count)
                        var terms = sums
                        for t in range {
                            out.value.1[t] = components.density(
                                at: out.value.0 + t * d, sums: &sums, terms: &terms, marginals: out.value.2 + t * d)
                        }
                    }
                }
            }
        }
        return (joint, marginals)
    }

    /// Runs `body` with the dimension-major parameters as pointers.
    func withComponents<R>(_ body: (Components) -> R) -> R {
        centres.withUnsafeBufferPointer { c in
            precisions.withUnsafeBufferPointer { p in
                offsets.withUnsafeBufferPointer { o in
                    body(Components(count: count, dimensions: dimensions, centres: c, precisions: p, offsets: o))
                }
            }
        }
    }

    /// The dimension-major parameters, read eight data points at a time.
    struct Components {
        let count: Int
        let dimensions: Int
        let centres: UnsafeBufferPointer<Double>
        let precisions: UnsafeBufferPointer<Double>
        let offsets: UnsafeBufferPointer<Double>

        typealias Vector = VectorMath.Vector

        /// log q(z) at one point, writing log q(z_j) for each j into `marginals`;
        /// `sums` and `terms` are rows of N to work in.
        func density(
            at z: UnsafePointer<Double>, sums: inout [Double], terms: inout [Double],
            marginals: UnsafeMutablePointer<Double>
        ) -> Double {
            let n = count
            let logN = Foundation.log(Double(n))
            let whole = n - n % 8
            return sums.withUnsafeMutableBufferPointer { sums in
                terms.withUnsafeMutableBufferPointer { terms in
                    guard let s = sums.baseAddress, let t = terms.baseAddress,
                        let c = centres.baseAddress, let p = precisions.baseAddress, let o = offsets.baseAddress
                    else { return .nan }
                    let (rawS, rawT) = (UnsafeMutableRawPointer(s), UnsafeMutableRawPointer(t))
                    let (rawC, rawP, rawO) = (UnsafeRawPointer(c), UnsafeRawPointer(p), UnsafeRawPointer(o))
                    for j in 0..<dimensions {
                        let zj = Vector(repeating: z[j])
                        let base = j * n * 8
                        var k = 0
                        while k < whole {
                            let at = base + k * 8
                            let u =
                                (zj - rawC.loadUnaligned(fromByteOffset: at, as: Vector.self))
                                * rawP.loadUnaligned(fromByteOffset: at, as: Vector.self)
                            let term = rawO.loadUnaligned(fromByteOffset: at, as: Vector.self) - 0.5 * u * u
                            rawT.storeBytes(of: term, toByteOffset: k * 8, as: Vector.self)
                            let previous =
                                j == 0 ? Vector() : rawS.loadUnaligned(fromByteOffset: k * 8, as: Vector.self)
                            rawS.storeBytes(of: previous + term, toByteOffset: k * 8, as: Vector.self)
                            k += 8
                        }
                        while k < n {
                            let u = (z[j] - c[j * n + k]) * p[j * n + k]
                            t[k] = o[j * n + k] - 0.5 * u * u
                            s[k] = (j == 0 ? 0 : s[k]) + t[k]
                            k += 1
                        }
                        marginals[j] = Self.logSumExp(UnsafeBufferPointer(terms)) - logN
                    }
                    return Self.logSumExp(UnsafeBufferPointer(sums)) - logN
                }
            }
        }

        /// log Σ exp(xₖ): the largest, then Σ exp(xₖ − largest) eight at a time.
        static func logSumExp(_ x: UnsafeBufferPointer<Double>) -> Double {
            guard let base = x.baseAddress, !x.isEmpty else { return -.infinity }
            let raw = UnsafeRawPointer(base)
            let whole = x.count - x.count % 8
            var top = Vector(repeating: -.infinity)
            var k = 0
            while k < whole {
                top = pointwiseMax(top, raw.loadUnaligned(fromByteOffset: k * 8, as: Vector.self))
                k += 8
            }
            var largest = top.max()
            while k < x.count {
                largest = Swift.max(largest, x[k])
                k += 1
            }
            guard largest.isFinite else { return largest }
            let shift = Vector(repeating: largest)
            var total = Vector()
            k = 0
            while k < whole {
                total += VectorMath.exp(raw.loadUnaligned(fromByteOffset: k * 8, as: Vector.self) - shift)
                k += 8
            }
            var sum = total.sum()
            while k < x.count {
                sum += Foundation.exp(x[k] - largest)
                k += 1
            }
            return largest + Foundation.log(sum)
        }
    }

    public func entropy() throws(KLSError) -> Tensor {
        throw KLSError(
            "entropy: an aggregate posterior (a mixture of \(count) Gaussians) has no closed form",
            hint: "estimate it: -mean(logpdf(a, sample(a, 10000)))")
    }

    public func mean() throws(KLSError) -> Tensor {
        let d = dimensions
        let values = (0..<d).map { j in (0..<count).reduce(0.0) { $0 + means[flat: $1 * d + j] } / Double(count) }
        return try Tensor(shape: eventShape, values: values)
    }

    /// The law of total variance: the mean of σ² plus the variance of μ.
    public func variance() throws(KLSError) -> Tensor {
        let d = dimensions
        let centre = try mean()
        let values = (0..<d).map { j in
            (0..<count).reduce(0.0) { sum, k in
                let s = stds[flat: k * d + j]
                let e = means[flat: k * d + j] - centre[flat: j]
                return sum + s * s + e * e
            } / Double(count)
        }
        return try Tensor(shape: eventShape, values: values)
    }
}
