import Foundation

/// The modified Bessel functions of the first kind that the von Mises family
/// needs — log I₀(x) and I₁(x)/I₀(x) for x ≥ 0 — written once, generic over
/// `FormulaNumber`, so that a traced value differentiates the same formula
/// (d/dx log I₀ = I₁/I₀ follows from the series itself).
///
/// Below `crossover` the power series I₀ = Σ qᵏ/(k!)², I₁ = (x/2) Σ qᵏ/(k!(k+1)!),
/// q = x²/4 (positive terms; 50 of them leave less than 10⁻¹⁸ relative at
/// x = 30); above it Hankel's asymptotic expansion
/// I_ν(x) ≈ eˣ/√(2πx) Σ (−1)ᵏ aₖ(ν)/xᵏ, whose 20 terms leave less than 10⁻¹⁷
/// at x = 30 (Abramowitz & Stegun 9.7.1). Checked against mpmath.
public enum ModifiedBessel {
    /// Where the asymptotic expansion takes over.
    public static let crossover = 30.0
    static let seriesTerms = 50
    static let asymptoticTerms = 20

    /// (−1)ᵏ aₖ(ν) = (−1)ᵏ ∏ⱼ (4ν² − (2j − 1)²) / (k! 8ᵏ), for k < `asymptoticTerms`.
    static func hankel(_ nu: Double) -> [Double] {
        var coefficients = [1.0]
        for k in 1..<asymptoticTerms {
            let j = Double(2 * k - 1)
            coefficients.append(-coefficients[k - 1] * (4 * nu * nu - j * j) / (Double(k) * 8))
        }
        return coefficients
    }
    static let hankelI0 = hankel(0)
    static let hankelI1 = hankel(1)

    /// Σ cₖ/xᵏ by Horner's rule in 1/x.
    static func inversePowers<N: FormulaNumber>(_ coefficients: [Double], _ x: N) throws(N.Failure) -> N {
        let inverse = try 1 / x
        var sum = N.constant(coefficients[coefficients.count - 1])
        for c in coefficients.dropLast().reversed() { sum = try sum * inverse + c }
        return sum
    }

    /// log I₀(x) = log1p(Σₖ≥₁ qᵏ/(k!)²).
    public static func logI0Series<N: FormulaNumber>(_ x: N) throws(N.Failure) -> N {
        let q = try x * x / 4
        var (term, sum) = (q, q)
        for k in 2...seriesTerms {
            term = try term * q / Double(k * k)
            sum = try sum + term
        }
        return try N.log1p(sum)
    }

    /// log I₀(x) = x − ½ log(2πx) + log Σ (−1)ᵏ aₖ(0)/xᵏ.
    public static func logI0Asymptotic<N: FormulaNumber>(_ x: N) throws(N.Failure) -> N {
        // log 2π + log x: 2πx itself overflows from x = 2.9e307.
        try x - 0.5 * (N.log(x) + Foundation.log(2 * Double.pi)) + N.log(inversePowers(hankelI0, x))
    }

    /// I₁/I₀ = (x/2) Σ qᵏ/(k!(k+1)!) / Σ qᵏ/(k!)².
    public static func ratioSeries<N: FormulaNumber>(_ x: N) throws(N.Failure) -> N {
        let q = try x * x / 4
        var (first, zeroth) = (N.constant(1), N.constant(1))
        var (termFirst, termZeroth) = (N.constant(1), N.constant(1))
        for k in 1...seriesTerms {
            termFirst = try termFirst * q / Double(k * (k + 1))
            termZeroth = try termZeroth * q / Double(k * k)
            first = try first + termFirst
            zeroth = try zeroth + termZeroth
        }
        return try x / 2 * first / zeroth
    }

    /// I₁/I₀ = Σ (−1)ᵏ aₖ(1)/xᵏ / Σ (−1)ᵏ aₖ(0)/xᵏ.
    public static func ratioAsymptotic<N: FormulaNumber>(_ x: N) throws(N.Failure) -> N {
        try inversePowers(hankelI1, x) / inversePowers(hankelI0, x)
    }

    /// x where the series applies, else a stand-in inside its range, and the
    /// other way round: each branch of the formula stays finite where it is not
    /// taken (the series overflows far out), so its zero gradient stays 0.
    static func branches<N: FormulaNumber>(_ x: N) throws(N.Failure) -> (series: N, asymptotic: N) {
        let series = try N.choose(x, { $0 < crossover }, x, .constant(1))
        let asymptotic = try N.choose(x, { $0 < crossover }, .constant(crossover), x)
        return (series, asymptotic)
    }
}

extension FormulaNumber {
    public static func logBesselI0(_ x: Self) throws(Failure) -> Self {
        let (small, large) = try ModifiedBessel.branches(x)
        let (series, asymptotic) = (try ModifiedBessel.logI0Series(small), try ModifiedBessel.logI0Asymptotic(large))
        return try choose(x, { $0 < ModifiedBessel.crossover }, series, asymptotic)
    }

    /// log I₀(x) − x, the log of the exponentially scaled I₀ (SciPy's `i0e`):
    /// above the crossover −½ log 2πx + log Σ (−1)ᵏ aₖ(0)/xᵏ directly, since
    /// x − ½ log 2πx rounds back to x from about 1e16.
    public static func logBesselI0Scaled(_ x: Self) throws(Failure) -> Self {
        let (small, large) = try ModifiedBessel.branches(x)
        let series = try ModifiedBessel.logI0Series(small) - small
        let asymptotic =
            try -0.5 * (log(large) + Foundation.log(2 * Double.pi))
            + log(ModifiedBessel.inversePowers(ModifiedBessel.hankelI0, large))
        return try choose(x, { $0 < ModifiedBessel.crossover }, series, asymptotic)
    }

    public static func besselRatio(_ x: Self) throws(Failure) -> Self {
        let (small, large) = try ModifiedBessel.branches(x)
        let (series, asymptotic) = (try ModifiedBessel.ratioSeries(small), try ModifiedBessel.ratioAsymptotic(large))
        return try choose(x, { $0 < ModifiedBessel.crossover }, series, asymptotic)
    }
}
