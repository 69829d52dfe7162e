import Foundation
import KLSDiagnostics
import KLSTensor

/// A finite mixture Σ w_k p_k of components with one batch and event shape.
public final class Mixture: Distribution {
    public let family = "Mixture"
    /// Normalised weights.
    public let weights: [Double]
    /// The components, in weight order.
    public let components: [any Distribution]

    /// Checks shapes and normalises the weights.
    public init(weights raw: Tensor, components: [any Distribution]) throws(KLSError) {
        guard raw.rank == 1, raw.count == components.count, !components.isEmpty else {
            throw KLSError(
                "Mixture: \(raw.count) weights for \(components.count) components; give one weight per component")
        }
        for i in 0..<raw.count where !(raw[flat: i] >= 0) || !raw[flat: i].isFinite {
            throw DistributionError.invalid(
                "Mixture", "weights", "finite and ≥ 0", raw[flat: i], at: i, shape: raw.shape)
        }
        let total = raw.values.reduce(0, +)
        guard total > 0 else { throw KLSError("Mixture: the weights sum to 0") }
        let first = components[0]
        for (i, c) in components.enumerated() where c.batchShape != first.batchShape || c.eventShape != first.eventShape
        {
            throw KLSError(DistributionError.mixtureShapes(component: i, c, first: first))
        }
        // A density and a mass function do not add up to either: the mixture's
        // logpdf (and every KL built on it) would be meaningless.
        if let discrete = components.firstIndex(where: \.isDiscrete),
            let continuous = components.firstIndex(where: { !$0.isDiscrete })
        {
            throw KLSError(
                "Mixture: component \(discrete) (\(components[discrete].family)) is discrete but component "
                    + "\(continuous) (\(components[continuous].family)) is continuous; mix components of one kind")
        }
        weights = raw.values.map { $0 / total }
        self.components = components
    }

    public var batchShape: [Int] { components[0].batchShape }
    public var eventShape: [Int] { components[0].eventShape }
    public var drawsPerSample: Int { components[0].drawsPerSample }
    public var isDiscrete: Bool { components.allSatisfy(\.isDiscrete) }
    public var parameters: [(name: String, value: Tensor)] {
        [("weights", (try? Tensor(weights)) ?? Tensor(scalar: 1))]
    }

    public var support: ClosedRange<Double> {
        let supports = components.map(\.support)
        return (supports.map(\.lowerBound).min() ?? -.infinity)...(supports.map(\.upperBound).max() ?? .infinity)
    }

    /// Each (sample, batch) element picks a component with a uniform of its own
    /// index (`Philox.singleWord`'s layout in the mixture stream); component k
    /// draws from sub-stream k at the same indices, so a draw depends only on the
    /// seed and its index.
    public func sample(_ count: Int?, generator: Philox, start: UInt64) throws(KLSError) -> Tensor {
        var draws: [Tensor] = []
        for (k, c) in components.enumerated() {
            draws.append(try c.sample(count, generator: generator.derived(k), start: start))
        }
        let chooser = generator.derived(components.count)
        let eventCount = Swift.max(1, eventShape.reduce(1, *))
        let stacked = try Tensor.stack(draws, axis: 0)
        let table = Unchecked(ComponentTable(weights: weights))
        return try Tensor(shape: draws[0].shape) { out in
            guard let o = out.baseAddress else { return }
            let (total, picks) = (out.count, out.count / eventCount)
            stacked.withBuffer { b in
                guard let all = b.baseAddress else { return }
                let work = Unchecked((all, o))
                Parallel.forEachChunk(picks, cost: 8) { range in
                    let (all, o) = work.value
                    let u = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(range.count, 1))
                    defer { u.deallocate() }
                    if eventCount == 1 {
                        chooser.fillUnits(
                            stream: FamilyStream.mixture.tag, start: start &+ UInt64(range.lowerBound),
                            count: range.count, into: u)
                    } else {
                        for j in range {
                            let index = start &+ UInt64(j * eventCount)
                            u[j - range.lowerBound] = Philox.unit(
                                chooser.singleWord(index: index, stream: FamilyStream.mixture.tag))
                        }
                    }
                    for j in range {
                        let k = table.value.component(u[j - range.lowerBound])
                        for e in 0..<eventCount { o[j * eventCount + e] = all[k * total + j * eventCount + e] }
                    }
                }
            }
        }
    }

    /// log Σ w_k p_k(x), by logsumexp over the components.
    public func logpdf(_ x: Tensor) throws(KLSError) -> Tensor {
        var terms: [Tensor] = []
        for (k, c) in components.enumerated() {
            terms.append(
                try Tensor.binary(.add, try c.logpdf(x), scalar: Foundation.log(weights[k]), scalarOnLeft: false))
        }
        return try Tensor.logSumExp(terms)
    }

    /// The value `logpdf` computes, its rounding bounded by the components' own
    /// and that of the log-sum-exp (a few ulps of each term and of the sum), each
    /// weighted by the term's share e^(term − value): a component far from x adds
    /// nothing to the sum, whatever its log-density.
    public func boundedLogDensity(at x: Double) throws(KLSError) -> BoundedNumber {
        let value = try logpdf(Tensor(scalar: x))[flat: 0]
        let u = BoundedNumber.unitRoundoff
        var error = Double(components.count + 4) * u * (Swift.abs(value) + 1)
        guard value > -.infinity else { return BoundedNumber(value, error: error) }
        for (k, c) in components.enumerated() {
            let term = try c.boundedLogDensity(at: x)
            let logTerm = term.value + Foundation.log(weights[k])
            guard logTerm > -.infinity else { continue }
            error += Foundation.exp(logTerm - value) * (term.error + 2 * u * Swift.abs(logTerm))
        }
        return BoundedNumber(value, error: error)
    }

    /// Every component's.
    public var kinks: [Double] { Array(Set(components.flatMap(\.kinks))).sorted() }

    public func cdf(_ x: Tensor) throws(KLSError) -> Tensor {
        var total: Tensor? = nil
        for (k, c) in components.enumerated() {
            let term = try Tensor.binary(.multiply, try c.cdf(x), scalar: weights[k], scalarOnLeft: false)
            total = try total.map { t throws(KLSError) in try Tensor.binary(.add, t, term) } ?? term
        }
        return total ?? Tensor(scalar: 0)
    }

    public func entropy() throws(KLSError) -> Tensor {
        throw KLSError(
            "the entropy of a Mixture has no closed form",
            hint: "estimate it: z = sample(m, n=100000); -mean(logpdf(m, z))")
    }

    public func mean() throws(KLSError) -> Tensor {
        var total = try Tensor(repeating: 0, shape: batchShape + eventShape)
        for (k, c) in components.enumerated() {
            total = try Tensor.binary(
                .add, total, try Tensor.binary(.multiply, try c.mean(), scalar: weights[k], scalarOnLeft: false))
        }
        return total
    }

    /// Σ w (σ² + μ²) − (Σ w μ)².
    public func variance() throws(KLSError) -> Tensor {
        var second = try Tensor(repeating: 0, shape: batchShape + eventShape)
        for (k, c) in components.enumerated() {
            let m = try c.mean()
            let moment = try Tensor.binary(.add, try c.variance(), try Tensor.binary(.multiply, m, m))
            second = try Tensor.binary(
                .add, second, try Tensor.binary(.multiply, moment, scalar: weights[k], scalarOnLeft: false))
        }
        let m = try mean()
        return try Tensor.binary(.subtract, second, try Tensor.binary(.multiply, m, m))
    }
}

/// Which component a uniform picks: the first whose cumulative weight exceeds
/// it, stepping back over components of weight 0 (rounding can leave u just
/// above the last positive cumulative weight).
struct ComponentTable {
    let weights: [Double]
    let cumulative: [Double]

    init(weights: [Double]) {
        self.weights = weights
        cumulative = weights.reduce(into: [Double]()) { $0.append(($0.last ?? 0) + $1) }
    }

    @inline(__always)
    func component(_ u: Double) -> Int {
        var k = cumulative.firstIndex { u < $0 } ?? weights.count - 1
        while weights[k] == 0 && k > 0 { k -= 1 }
        return k
    }
}
