import Foundation
import KLSDiagnostics
import KLSTensor
import Testing

@testable import KLSDistributions

/// Every closed form against an independent reference: SciPy quadrature for the
/// scalar pairs, NumPy linear algebra for the multivariate ones.
@Suite struct ClosedFormTests {
    static func t(_ v: [Double]) -> Tensor { (try? Tensor(v)) ?? Tensor(scalar: .nan) }
    static func s(_ v: Double) -> Tensor { Tensor(scalar: v) }

    static let scalarPairs: [(String, any Distribution, any Distribution, Double)] = {
        func make(_ f: () throws -> any Distribution) -> any Distribution { (try? f()) ?? (try! Normal([s(0), s(1)])) }
        return [
            (
                "Normal", make { try Normal([s(0.5), s(1.3)]) }, make { try Normal([s(-0.2), s(0.7)]) },
                1.1054505875121445
            ),
            (
                "Laplace", make { try Laplace([s(0.3), s(1.5)]) }, make { try Laplace([s(-1), s(0.8)]) },
                0.7845483115314044
            ),
            ("Exponential", make { try Exponential([s(2)]) }, make { try Exponential([s(0.5)]) }, 0.6362943611198907),
            (
                "Gamma", make { try Gamma([s(2.5), s(1.5)]) }, make { try Gamma([s(1.2), s(0.7)]) }, 0.12528140148552394
            ),
            (
                "Gamma shape < 1", make { try Gamma([s(0.6), s(2)]) }, make { try Gamma([s(1.5), s(1)]) },
                1.6072619676414333
            ),
            ("Beta", make { try Beta([s(2), s(3)]) }, make { try Beta([s(0.8), s(1.7)]) }, 0.19814242697451956),
            (
                "LogNormal", make { try LogNormal([s(0.2), s(0.5)]) }, make { try LogNormal([s(-0.3), s(0.9)]) },
                0.396428640210761
            ),
            ("Uniform", make { try Uniform([s(0), s(1)]) }, make { try Uniform([s(-1), s(2)]) }, 1.0986122886681098),
            ("Bernoulli", make { try Bernoulli([s(0.3)]) }, make { try Bernoulli([s(0.6)]) }, 0.18378689738681217),
            (
                "Categorical", make { try Categorical(probs: t([1, 2, 1])) },
                make { try Categorical(probs: t([3, 1, 1])) }, 0.295064069427155
            ),
        ]
    }()

    @Test(arguments: scalarPairs.map(\.0))
    func scalarPairMatchesQuadrature(_ name: String) throws {
        let (_, q, p, reference) = try #require(ClosedFormTests.scalarPairs.first { $0.0 == name })
        let value = try KLRegistry.kl(q, p)[flat: 0]
        #expect(abs(value - reference) <= 1e-10 * max(1, reference), "\(name): \(value) vs \(reference)")
        if !q.isDiscrete {
            // Our own quadrature agrees too.
            let quad = try Quadrature.kl(q, p)
            #expect(abs(quad.value - reference) <= 1e-7 * max(1, reference), "\(name) kl_quad: \(quad.value)")
        }
    }

    static let covQ = [1, 0.3, 0.1, 0.3, 2, 0.4, 0.1, 0.4, 0.5], covP = [2, -0.2, 0, -0.2, 1, 0.3, 0, 0.3, 1.5]

    @Test func multivariatePairsMatchNumPy() throws {
        let q = try MvNormal(
            mean: ClosedFormTests.t([0.5, -1, 0.2]), cov: try Tensor(shape: [3, 3], values: ClosedFormTests.covQ))
        let p = try MvNormal(
            mean: ClosedFormTests.t([0, 0.5, -0.5]), cov: try Tensor(shape: [3, 3], values: ClosedFormTests.covP))
        #expect(abs(try KLRegistry.kl(q, p)[flat: 0] - 2.1830190282115916) < 1e-12)
        let diagonal = try Independent(
            try Normal([ClosedFormTests.t([0.1, 0.2, 0.3]), ClosedFormTests.t([0.5, 1.2, 0.8])]), k: 1,
            name: "DiagNormal")
        #expect(abs(try KLRegistry.kl(diagonal, p)[flat: 0] - 1.141185964220092) < 1e-12)
        #expect(abs(try KLRegistry.kl(q, diagonal)[flat: 0] - 1.7911099359721754) < 1e-12)
        #expect(abs(try q.logpdf(ClosedFormTests.t([0.1, 0.2, 0.3]))[flat: 0] - -3.1967460925805553) < 1e-12)
        #expect(abs(try q.entropy()[flat: 0] - 4.144618433006087) < 1e-12)
    }

    @Test func diagonalPairsSumOverTheEvent() throws {
        let q = try Independent(
            try Normal([ClosedFormTests.t([0.5, -1]), ClosedFormTests.t([1, 0.5])]), k: 1, name: "DiagNormal")
        let p = try Independent(
            try Normal([ClosedFormTests.t([0, 0]), ClosedFormTests.t([1, 1])]), k: 1, name: "StdNormal")
        let expected = GaussianKL.scalar(0.5, 1, 0, 1) + GaussianKL.scalar(-1, 0.5, 0, 1)
        #expect(abs(try KLRegistry.kl(q, p)[flat: 0] - expected) < 1e-15)
    }

    @Test func missingPairsAndShapeMismatchesAreErrors() throws {
        // Student's t against a Laplace: both on the whole line, no formula.
        let laplace = try Laplace([ClosedFormTests.s(0), ClosedFormTests.s(1)])
        let student = try StudentT([ClosedFormTests.s(3), ClosedFormTests.s(0), ClosedFormTests.s(1)])
        #expect(throws: KLSError.self) { try KLRegistry.kl(student, laplace) }
        #expect(try KLRegistry.closedForm(student, laplace) == nil)
        let normal = try Normal([ClosedFormTests.s(0), ClosedFormTests.s(1)])
        let vector = try Independent(
            try Normal([ClosedFormTests.t([0, 0]), ClosedFormTests.t([1, 1])]), k: 1, name: "StdNormal")
        do {
            _ = try KLRegistry.kl(normal, vector)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("different shapes"))
            #expect(error.hint?.contains("DiagNormal") == true)
        }
    }

    @Test func uniformOutsideTheSupportIsInfinite() throws {
        let q = try Uniform([ClosedFormTests.s(0), ClosedFormTests.s(3)])
        let p = try Uniform([ClosedFormTests.s(1), ClosedFormTests.s(2)])
        #expect(try KLRegistry.kl(q, p)[flat: 0] == .infinity)
    }

    @Test func mixtureQuadratureMatchesSciPy() throws {
        let mixture = try Mixture(
            weights: ClosedFormTests.t([0.3, 0.7]),
            components: [
                try Normal([ClosedFormTests.s(-2), ClosedFormTests.s(1)]),
                try Normal([ClosedFormTests.s(2), ClosedFormTests.s(0.5)]),
            ])
        let result = try Quadrature.kl(mixture, try Normal([ClosedFormTests.s(0), ClosedFormTests.s(2)]))
        #expect(abs(result.value - 0.6359629175216172) < 1e-9)
        #expect(result.error < 1e-8)
    }

    @Test func cdfsAndEntropiesMatchSciPy() throws {
        let t = try StudentT([ClosedFormTests.s(3), ClosedFormTests.s(0.5), ClosedFormTests.s(2)])
        #expect(abs(try t.cdf(ClosedFormTests.s(1.7))[flat: 0] - 0.7045993959730055) < 1e-12)
        #expect(abs(try t.entropy()[flat: 0] - 2.466624752423236) < 1e-12)
        #expect(
            abs(
                try Gamma([ClosedFormTests.s(2.5), ClosedFormTests.s(1.5)]).cdf(ClosedFormTests.s(1.3))[flat: 0]
                    - 0.43609839584831256) < 1e-12)
        #expect(
            abs(
                try Beta([ClosedFormTests.s(2), ClosedFormTests.s(3)]).cdf(ClosedFormTests.s(0.35))[flat: 0]
                    - 0.43701875) < 1e-12)
    }
}
