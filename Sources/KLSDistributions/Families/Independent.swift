import KLSDiagnostics
import KLSTensor

/// Reinterprets the last `k` batch axes of a distribution as event axes
/// (PyTorch's `Independent`): `DiagNormal(m, s)` is `independent(Normal(m, s))`.
public final class Independent: Distribution {
    /// The distribution whose batch axes become event axes.
    public let base: any Distribution
    /// How many trailing batch axes moved to the event.
    public let reinterpreted: Int
    /// The name shown: `Independent`, or `DiagNormal` / `StdNormal` for the
    /// Gaussians built this way.
    public let family: String

    /// Wraps `base`; throws when it has fewer than `k` batch axes.
    public init(_ base: any Distribution, k: Int = 1, name: String = "Independent") throws(KLSError) {
        guard k >= 0, k <= base.batchShape.count else {
            throw KLSError(
                DistributionError.cannotMoveAxes(name, k: k, of: base),
                hint: name == "DiagNormal"
                    ? "give a mean or std with at least one axis, or use Normal for a scalar" : nil)
        }
        self.base = base
        self.reinterpreted = k
        self.family = name
    }

    public var batchShape: [Int] { Array(base.batchShape.dropLast(reinterpreted)) }
    public var eventShape: [Int] { Array(base.batchShape.suffix(reinterpreted)) + base.eventShape }
    public var parameters: [(name: String, value: Tensor)] { base.parameters }
    public var drawsPerSample: Int { base.drawsPerSample }
    public var isDiscrete: Bool { base.isDiscrete }

    public func sample(_ count: Int?, generator: Philox, start: UInt64) throws(KLSError) -> Tensor {
        try base.sample(count, generator: generator, start: start)
    }

    /// The base's log-density summed over the reinterpreted axes.
    public func logpdf(_ x: Tensor) throws(KLSError) -> Tensor {
        try sumEvent(try base.logpdf(x))
    }

    public func entropy() throws(KLSError) -> Tensor { try sumEvent(try base.entropy()) }
    public func mean() throws(KLSError) -> Tensor { try base.mean() }
    public func variance() throws(KLSError) -> Tensor { try base.variance() }

    /// Sums the last `reinterpreted` axes.
    func sumEvent(_ t: Tensor) throws(KLSError) -> Tensor {
        guard reinterpreted > 0 else { return t }
        guard t.rank >= reinterpreted else { return t }
        return try t.reduce(.sum, axes: Array((t.rank - reinterpreted)..<t.rank))
    }

    /// The diagonal Gaussian behind `DiagNormal` and `StdNormal`, if this is one.
    public var normalBase: Normal? { base as? Normal }
}

/// A Normal, or a diagonal Gaussian built on one (DiagNormal, StdNormal): its
/// means, standard deviations and how many trailing axes form the event. The
/// one place that recognises the diagonal Gaussian families, for the closed
/// forms and the fused Monte Carlo kernels alike.
struct DiagonalGaussian {
    let mean: Tensor
    let std: Tensor
    /// 0 for a Normal, 1 for a diagonal Gaussian over vectors.
    let eventRank: Int

    init?(_ d: any Distribution) {
        if let normal = d as? Normal {
            (mean, std, eventRank) = (normal.values[0], normal.values[1], 0)
        } else if let independent = d as? Independent, independent.reinterpreted == 1,
            let normal = independent.normalBase
        {
            (mean, std, eventRank) = (normal.values[0], normal.values[1], 1)
        } else {
            return nil
        }
    }
}
