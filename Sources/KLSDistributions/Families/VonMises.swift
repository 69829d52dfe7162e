import Foundation
import KLSDiagnostics
import KLSTensor

/// The von Mises distribution, the normal law of angles: density
/// e^(κ cos(x − μ)) / (2π I₀(κ)), periodic in x; draws and the support are
/// [−π, π], as PyTorch's. Its mean is the circular mean μ and its variance
/// PyTorch's circular variance 1 − I₁(κ)/I₀(κ). Draws come from Best and
/// Fisher's (1979) rejection sampler, so it has no pathwise gradient (nor has
/// PyTorch's); densities, entropy and KL differentiate.
public enum VonMisesFamily: ScalarFamily {
    public static let name = "VonMises"
    public static let parameterNames = ["loc", "concentration"]
    public static let parameterMeanings = [
        "the mean direction μ (radians)", "the concentration κ > 0 (1/κ ≈ a variance)",
    ]
    public static let summary =
        "VonMises(loc, concentration): angles in [−π, π], density ∝ e^(κ cos(x − loc))."
    public static let example = "VonMises(0, 2)"
    public static let tag = FamilyStream.named(name)

    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        if !t.loc.isFinite { return ("loc", "finite", t.loc) }
        if !(t.concentration > 0 && t.concentration.isFinite) {
            return ("concentration", "finite and > 0", t.concentration)
        }
        return nil
    }

    /// κ (cos(x − μ) − 1) − log(2π) − log(I₀(κ) e^(−κ)): the exponent is ≤ 0, so
    /// a large κ does not overflow.
    public static func logDensity<N: FormulaNumber>(_ x: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        // κ(cos(x − μ) − 1) as −κ·versine, and log I₀(κ) − κ in one piece: each keeps its
        // digits near the mode and for κ to 1e308.
        let scaled = try N.logBesselI0Scaled(t.concentration)
        return try -t.concentration * N.versine(x - t.loc) - Foundation.log(2 * Double.pi) - scaled
    }

    /// The density is periodic: only NaN and ±inf are outside it.
    public static func logpdfOutside(_ x: Double, _ t: Parameters) -> Double? { x.isFinite ? nil : .nan }

    /// ∫ from −π to x of the density, by its Fourier series
    /// (x + π)/2π + (1/π) Σ Aₙ (sin n(x − μ) + sin n(π + μ))/n, Aₙ = Iₙ(κ)/I₀(κ);
    /// below 10⁻³, where that series' absolute accuracy is not enough, and for
    /// κ > 10⁵, where it needs too many terms, by adaptive Gauss–Kronrod.
    public static func cdf(_ x: Double, _ t: Parameters) -> Double {
        guard x > -Double.pi else { return x.isNaN ? .nan : 0 }
        guard x < Double.pi else { return 1 }
        if t.concentration <= 1e5 {
            var sum = 0.0
            for (k, ratio) in besselRatios(t.concentration).enumerated() {
                let n = Double(k + 1)
                sum += ratio * (Foundation.sin(n * (x - t.loc)) + Foundation.sin(n * (Double.pi + t.loc))) / n
            }
            let series = (x + Double.pi) / (2 * Double.pi) + sum / Double.pi
            if series >= 1e-3 { return Swift.min(1, series) }
        }
        return integratedCDF(x, t)
    }

    /// Iₙ(κ)/I₀(κ) for n = 1, 2, … while it exceeds 10⁻¹⁸, by Miller's backward
    /// recurrence Iₙ₋₁/Iₙ = 2n/κ + Iₙ₊₁/Iₙ, started well beyond the last one kept.
    static func besselRatios(_ kappa: Double) -> [Double] {
        let count = Int((80 * Swift.max(kappa, 1)).squareRoot()) + 30
        var successive = [Double](repeating: 0, count: count + 1)  // Iₙ/Iₙ₋₁
        var next = 0.0
        for n in stride(from: count + 20, through: 1, by: -1) {
            next = 1 / (2 * Double(n) / kappa + next)
            if n <= count { successive[n] = next }
        }
        var ratios: [Double] = []
        var product = 1.0
        for n in 1...count {
            product *= successive[n]
            if product < 1e-18 { break }
            ratios.append(product)
        }
        return ratios
    }

    /// The cdf by adaptive Gauss–Kronrod, split at the mode: relative accuracy in the far tail.
    static func integratedCDF(_ x: Double, _ t: Parameters) -> Double {
        let mode = Foundation.remainder(t.loc, 2 * Double.pi)
        let cuts = [-Double.pi, mode, x].filter { $0 >= -Double.pi && $0 <= x }.sorted()
        var pieces: [(lo: Double, hi: Double)] = []
        for (lo, hi) in zip(cuts, cuts.dropFirst()) where hi > lo { pieces.append((lo, hi)) }
        var rule = GaussKronrod { y throws(KLSError) in Foundation.exp(logpdf(y, t)) }
        let total = try? rule.adaptive(pieces) { 1e-13 * Swift.abs($0) }
        return Swift.min(1, Swift.max(0, total?.value ?? .nan))
    }

    /// Best & Fisher: a wrapped-Cauchy envelope of parameter r, accepted with
    /// the test of their paper, then wrapped into [−π, π).
    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        var random = DrawRandom(generator, index: index, tag: tag)
        let kappa = t.concentration
        // ρ = (τ − √(2τ))/(2κ), τ = 1 + √(1 + 4κ²), as 2κ/(τ + √(2τ)): no cancellation for small κ.
        let tau = 1 + (1 + 4 * kappa * kappa).squareRoot()
        let rho = 2 * kappa / (tau + (2 * tau).squareRoot())
        let r = (1 + rho * rho) / (2 * rho)
        var f = 1.0
        for _ in 0..<10_000 {
            let z = Foundation.cos(Double.pi * random.uniform())
            f = (1 + r * z) / (r + z)
            let c = kappa * (r - f)
            let u = random.openUniform()
            if c * (2 - c) - u > 0 || Foundation.log(c / u) + 1 - c >= 0 { break }
        }
        let angle = (random.uniform() < 0.5 ? -1 : 1) * Foundation.acos(Swift.min(1, Swift.max(-1, f)))
        return Foundation.remainder(angle + t.loc, 2 * Double.pi)
    }

    /// log(2π I₀(κ)) − κ I₁(κ)/I₀(κ).
    public static func entropy<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try Foundation.log(2 * Double.pi) + N.logBesselI0(t.concentration)
            - t.concentration * N.besselRatio(t.concentration)
    }
    public static func mean<N: FormulaNumber>(_ t: ParameterValues<Self, N>) -> N { t.loc }
    /// The circular variance 1 − I₁(κ)/I₀(κ) (PyTorch's `variance`).
    public static func variance<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try 1 - N.besselRatio(t.concentration)
    }
    public static func support(_ t: Parameters) -> ClosedRange<Double> { -Double.pi...Double.pi }
}

extension ParameterValues where F == VonMisesFamily {
    public var loc: N { first }
    public var concentration: N { second }
}

extension VonMisesFamily: ClosedFormKLFamily {
    /// log I₀(κp) − log I₀(κq) + A(κq)(κq − κp cos(μq − μp)), A = I₁/I₀, as
    /// G(κq, κp) + A(κq)·κp·(1 − cos(μq − μp)): the concentrations' gap G
    /// (`logBesselI0Gap`) and the versine, each ≥ 0, so near-equal pairs and
    /// concentrations of 1e10 keep their digits.
    public static func kl<N: FormulaNumber>(_ q: ParameterValues<Self, N>, _ p: ParameterValues<Self, N>) throws(N
        .Failure) -> N
    {
        let gap = try N.logBesselI0Gap(q.concentration, p.concentration)
        return try gap + N.besselRatio(q.concentration) * p.concentration * N.versine(q.loc - p.loc)
    }
}

public typealias VonMises = ScalarDistribution<VonMisesFamily>

/// T = (cos x, sin x), η = κ(cos loc, sin loc), A = log 2π + log I₀(|η|).
extension VonMisesFamily: ExponentialFamilyForm {
    public static func naturalParameters(_ t: Parameters) -> [Double]? {
        [t.concentration * Foundation.cos(t.loc), t.concentration * Foundation.sin(t.loc)]
    }

    public static func logPartition(_ eta: [Double], base t: Parameters) -> Double {
        {
            let r = (eta[0] * eta[0] + eta[1] * eta[1]).squareRoot()
            return Foundation.log(2 * Double.pi) + Double.logBesselI0Scaled(r) + r
        }()
    }
}
