import Foundation
import KLSDiagnostics
import KLSTensor
import PropertyBased
import Testing

@testable import KLSDistributions

/// Properties every KL and density must have.
@Suite struct PropertyTests {
    static func s(_ v: Double) -> Tensor { Tensor(scalar: v) }

    @Test func klIsNonNegativeAndZeroOnlyAtEquality() async {
        await propertyCheck(
            input: Gen.double(in: -3...3), Gen.double(in: 0.1...4), Gen.double(in: -3...3), Gen.double(in: 0.1...4)
        ) { m1, s1, m2, s2 in
            let q = try! Normal([PropertyTests.s(m1), PropertyTests.s(s1)])
            let p = try! Normal([PropertyTests.s(m2), PropertyTests.s(s2)])
            let divergence = try! KLRegistry.kl(q, p)[flat: 0]
            #expect(divergence >= 0)
            // Strictly positive whenever the distributions differ (Gibbs' inequality).
            if abs(m1 - m2) > 1e-3 || abs(s1 - s2) > 1e-3 { #expect(divergence > 0, "\(m1) \(s1) \(m2) \(s2)") }
            #expect(abs(try! KLRegistry.kl(q, q)[flat: 0]) < 1e-15)
            let g = try! Gamma([PropertyTests.s(s1), PropertyTests.s(s2)])
            let h = try! Gamma([PropertyTests.s(s2), PropertyTests.s(s1)])
            #expect(try! KLRegistry.kl(g, h)[flat: 0] >= -1e-12)
            #expect(abs(try! KLRegistry.kl(g, g)[flat: 0]) < 1e-12)
        }
    }

    @Test func k3TermsAreNeverNegative() async {
        await propertyCheck(input: Gen.double(in: -50...50).array(of: 1...64)) { values in
            var out = [Double](repeating: -1, count: values.count)
            values.withUnsafeBufferPointer { v in
                out.withUnsafeMutableBufferPointer { o in
                    Estimator.k3.terms(v.baseAddress!, values.count, into: o.baseAddress!)
                }
            }
            #expect(out.allSatisfy { $0 >= 0 })
            for (l, t) in zip(values, out) {
                #expect(abs(t - Estimator.k3.term(l)) <= 1e-12 * max(1, abs(t)))
            }
        }
    }

    /// Each continuous scalar family's density integrates to one.
    @Test(arguments: [
        "Normal", "Laplace", "StudentT", "Uniform", "Exponential", "Gamma", "Gamma shape < 1", "Beta", "LogNormal",
    ])
    func densityIntegratesToOne(_ name: String) throws {
        let d = try #require(SamplerTests.families.first { $0.0 == name }).1()
        let total = try Quadrature.integrate(
            { x throws(KLSError) in Foundation.exp(try d.logpdf(Tensor(scalar: x))[flat: 0]) }, over: d.support)
        #expect(abs(total.value - 1) < 1e-8, "\(name): \(total.value)")
    }

    @Test func entropyIsMinusTheExpectedLogDensity() throws {
        for name in ["Normal", "Laplace", "StudentT", "Gamma", "Beta", "LogNormal", "Exponential"] {
            let d = try #require(SamplerTests.families.first { $0.0 == name }).1()
            let integral = try Quadrature.integrate(
                { x throws(KLSError) in
                    let l = try d.logpdf(Tensor(scalar: x))[flat: 0]
                    return l == -.infinity ? 0 : -Foundation.exp(l) * l
                }, over: d.support)
            #expect(abs(integral.value - (try d.entropy()[flat: 0])) < 1e-7, "\(name)")
        }
    }
}
