import KLSDiagnostics
import KLSTensor

/// A probability distribution over tensors, with PyTorch's shape conventions: a
/// draw has shape `sampleShape + batchShape + eventShape`; `logpdf` sums over
/// the event axes and broadcasts over the leading ones.
///
/// Distributions are immutable reference types, so the language can hold them
/// in values cheaply.
public protocol Distribution: AnyObject, Sendable {
    /// The family name as the user writes it, e.g. `Normal`.
    var family: String { get }
    /// Shape of a batch of independent distributions.
    var batchShape: [Int] { get }
    /// Shape of one draw.
    var eventShape: [Int] { get }
    /// The parameters to display and to offer as members, in order.
    var parameters: [(name: String, value: Tensor)] { get }
    /// Random-number indices one sample consumes (the session stream advances by
    /// this much per sample).
    var drawsPerSample: Int { get }

    /// `count` samples (one when nil, without the leading axis) from draws
    /// `start, start+1, …` of `generator`.
    func sample(_ count: Int?, generator: Philox, start: UInt64) throws(KLSError) -> Tensor
    /// Log-density (or log-mass) of `x`, summed over the event axes.
    func logpdf(_ x: Tensor) throws(KLSError) -> Tensor
    /// The cumulative distribution function (scalar families).
    func cdf(_ x: Tensor) throws(KLSError) -> Tensor
    /// Differential entropy per batch element.
    func entropy() throws(KLSError) -> Tensor
    /// The mean, of shape `batchShape + eventShape`.
    func mean() throws(KLSError) -> Tensor
    /// The variance of each coordinate, of shape `batchShape + eventShape`.
    func variance() throws(KLSError) -> Tensor
    /// The interval holding the support of a scalar distribution.
    var support: ClosedRange<Double> { get }
    /// True when the values are discrete (Bernoulli, Categorical).
    var isDiscrete: Bool { get }
    /// True when `sample` and `logpdf` must be called from one thread at a time
    /// (a joint's layers call the interpreter); kernels inside may still use every core.
    var isThreadConfined: Bool { get }
    /// Points inside the support where a scalar distribution's density is not
    /// smooth (Laplace's location): quadrature splits there, since a rule's error
    /// estimate assumes smoothness inside a piece.
    var kinks: [Double] { get }
    /// log p(x) for a batch-free scalar distribution, with a bound on the rounding
    /// error its formula makes (`BoundedNumber`). By default the value with 8
    /// ulps of max(|log p|, 1).
    func boundedLogDensity(at x: Double) throws(KLSError) -> BoundedNumber
}

extension Distribution {
    /// Shape of a sample: batch followed by event.
    public var sampleShape: [Int] { batchShape + eventShape }

    public var isDiscrete: Bool { false }

    public var isThreadConfined: Bool { false }

    public var kinks: [Double] { [] }

    public func boundedLogDensity(at x: Double) throws(KLSError) -> BoundedNumber {
        let value = try logpdf(Tensor(scalar: x))[flat: 0]
        return BoundedNumber(value, error: 8 * BoundedNumber.unitRoundoff * Swift.max(Swift.abs(value), 1))
    }

    public var support: ClosedRange<Double> { -Double.infinity...Double.infinity }

    public func cdf(_ x: Tensor) throws(KLSError) -> Tensor {
        throw KLSError(
            "cdf is defined for scalar distributions; \(family) has event shape \(Shape.describe(eventShape))")
    }

    /// kls's one rule for zero-size axes: a distribution has at least one element
    /// in its batch and in its event. An empty batch or a zero-dimensional event
    /// has no draws, no density and no KL worth the name, so it is refused where
    /// it is made rather than handled in every kernel.
    public func requireElements() throws(KLSError) {
        guard sampleShape.contains(0) else { return }
        let part = batchShape.contains(0) ? "an empty batch" : "a zero-dimensional event"
        throw KLSError(
            "\(family) has \(part) (batch \(Shape.describe(batchShape)), event \(Shape.describe(eventShape))); "
                + "a distribution needs at least one element",
            hint: "give parameters with at least one element on every axis")
    }

    /// `sample(n)` output shape.
    func outputShape(_ count: Int?) -> [Int] {
        (count.map { [$0] } ?? []) + batchShape + eventShape
    }
}

/// Errors shared by the families.
enum DistributionError {
    /// "Normal: std must be > 0, got -1 (at index [2])".
    static func invalid(
        _ family: String, _ parameter: String, _ requirement: String, _ value: Double, at index: Int?, shape: [Int]
    ) -> KLSError {
        var location = ""
        if let index, !shape.isEmpty {
            location = " at index \(Shape.describe(Shape.unravel(index, shape)))"
        }
        return KLSError("\(family): \(parameter) must be \(requirement), got \(String(format: "%g", value))\(location)")
    }

    static func categoricalBatch(_ values: [Int], batch: [Int]) -> String {
        "Categorical: values of shape \(Shape.describe(values)) do not line up with the batch \(Shape.describe(batch))"
    }

    static func cannotMoveAxes(_ name: String, k: Int, of base: any Distribution) -> String {
        "\(name): cannot move \(k) batch axes to the event of a \(base.family) with batch shape "
            + Shape.describe(base.batchShape)
    }

    static func mixtureShapes(component i: Int, _ c: any Distribution, first: any Distribution) -> String {
        "Mixture: component \(i) (\(c.family)) has batch \(Shape.describe(c.batchShape)) and event "
            + "\(Shape.describe(c.eventShape)), but component 0 (\(first.family)) has "
            + "\(Shape.describe(first.batchShape)) and \(Shape.describe(first.eventShape))"
    }

    static func covarianceShape(dimension d: Int, mean: [Int], cov: [Int]) -> String {
        "MvNormal: cov must have shape [\(d), \(d)] to match a mean of shape \(Shape.describe(mean)), "
            + "got \(Shape.describe(cov))"
    }

    static func asymmetricCovariance(_ i: Int, _ j: Int, _ x: Double, _ y: Double) -> String {
        "MvNormal: cov must be symmetric, but cov[\(i), \(j)] = \(String(format: "%g", x)) and "
            + "cov[\(j), \(i)] = \(String(format: "%g", y))"
    }

    static let positiveDefiniteHint =
        "a covariance needs positive variances and |correlations| < 1; add a small multiple of eye(d)"

    static func differentEvents(_ q: any Distribution, _ p: any Distribution) -> String {
        "q and p are distributions over different shapes: \(q.family) has event shape "
            + "\(Shape.describe(q.eventShape)), \(p.family) has \(Shape.describe(p.eventShape))"
    }

    static func quadratureNeedsScalars(_ q: any Distribution, _ p: any Distribution) -> String {
        "kl_quad integrates one scalar distribution against another; got \(q.family) with shape "
            + "\(Shape.describe(q.sampleShape)) and \(p.family) with \(Shape.describe(p.sampleShape))"
    }

    static func checkShape(_ z: [Int], family: String, draws: [Int]) -> String {
        "check: samples of shape \(Shape.describe(z)) do not match \(family), whose draws have shape "
            + "\(Shape.describe(draws)); expected [n] + \(Shape.describe(draws))"
    }
}
