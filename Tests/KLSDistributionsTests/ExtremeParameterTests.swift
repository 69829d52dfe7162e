import Foundation
import KLSDiagnostics
import KLSTensor
import PropertyBased
import Testing

@testable import KLSDistributions

/// An adversarial search that needs no reference values: parameters drawn
/// across the whole double range (scales from 1e-300 to 1e300, near-equal
/// pairs, probabilities near 0 and 1, points out to ±1e300), and identities
/// every answer must keep — KL(q, q) = 0, KL ≥ 0 and never NaN, KL unchanged
/// when both scales are multiplied by one factor, the closed form within
/// kl_quad's error bound and kl_mc's z-score within 4.5 for every continuous
/// family with one, the cdf monotone in [0, 1], logpdf = log(pdf).
/// The mpmath table (`Tests/References/extreme_kl.py`) holds the values.
@Suite struct ExtremeParameterTests {
    /// 10^e for e drawn uniformly: every scale from 1e-300 to 1e300 equally likely.
    static let scale = Gen.double(in: -300...300).map { Foundation.pow(10, $0) }
    /// A relative step from 1e-15 to 0.5, either sign: the near-equal pairs.
    static let step = Gen.double(in: -15 ... -0.3).map { Foundation.pow(10, $0) }

    static func make<F: ScalarFamily>(_ family: F.Type, _ parameters: [Double]) throws -> ScalarDistribution<F> {
        try ScalarDistribution<F>(parameters.map { Tensor(scalar: $0) })
    }

    static func kl(_ q: any Distribution, _ p: any Distribution) throws -> Double {
        try KLRegistry.kl(q, p)[flat: 0]
    }

    /// One-scale families whose KL depends on the scales' ratio alone.
    static func scalePair(_ name: String, _ a: Double, _ b: Double) throws -> (any Distribution, any Distribution) {
        switch name {
        case "Normal": return (try make(NormalFamily.self, [0, a]), try make(NormalFamily.self, [0, b]))
        case "Exponential": return (try make(ExponentialFamily.self, [a]), try make(ExponentialFamily.self, [b]))
        case "Laplace": return (try make(LaplaceFamily.self, [0, a]), try make(LaplaceFamily.self, [0, b]))
        case "HalfNormal": return (try make(HalfNormalFamily.self, [a]), try make(HalfNormalFamily.self, [b]))
        case "Cauchy": return (try make(CauchyFamily.self, [0, a]), try make(CauchyFamily.self, [0, b]))
        case "HalfCauchy": return (try make(HalfCauchyFamily.self, [a]), try make(HalfCauchyFamily.self, [b]))
        case "Gamma": return (try make(GammaFamily.self, [2.5, a]), try make(GammaFamily.self, [2.5, b]))
        case "Pareto": return (try make(ParetoFamily.self, [1, a]), try make(ParetoFamily.self, [1, b]))
        default: return (try make(PoissonFamily.self, [a]), try make(PoissonFamily.self, [b]))
        }
    }

    static let scaleFamilies = [
        "Normal", "Exponential", "Laplace", "HalfNormal", "Cauchy", "HalfCauchy", "Gamma", "Pareto", "Poisson",
    ]

    @Test(arguments: scaleFamilies)
    func klIsZeroOnlyAtEqualityAndNeverNegativeOrNaN(_ name: String) async {
        await propertyCheck(count: 400, input: Self.scale, Self.scale, Self.step, Gen.bool()) { a, b, step, sign in
            let (q, p) = try Self.scalePair(name, a, b)
            let divergence = try Self.kl(q, p)
            #expect(!divergence.isNaN && divergence >= 0, "\(name): kl(\(a), \(b)) = \(divergence)")
            #expect(try Self.kl(q, q) == 0, "\(name): kl(q, q) at \(a)")
            let near = a * (1 + (sign ? step : -step))
            let (q1, p1) = try Self.scalePair(name, a, near)
            let close = try Self.kl(q1, p1)
            #expect(close.isFinite && close >= 0, "\(name): kl(\(a), \(near)) = \(close)")
        }
    }

    /// KL(F(c a) ‖ F(c b)) = KL(F(a) ‖ F(b)): the scales enter through their
    /// ratio, so the pair at the edge of the double range (both scales 1e±300
    /// apart) must give what the pair at 1 and the ratio gives, to 1e-9.
    @Test(arguments: scaleFamilies.filter { $0 != "Poisson" && $0 != "Pareto" })
    func klDependsOnTheScalesRatioAlone(_ name: String) async {
        await propertyCheck(count: 400, input: Gen.double(in: -300...300), Gen.double(in: -1...1)) { ratio, position in
            // Both a = 10^x and b = 10^(x + ratio) inside [1e-300, 1e300].
            let low = Swift.max(-300, -300 - ratio)
            let high = Swift.min(300, 300 - ratio)
            let x = low + (high - low) * (position + 1) / 2
            let (q, p) = try Self.scalePair(name, Foundation.pow(10, x), Foundation.pow(10, x + ratio))
            let (q1, p1) = try Self.scalePair(name, 1, Foundation.pow(10, ratio))
            let (far, unit) = (try Self.kl(q, p), try Self.kl(q1, p1))
            let agree = far == unit || Swift.abs(far - unit) <= 1e-9 * Swift.abs(unit)
            #expect(agree, "\(name): ratio 1e\(ratio) at 1e\(x): \(far) against \(unit)")
        }
    }

    /// Probabilities from 1e-300 to 1 − 1e-16, and pairs a relative 1e-15 apart.
    @Test func probabilityFamiliesKeepTheirSign() async {
        let probability = Gen.double(in: -300 ... -0.001).map { Foundation.pow(10, $0) }
        await propertyCheck(count: 400, input: probability, probability, Self.step) { a, b, step in
            let near = a * (1 - step)
            for (x, y) in [(a, b), (a, near), (1 - a, 1 - near)] where x > 0 && x < 1 && y > 0 && y < 1 {
                let bernoulli = try Self.kl(
                    try Self.make(BernoulliFamily.self, [x]), try Self.make(BernoulliFamily.self, [y]))
                let geometric = try Self.kl(
                    try Self.make(GeometricFamily.self, [x]), try Self.make(GeometricFamily.self, [y]))
                #expect(!bernoulli.isNaN && bernoulli >= 0, "Bernoulli(\(x)) ‖ Bernoulli(\(y)): \(bernoulli)")
                #expect(!geometric.isNaN && geometric >= 0, "Geometric(\(x)) ‖ Geometric(\(y)): \(geometric)")
            }
        }
    }

    /// A pair of one continuous family with a closed-form KL, from two moderate
    /// positive numbers and a shift: every such family in `ScalarFamilies.all`.
    static func continuousPair(_ name: String, _ a: Double, _ b: Double, _ shift: Double) throws -> (
        any Distribution, any Distribution
    ) {
        switch name {
        case "Normal": return (try make(NormalFamily.self, [shift, a]), try make(NormalFamily.self, [0, b]))
        case "Laplace": return (try make(LaplaceFamily.self, [shift, a]), try make(LaplaceFamily.self, [0, b]))
        case "Cauchy": return (try make(CauchyFamily.self, [shift, a]), try make(CauchyFamily.self, [0, b]))
        case "Gumbel": return (try make(GumbelFamily.self, [shift, a]), try make(GumbelFamily.self, [0, b]))
        case "LogNormal": return (try make(LogNormalFamily.self, [shift, a]), try make(LogNormalFamily.self, [0, b]))
        case "VonMises": return (try make(VonMisesFamily.self, [shift, a]), try make(VonMisesFamily.self, [0, b]))
        case "Gamma": return (try make(GammaFamily.self, [a, b]), try make(GammaFamily.self, [b, a]))
        case "InverseGamma":
            return (try make(InverseGammaFamily.self, [a + 1, b]), try make(InverseGammaFamily.self, [b + 1, a]))
        case "Beta": return (try make(BetaFamily.self, [a, b]), try make(BetaFamily.self, [b, a]))
        case "Exponential": return (try make(ExponentialFamily.self, [a]), try make(ExponentialFamily.self, [b]))
        case "HalfNormal": return (try make(HalfNormalFamily.self, [a]), try make(HalfNormalFamily.self, [b]))
        case "HalfCauchy": return (try make(HalfCauchyFamily.self, [a]), try make(HalfCauchyFamily.self, [b]))
        case "Chi2": return (try make(Chi2Family.self, [a]), try make(Chi2Family.self, [b]))
        case "Pareto": return (try make(ParetoFamily.self, [1 + a, b + 2]), try make(ParetoFamily.self, [1, a + 2]))
        case "Uniform":
            return (
                try make(UniformFamily.self, [shift, shift + a]), try make(UniformFamily.self, [shift - b, shift + a])
            )
        default:
            let (x, y) = (a / (1 + a), b / (1 + b))
            return (try make(ContinuousBernoulliFamily.self, [x]), try make(ContinuousBernoulliFamily.self, [y]))
        }
    }

    static let continuousFamilies = [
        "Normal", "Laplace", "Cauchy", "Gumbel", "LogNormal", "VonMises", "Gamma", "InverseGamma", "Beta",
        "Exponential", "HalfNormal", "HalfCauchy", "Chi2", "Pareto", "Uniform", "ContinuousBernoulli",
    ]

    /// Every continuous family with a closed form is in the list above.
    @Test func everyContinuousClosedFormIsSearched() {
        var closed: Set<String> = []
        for family in ScalarFamilies.all where !family.isDiscrete {
            if let withKL = family as? any ClosedFormKLFamily.Type { closed.insert(withKL.name) }
        }
        #expect(closed == Set(Self.continuousFamilies))
    }

    /// The closed form against kl_quad, within kl_quad's own bound where it
    /// reports convergence (where it does not, it warns that the value may be
    /// off by about its estimate) — and, since that estimate covers the
    /// integrand's rounding, to 1e-12 relative beyond it at most.
    @Test(arguments: continuousFamilies)
    func closedFormsAgreeWithQuadrature(_ name: String) async {
        let moderate = Gen.double(in: -1...1).map { Foundation.pow(10, $0) }
        await propertyCheck(count: 25, input: moderate, moderate, Gen.double(in: -3...3)) { a, b, shift in
            let (q, p) = try Self.continuousPair(name, a, b, shift)
            let closed = try Self.kl(q, p)
            let quadrature = try Quadrature.kl(q, p)
            // What doubles cannot integrate is nan with a note (a narrow Gumbel p
            // overflows far out in q's tail); never a confident number.
            if quadrature.value.isNaN {
                #expect(!quadrature.converged && quadrature.note != nil)
                return
            }
            // Unconverged, the warning says "off by about" the estimate: an endpoint
            // singularity extrapolated from shells (Beta(1, 0.23)) may be twice that.
            let slack = (quadrature.converged ? 1 : 4) * quadrature.error + 1e-12 * Swift.abs(closed)
            #expect(
                Swift.abs(closed - quadrature.value) <= slack,
                "\(name) \(a) \(b) \(shift): \(closed) against \(quadrature.value) ± \(quadrature.error)")
        }
    }

    /// kl_mc's k1 against the closed form: the z-score within 4.5 for five pairs
    /// of every continuous family, scales from ½ to 2. A statistical check, so its parameters and
    /// seeds are fixed (drawn once from a Philox stream), never random.
    @Test(arguments: continuousFamilies)
    func monteCarloAgreesWithTheClosedForm(_ name: String) throws {
        let stream = Philox(seed: 31)
        for pair in 0..<5 {
            let words = (0..<3).map { stream.singleWord(index: UInt64(3 * pair + $0), stream: 0) }
            let uniform = words.map { Double($0 >> 11) / Double(1 << 53) }
            // Scales within a factor of 2 of 1: a p much narrower than q gives k1 a
            // log-ratio so skewed (a narrow Gumbel p's e^(−x/β)) that n = 1e5 draws
            // run low, and kl_mc says so with its z against the closed form.
            let (a, b) = (Foundation.pow(2, 2 * uniform[0] - 1), Foundation.pow(2, 2 * uniform[1] - 1))
            let (q, p) = try Self.continuousPair(name, a, b, 6 * uniform[2] - 3)
            let exact = try Self.kl(q, p)
            let m = try MonteCarloEngine(q: q, p: p).run(
                n: 100_000, estimators: [.k1], generator: Philox(seed: UInt64(pair + 1)), start: 0
            ).moments[0][0]
            // A constant log-ratio (Uniform q inside Uniform p) has no spread: then exactly.
            let z = m.standardError > 0 ? (m.mean - exact) / m.standardError : (m.mean - exact) / (1e-12 * exact)
            #expect(Swift.abs(z) <= 4.5, "\(name)(\(a), \(b)): \(m.mean) ± \(m.standardError) against \(exact)")
        }
    }

    /// Heavy and light tails out to ±1e300: the cdf stays in [0, 1] and never
    /// decreases; logpdf is finite in the support and equals log(pdf) wherever
    /// pdf is a normal number.
    @Test(arguments: ["StudentT", "Cauchy", "Normal", "Laplace", "Logistic", "Gumbel"])
    func tailsOutToTheEdgeOfTheDoubles(_ name: String) async {
        await propertyCheck(
            count: 300, input: Gen.double(in: -300...300), Gen.double(in: -300...300), Gen.double(in: -1...1.5)
        ) { xe, ye, dfExponent in
            let d: any Distribution
            switch name {
            case "StudentT": d = try Self.make(StudentTFamily.self, [Foundation.pow(10, dfExponent), 0, 2])
            case "Cauchy": d = try Self.make(CauchyFamily.self, [0, 2])
            case "Normal": d = try Self.make(NormalFamily.self, [0, 2])
            case "Laplace": d = try Self.make(LaplaceFamily.self, [0, 2])
            case "Logistic": d = try Self.make(LogisticFamily.self, [0, 2])
            default: d = try Self.make(GumbelFamily.self, [0, 2])
            }
            let (x, y) = (Foundation.copysign(Foundation.pow(10, Swift.abs(xe)), xe), Foundation.pow(10, ye / 300 * 3))
            let points = [x, x + y].sorted()
            let cdf = try d.cdf(try Tensor(points))
            #expect(cdf[flat: 0] >= 0 && cdf[flat: 1] <= 1 && cdf[flat: 0] <= cdf[flat: 1], "\(name) cdf at \(points)")
            let logDensity = try d.logpdf(Tensor(scalar: x))[flat: 0]
            #expect(!logDensity.isNaN && logDensity < .infinity, "\(name) logpdf(\(x)) = \(logDensity)")
            let density = Foundation.exp(logDensity)
            if density.isNormal {
                #expect(Swift.abs(Foundation.log(density) - logDensity) <= 1e-12 * Swift.max(1, Swift.abs(logDensity)))
            }
            if name == "StudentT" || name == "Cauchy" { #expect(logDensity.isFinite, "\(name) logpdf(\(x))") }
        }
    }
}
