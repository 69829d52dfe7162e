import Foundation
import KLSTensor
import Testing

@testable import KLSDistributions

/// Every continuous family's sampler against its own cdf: for draws X, F(X) is
/// Uniform(0, 1), so the fraction of draws with F(X) below each of five levels
/// must be within 5 standard errors of the level (250,000 draws: within 0.005
/// at ½). This checks each sampler and cdf together at once, tails included,
/// wherever they disagree — for every family in the registry, at its help
/// example and at a few harder parameters.
@Suite struct ProbabilityIntegralTests {
    /// The registry's families at the parameters of their help examples, and more.
    static let cases: [(family: any ScalarFamily.Type, parameters: [Double])] =
        ScalarFamilies.all.filter { !$0.isDiscrete }.map { ($0, exampleParameters($0)) } + [
            (GammaFamily.self, [0.05, 2]), (BetaFamily.self, [0.3, 0.2]), (StudentTFamily.self, [0.7, 1, 2]),
            (ParetoFamily.self, [0.5, 0.3]), (InverseGammaFamily.self, [0.4, 3]), (Chi2Family.self, [0.2]),
            (KumaraswamyFamily.self, [0.5, 0.4]), (KumaraswamyFamily.self, [7, 20]),
            (ContinuousBernoulliFamily.self, [0.5]), (ContinuousBernoulliFamily.self, [0.4999999]),
            (ContinuousBernoulliFamily.self, [1e-5]), (WeibullFamily.self, [3, 0.3]), (HalfCauchyFamily.self, [1e-3]),
            (VonMisesFamily.self, [3, 300]), (VonMisesFamily.self, [-2, 1e-4]),
        ]

    /// The numbers in a family's `example`, "Name(a, b, key=c)".
    static func exampleParameters(_ family: any ScalarFamily.Type) -> [Double] {
        guard let open = family.example.firstIndex(of: "("), let close = family.example.lastIndex(of: ")") else {
            return []
        }
        return family.example[family.example.index(after: open)..<close].split(separator: ",").compactMap { part in
            Double(part.split(separator: "=").last?.trimmingCharacters(in: .whitespaces) ?? "")
        }
    }

    @Test(arguments: cases.indices)
    func drawsAreUniformUnderTheCDF(_ index: Int) throws {
        let (family, parameters) = Self.cases[index]
        let d = try family.batch(parameters)
        let n = 250_000
        let x = try d.sample(n, generator: Philox(seed: 29), start: 0)
        let u = try d.cdf(x)
        for level in [0.05, 0.25, 0.5, 0.75, 0.95] {
            var below = 0
            for i in 0..<n where u[flat: i] < level { below += 1 }
            let fraction = Double(below) / Double(n)
            let error = (level * (1 - level) / Double(n)).squareRoot()
            #expect(
                Swift.abs(fraction - level) < 5 * error,
                "\(family.name)\(parameters): \(fraction) of F(X) below \(level)")
        }
    }
}

extension ScalarFamily {
    /// One distribution of this family from plain numbers.
    static func batch(_ parameters: [Double]) throws -> any Distribution {
        try ScalarDistribution<Self>(parameters.map { Tensor(scalar: $0) })
    }
}

/// A gradient differentiates the numbers `sample` gives: for every
/// reparameterised family, the pathwise draw from its standard draws equals
/// its own draw for the same seed and index (to rounding).
@Suite struct PathwiseDrawTests {
    static let families = ProbabilityIntegralTests.cases.filter { $0.family is any ReparameterisedFamily.Type }

    @Test(arguments: families.indices)
    func thePathwiseDrawIsTheDraw(_ index: Int) throws {
        let (listed, parameters) = Self.families[index]
        let family = try #require(listed as? any ReparameterisedFamily.Type)
        let worst = try family.pathwiseMismatch(parameters, count: 4096)
        #expect(worst <= 1e-12, "\(family.name)\(parameters): pathwise draws differ by \(worst) (relative)")
    }
}

extension ReparameterisedFamily {
    /// The largest relative difference between `count` draws and their pathwise draws.
    static func pathwiseMismatch(_ parameters: [Double], count: Int) throws -> Double {
        let tensors = parameters.map { Tensor(scalar: $0) }
        let draws = try ScalarDistribution<Self>(tensors).sample(count, generator: Philox(seed: 5), start: 0)
        let noise = try standard(tensors, shape: []).sample(count, generator: Philox(seed: 5), start: 0)
        let theta = self.parameters(tensors, at: 0)
        var worst = 0.0
        for i in 0..<count {
            let (x, y) = (draws[flat: i], pathwiseDraw(noise[flat: i], theta))
            if x == y { continue }
            worst = Swift.max(worst, Swift.abs(x - y) / Swift.max(Swift.abs(x), Double.leastNormalMagnitude))
        }
        return worst
    }
}

/// Every count family's sampler against its mass function, and its cdf
/// against the sum of its masses: at each count within three standard
/// deviations of the mean, the frequency among 250,000 draws is within 5
/// standard errors of P(k), and cdf(k) − cdf(k − 1) = P(k) to 10⁻⁹.
@Suite struct CountFamilyTests {
    static let cases: [(family: any ScalarFamily.Type, parameters: [Double])] =
        ScalarFamilies.all.filter { $0.isDiscrete }.map { ($0, ProbabilityIntegralTests.exampleParameters($0)) } + [
            (PoissonFamily.self, [0.02]), (PoissonFamily.self, [9.9]), (PoissonFamily.self, [10.1]),
            (PoissonFamily.self, [2500]), (BinomialFamily.self, [1000, 0.6]), (BinomialFamily.self, [40, 0.2]),
            (BinomialFamily.self, [7, 0.97]), (GeometricFamily.self, [0.02]),
            (NegativeBinomialFamily.self, [0.3, 0.95]),
            (NegativeBinomialFamily.self, [400, 0.5]),
        ]

    @Test(arguments: cases.indices)
    func frequenciesMatchTheMasses(_ index: Int) throws {
        let (family, parameters) = Self.cases[index]
        let d = try family.batch(parameters)
        let n = 250_000
        let x = try d.sample(n, generator: Philox(seed: 31), start: 0)
        var frequencies: [Double: Int] = [:]
        for i in 0..<n { frequencies[x[flat: i], default: 0] += 1 }
        let (mean, deviation) = (try d.mean()[flat: 0], try d.variance()[flat: 0].squareRoot())
        let low = Swift.max(0, (mean - 3 * deviation).rounded(.down))
        for k in stride(from: low, through: (mean + 3 * deviation).rounded(.up), by: 1) {
            let mass = Foundation.exp(try d.logpdf(Tensor(scalar: k))[flat: 0])
            let frequency = Double(frequencies[k] ?? 0) / Double(n)
            let error = (mass * (1 - mass) / Double(n)).squareRoot()
            #expect(
                Swift.abs(frequency - mass) <= 5 * error + 1e-12,
                "\(family.name)\(parameters): P(\(k)) = \(mass), frequency \(frequency)")
            let step = try d.cdf(Tensor(scalar: k))[flat: 0] - d.cdf(Tensor(scalar: k - 1))[flat: 0]
            #expect(
                Swift.abs(step - mass) <= 1e-9 * Swift.max(mass, 1e-300),
                "\(family.name)\(parameters): cdf step at \(k)")
        }
    }
}
