import Foundation
import KLSDiagnostics
import KLSTensor

/// The categorical distribution with its values as one-hot vectors of length k
/// (PyTorch's OneHotCategorical): event shape `[k]`. It shares Categorical's
/// probabilities, draws (the same category for the same seed and index),
/// entropy and KL.
public final class OneHotCategorical: Distribution {
    public let family = "OneHotCategorical"
    /// The categorical it encodes.
    public let categorical: Categorical
    public var batchShape: [Int] { categorical.batchShape }
    public var eventShape: [Int] { [categorical.categories] }
    public var isDiscrete: Bool { true }
    public var parameters: [(name: String, value: Tensor)] { categorical.parameters }
    public var drawsPerSample: Int { categorical.drawsPerSample }
    public var support: ClosedRange<Double> { 0...1 }

    public init(probs: Tensor) throws(KLSError) {
        do {
            categorical = try Categorical(probs: probs)
        } catch {
            var renamed = error
            renamed.message = "OneHot" + error.message
            throw renamed
        }
    }

    /// The categorical's draw, one-hot on a new last axis.
    public func sample(_ count: Int?, generator: Philox, start: UInt64) throws(KLSError) -> Tensor {
        let indices = try categorical.sample(count, generator: generator, start: start)
        let k = categorical.categories
        return try Tensor(shape: indices.shape + [k]) { out in
            out.initialize(repeating: 0)
            for i in 0..<indices.count { out[i * k + Int(indices[flat: i])] = 1 }
        }
    }

    /// log probs[j] at the one-hot vector of j; −inf at anything else.
    public func logpdf(_ x: Tensor) throws(KLSError) -> Tensor {
        let k = categorical.categories
        guard x.rank >= 1, x.shape[x.rank - 1] == k else {
            throw KLSError(
                "OneHotCategorical: logpdf needs one-hot vectors with a last axis of \(k), got shape "
                    + Shape.describe(x.shape))
        }
        let indices = try Tensor(shape: Array(x.shape.dropLast())) { out in
            for v in 0..<out.count {
                let row = (0..<k).map { x[flat: v * k + $0] }
                let ones = row.indices.filter { row[$0] == 1 }
                let oneHot = ones.count == 1 && row.allSatisfy { $0 == 0 || $0 == 1 }
                out[v] = oneHot ? Double(ones[0]) : (row.contains(where: \.isNaN) ? .nan : -1)
            }
        }
        return try categorical.logpdf(indices)
    }

    public func entropy() throws(KLSError) -> Tensor { try categorical.entropy() }
    /// The probabilities.
    public func mean() throws(KLSError) -> Tensor { categorical.probs }
    /// p(1 − p) per coordinate.
    public func variance() throws(KLSError) -> Tensor {
        let probs = categorical.probs
        return try Tensor(shape: probs.shape) { out in
            for i in 0..<out.count { out[i] = probs[flat: i] * (1 - probs[flat: i]) }
        }
    }
}

/// OneHotCategorical's declaration: its constructor, help and KL (Categorical's).
public enum OneHotCategoricalFamily: VectorFamily, VectorFamilyKL {
    public static let name = "OneHotCategorical"
    public static let parameterNames = ["probs"]
    public static let parameterMeanings = ["the weights of the k categories on the last axis, ≥ 0 (normalised)"]
    public static let summary = "OneHotCategorical(probs): Categorical's values as one-hot vectors of length k."
    public static let example = "OneHotCategorical([1, 2, 1])"

    public static func make(_ parameters: [Tensor]) throws(KLSError) -> any Distribution {
        try OneHotCategorical(probs: parameters[0])
    }

    static let klRules: [KLRegistry.Entry] = [
        KLRegistry.Entry(q: OneHotCategorical.self, p: OneHotCategorical.self) { q, p throws(KLSError) in
            guard let a = q as? OneHotCategorical, let b = p as? OneHotCategorical else {
                throw KLSError("internal: OneHotCategorical rule")
            }
            return try KLRegistry.kl(a.categorical, b.categorical)
        }
    ]
}
