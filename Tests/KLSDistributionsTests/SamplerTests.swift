import Foundation
import KLSDiagnostics
import KLSTensor
import Testing

@testable import KLSDistributions

/// Every sampler at 10⁶ draws: sample mean and variance within 5 standard errors
/// of the distribution's (the variance's standard error estimated from the
/// sample's fourth moment).
@Suite struct SamplerTests {
    static func s(_ v: Double) -> Tensor { Tensor(scalar: v) }

    static let families: [(String, @Sendable () throws -> any Distribution)] = [
        ("Normal", { try Normal([s(0.5), s(2)]) }),
        ("Laplace", { try Laplace([s(-1), s(0.7)]) }),
        ("StudentT", { try StudentT([s(10), s(1), s(2)]) }),
        ("Uniform", { try Uniform([s(-1), s(3)]) }),
        ("Exponential", { try Exponential([s(2.5)]) }),
        ("Gamma", { try Gamma([s(3.5), s(2)]) }),
        ("Gamma shape < 1", { try Gamma([s(0.3), s(1.5)]) }),
        ("Beta", { try Beta([s(2), s(5)]) }),
        ("Beta small", { try Beta([s(0.5), s(0.5)]) }),
        ("LogNormal", { try LogNormal([s(0.1), s(0.4)]) }),
        ("Bernoulli", { try Bernoulli([s(0.3)]) }),
        ("Categorical", { try Categorical(probs: try Tensor([1, 2, 3, 4])) }),
        (
            "Mixture",
            {
                try Mixture(
                    weights: try Tensor([0.25, 0.75]),
                    components: [try Normal([s(-2), s(1)]), try Normal([s(3), s(0.5)])])
            }
        ),
    ]

    @Test(arguments: families.map(\.0))
    func momentsMatch(_ name: String) throws {
        let d = try #require(SamplerTests.families.first { $0.0 == name }).1()
        let n = 1_000_000
        let x = try d.sample(n, generator: Philox(seed: 11), start: 0)
        var m1 = 0.0
        for i in 0..<n { m1 += x[flat: i] }
        m1 /= Double(n)
        var m2 = 0.0
        var m4 = 0.0
        for i in 0..<n {
            let c = x[flat: i] - m1
            m2 += c * c
            m4 += c * c * c * c
        }
        m2 /= Double(n)
        m4 /= Double(n)
        let mean = try d.mean()[flat: 0]
        let variance = try d.variance()[flat: 0]
        #expect(abs(m1 - mean) < 5 * (variance / Double(n)).squareRoot(), "\(name) mean \(m1) vs \(mean)")
        #expect(
            abs(m2 - variance) < 5 * ((m4 - m2 * m2) / Double(n)).squareRoot(), "\(name) variance \(m2) vs \(variance)")
        let support = d.support
        for i in stride(from: 0, to: n, by: 997) {
            #expect(support.contains(x[flat: i]), "\(name) draw outside the support")
        }
    }

    @Test func multivariateNormalHasTheCovariance() throws {
        let cov = try Tensor(shape: [2, 2], values: [2, 0.6, 0.6, 0.5])
        let d = try MvNormal(mean: try Tensor([1, -1]), cov: cov)
        let n = 1_000_000
        let x = try d.sample(n, generator: Philox(seed: 3), start: 0)
        var mean = [0.0, 0.0]
        var cross = 0.0
        for i in 0..<n {
            mean[0] += x[flat: 2 * i]
            mean[1] += x[flat: 2 * i + 1]
        }
        mean = mean.map { $0 / Double(n) }
        for i in 0..<n { cross += (x[flat: 2 * i] - mean[0]) * (x[flat: 2 * i + 1] - mean[1]) }
        cross /= Double(n)
        #expect(abs(mean[0] - 1) < 5 * (2 / Double(n)).squareRoot())
        #expect(abs(mean[1] + 1) < 5 * (0.5 / Double(n)).squareRoot())
        // Var of the product of centred coordinates: σ₁²σ₂² + σ₁₂².
        #expect(abs(cross - 0.6) < 5 * ((2 * 0.5 + 0.36) / Double(n)).squareRoot())
    }

    @Test func shapesFollowPyTorch() throws {
        let batch = try Normal([try Tensor([0, 1, 2]), Tensor(scalar: 1)])
        #expect(batch.batchShape == [3])
        #expect(try batch.sample(5, generator: Philox(seed: 1), start: 0).shape == [5, 3])
        #expect(try batch.sample(nil, generator: Philox(seed: 1), start: 0).shape == [3])
        let diagonal = try Independent(batch, k: 1, name: "DiagNormal")
        #expect(diagonal.batchShape == [] && diagonal.eventShape == [3])
        #expect(try diagonal.logpdf(try Tensor(shape: [4, 3], values: Array(repeating: 0, count: 12))).shape == [4])
        let categorical = try Categorical(probs: try Tensor(shape: [2, 3], values: [1, 1, 1, 1, 2, 3]))
        #expect(categorical.batchShape == [2])
        #expect(try categorical.sample(7, generator: Philox(seed: 1), start: 0).shape == [7, 2])
    }

    @Test func invalidParametersNameTheParameter() {
        func message(_ f: () throws -> any Distribution) -> String {
            do {
                _ = try f()
                return ""
            } catch {
                return (error as? KLSError)?.message ?? ""
            }
        }
        #expect(
            message { try Normal([SamplerTests.s(0), SamplerTests.s(-1)]) }
                == "Normal: std must be finite and > 0, got -1")
        #expect(
            message { try Exponential([try Tensor([1, 0])]) }.contains(
                "rate must be finite and > 0, got 0 at index [1]"))
        #expect(message { try Bernoulli([SamplerTests.s(1.5)]) }.contains("p must be a probability"))
        #expect(message { try Categorical(probs: try Tensor([1, -1])) }.contains("probs must be finite and ≥ 0"))
        #expect(message { try Normal([SamplerTests.s(.nan), SamplerTests.s(1)]) }.contains("mean must be finite"))
        #expect(message { try Normal([try Tensor([0, 0]), try Tensor([1, 1, 1])]) }.contains("do not broadcast"))
        #expect(
            message { try MvNormal(mean: try Tensor([0, 0]), cov: try Tensor(shape: [2, 2], values: [1, 2, 2, 1])) }
                .contains("not positive definite"))
        #expect(
            message {
                try MvNormal(mean: try Tensor([0, 0]), cov: try Tensor(shape: [2, 2], values: [1, 0.5, 0.4, 1]))
            }.contains("symmetric"))
    }
}
