import Foundation
import Testing

@testable import KLSTensor

/// Special functions against reference values computed with mpmath at 30 digits.
@Suite struct SpecialFunctionsTests {
    static let digammaReference: [(Double, Double)] = [
        (1e-08, -100000000.57721564), (0.001, -1000.5755719318103), (0.1, -10.423754940411076),
        (0.5, -1.9635100260214235), (1, -0.5772156649015329), (1.4, -0.06138454458511624),
        (1.4616321449683622, -9.241265521729427e-17), (1.46163214496836, -2.2410766695906462e-15),
        (1.5, 0.03648997397857652), (2, 0.42278433509846713), (2.5, 0.7031566406452432),
        (3.7, 1.1671535393615113), (10, 2.251752589066721), (100, 4.600161852738087),
        (100000.0, 11.512920464961896), (10000000000.0, 23.025850929890456), (-0.5, 0.03648997397857652),
        (-1.5, 0.7031566406452432), (-2.5, 1.103156640645243), (-10.3, 4.662403493582087),
    ]

    /// log(1 + t) − t against mpmath (Tests/References/log1p_minus.py): within
    /// 4e-16 relative over the atanh series' range and beyond it.
    @Test func log1pMinusMatchesMpmath() {
        for (t, expected) in Log1pMinusReference.values {
            let got = SpecialFunctions.log1pMinus(t)
            #expect(abs(got - expected) <= 4e-16 * abs(expected), "log1pMinus(\(t)) = \(got), not \(expected)")
        }
    }

    /// The gaps keep their digits where every term is ~x log x and they are ~(y − x)²:
    /// near-equal pairs, arguments to 1e15, ratios to 1e5 either way (mpmath, GapReference).
    @Test func gapsMatchTheirReferences() {
        func close(_ got: Double, _ expected: Double, _ rtol: Double) -> Bool {
            abs(got - expected) <= rtol * abs(expected)
        }
        for (x, y, gammaGap, digammas, besselGap) in GapReference.gaps {
            let gap = SpecialFunctions.logGammaGap(x, y)
            #expect(close(gap, gammaGap, 1e-13), "logGammaGap(\(x), \(y)) = \(gap), not \(gammaGap)")
            let difference = SpecialFunctions.digammaDifference(x, y)
            #expect(close(difference, digammas, 1e-13), "ψ(\(y)) − ψ(\(x)) = \(difference), not \(digammas)")
            let bessel = ModifiedBessel.logI0Gap(x, y)
            #expect(close(bessel, besselGap, 1e-12), "logI0Gap(\(x), \(y)) = \(bessel), not \(besselGap)")
        }
        for (a, b, logBeta, entropy) in GapReference.shapes {
            let value = SpecialFunctions.logBeta(a, b)
            #expect(close(value, logBeta, 1e-13), "logBeta(\(a), \(b)) = \(value), not \(logBeta)")
            let h = SpecialFunctions.betaEntropy(a, b)
            #expect(close(h, entropy, 1e-12), "betaEntropy(\(a), \(b)) = \(h), not \(entropy)")
        }
    }

    /// Arguments up to the largest double: no trap lifting them (2e300 once
    /// overflowed a conversion to Int), and the limits where a term is infinite.
    @Test func gapsAtTheTopOfTheDoubles() {
        for x in [1e300, Double.greatestFiniteMagnitude] {
            #expect(SpecialFunctions.logGammaGap(x, 0.5 * x).isFinite)
            #expect(SpecialFunctions.digammaDifference(x, 0.5 * x).isFinite)
            #expect(SpecialFunctions.logBeta(x, 2).isFinite)
        }
        #expect(SpecialFunctions.logGammaGap(2, .infinity) == .infinity)
        #expect(SpecialFunctions.logGammaGap(.infinity, 2) == .infinity)
        #expect(SpecialFunctions.logGammaGap(-1, 2).isNaN)
    }

    @Test(arguments: digammaReference)
    func digammaMatchesReference(_ x: Double, _ expected: Double) {
        let value = SpecialFunctions.digamma(x)
        // 1e-12 relative everywhere, including next to the positive root.
        #expect(abs(value - expected) <= 1e-12 * abs(expected), "ψ(\(x)) = \(value), expected \(expected)")
    }

    @Test func digammaEdgeCases() {
        #expect(SpecialFunctions.digamma(0) == -.infinity)
        #expect(SpecialFunctions.digamma(-0.0) == .infinity)
        #expect(SpecialFunctions.digamma(-1).isNaN)
        #expect(SpecialFunctions.digamma(.infinity) == .infinity)
        #expect(SpecialFunctions.digamma(-.infinity).isNaN)
        #expect(SpecialFunctions.digamma(.nan).isNaN)
    }

    @Test(arguments: [
        (0.5, 0.5723649429247001), (10.5, 13.940625219403763), (100, 359.1342053695754),
        (1e-05, 11.512919692895826), (3.3, 0.9870985778947344), (-0.5, 1.2655121234846454),
        (-2.5, -0.056243716497674054),
    ])
    func logGammaMatchesReference(_ x: Double, _ expected: Double) {
        #expect(abs(UnaryFunction.lgamma(x) - expected) <= 1e-13 * abs(expected))
    }

    @Test(arguments: [
        (0.1, 0.1124629160182849, 0.887537083981715), (0.5, 0.5204998778130465, 0.4795001221869535),
        (2, 0.9953222650189527, 0.004677734981047266), (-0.7, -0.6778011938374184, 1.6778011938374184),
        (5, 0.9999999999984626, 1.537459794428035e-12),
    ])
    func errorFunctionMatchesReference(_ x: Double, _ erf: Double, _ erfc: Double) {
        #expect(abs(UnaryFunction.erf(x) - erf) <= 1e-14 * abs(erf))
        #expect(abs(UnaryFunction.erfc(x) - erfc) <= 1e-13 * abs(erfc))
    }

    @Test func softplusAndSigmoidDoNotOverflow() {
        #expect(SpecialFunctions.softplus(800) == 800)
        #expect(abs(SpecialFunctions.softplus(-50) - 1.9287498479639178e-22) < 1e-35)
        #expect(abs(SpecialFunctions.softplus(0) - log(2)) < 1e-16)
        #expect(SpecialFunctions.sigmoid(800) == 1)
        #expect(SpecialFunctions.sigmoid(-800) == 0)
        #expect(abs(SpecialFunctions.sigmoid(-40) - 4.248354255291589e-18) < 1e-30)
    }

    @Test func logSumExpShiftsByTheMaximum() throws {
        let x = try Tensor([1000, 1000])
        #expect(abs(try x.reduce(.logsumexp)[flat: 0] - (1000 + log(2))) < 1e-12)
        let empty = try Tensor([])
        #expect(try empty.reduce(.logsumexp)[flat: 0] == -.infinity)
        #expect(try Tensor([-.infinity, -.infinity]).reduce(.logsumexp)[flat: 0] == -.infinity)
        #expect(try Tensor([1, .infinity]).reduce(.logsumexp)[flat: 0] == .infinity)
    }
}
