import Foundation
import KLSDiagnostics
import KLSTensor

/// A reparameterised family whose draw is a formula of plain noise — a uniform,
/// an exponential, a unit-rate gamma — taken from the family's own stream:
/// `sample` is `pathwiseDraw(noise)`, and a gradient's standard draws are the
/// same noise (`FamilyNoise`), so `grad` differentiates the very numbers
/// `sample` gives for a seed (Weibull, Pareto, Kumaraswamy, …).
public protocol NoiseDrivenFamily: ReparameterisedFamily {
    /// The noise of draw `index` (it may depend on the parameters through the
    /// `implicitParameters`, as InverseGamma's unit gamma does on its shape).
    static func noise(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double
}

extension NoiseDrivenFamily {
    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        let range = support(t)
        return Support.open(
            pathwiseDraw(noise(generator, index, t), t), above: range.lowerBound, below: range.upperBound)
    }

    public static func standard(_ parameters: [Tensor], shape: [Int]) throws(KLSError) -> any Distribution {
        try FamilyNoise<Self>(parameters, shape: shape)
    }

    /// A uniform on (0, 1) from the family's stream: the noise of an inverse cdf.
    public static func uniformNoise(_ generator: Philox, _ index: UInt64) -> Double {
        Philox.openUnit(generator.singleWord(index: index, stream: tag))
    }

    /// An Exponential(1) draw, −log u, from the family's stream.
    public static func exponentialNoise(_ generator: Philox, _ index: UInt64) -> Double {
        -Foundation.log(uniformNoise(generator, index))
    }
}

/// The noise of a `NoiseDrivenFamily`, batch-shaped: what its standard draws
/// are. It is only ever sampled; it has no density of its own here.
final class FamilyNoise<F: NoiseDrivenFamily>: Distribution {
    var family: String { "\(F.name) noise" }
    let batchShape: [Int]
    var eventShape: [Int] { [] }
    var parameters: [(name: String, value: Tensor)] { Array(zip(F.parameterNames, values)) }
    var drawsPerSample: Int { Swift.max(1, batchShape.reduce(1, *)) }
    /// The family's parameters, broadcast to `batchShape`.
    let values: [Tensor]

    init(_ parameters: [Tensor], shape: [Int]) throws(KLSError) {
        var broadcast: [Tensor] = []
        for p in parameters { broadcast.append(try p.broadcast(to: shape)) }
        (values, batchShape) = (broadcast, shape)
    }

    func sample(_ count: Int?, generator: Philox, start: UInt64) throws(KLSError) -> Tensor {
        let batch = drawsPerSample
        let thetas = (0..<batch).map { F.parameters(values, at: $0) }
        return try Tensor(shape: outputShape(count)) { out in
            guard let p = out.baseAddress else { return }
            Parallel.forEachChunk(out.count, cost: 16) { range in
                for e in range { p[e] = F.noise(generator, start &+ UInt64(e), thetas[e % batch]) }
            }
        }
    }

    func logpdf(_ x: Tensor) throws(KLSError) -> Tensor { throw unavailable("logpdf") }
    func entropy() throws(KLSError) -> Tensor { throw unavailable("entropy") }
    func mean() throws(KLSError) -> Tensor { throw unavailable("mean") }
    func variance() throws(KLSError) -> Tensor { throw unavailable("variance") }

    private func unavailable(_ what: String) -> KLSError {
        KLSError("internal: \(what) of \(family), which is only sampled")
    }
}
