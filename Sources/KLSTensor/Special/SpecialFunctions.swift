import Foundation

/// Scalar special functions that neither Foundation nor swift-numerics provides,
/// written for accuracy at the edges (overflow, cancellation near roots).
public enum SpecialFunctions {
    /// The logistic function 1/(1+e^−x), evaluated so that neither branch overflows.
    /// The Euler–Mascheroni constant γ = −ψ(1).
    public static let eulerGamma = 0.57721566490153286

    @inlinable public static func sigmoid(_ x: Double) -> Double {
        if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
        let e = Foundation.exp(x)
        return e / (1 + e)
    }

    /// softplus(x) = log(1 + e^x) without overflow for large x or loss of
    /// precision for very negative x: max(x, 0) + log1p(e^−|x|).
    @inlinable public static func softplus(_ x: Double) -> Double {
        if x.isNaN { return x }
        return Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x)))
    }

    /// ψ(x) = d/dx log Γ(x), accurate to about 1e-15 relative for x > 0.
    ///
    /// Edge cases follow SciPy: ψ(±0) = ∓inf, ψ(negative integer) = nan,
    /// ψ(inf) = inf, ψ(−inf) = nan. Near the positive root x₀ ≈ 1.4616 a Taylor
    /// series around x₀ keeps relative accuracy where the recurrence would cancel;
    /// negative x uses the reflection ψ(1−x) − π/tan(πx).
    public static func digamma(_ x: Double) -> Double {
        if x.isNaN || x == -.infinity { return .nan }
        if x == .infinity { return .infinity }
        if x == 0 { return x.sign == .minus ? .infinity : -.infinity }
        if x < 0 {
            if x == x.rounded(.down) { return .nan }
            // π/tan(πx) computed from the fractional part keeps accuracy for large |x|.
            let fraction = x - x.rounded(.down)
            return digamma(1 - x) - Double.pi / Foundation.tan(Double.pi * fraction)
        }
        let g = (x - rootHigh) - rootLow
        if Swift.abs(g) < 0.25 {
            var sum = 0.0
            for c in rootSeries.reversed() { sum = sum * g + c }
            return sum * g
        }
        var value = 0.0
        var y = x
        while y < 10 {
            value -= 1 / y
            y += 1
        }
        // Asymptotic series: ψ(y) ~ log y − 1/(2y) − Σ B₂ₖ/(2k y²ᵏ).
        let inverseSquare = 1 / (y * y)
        var tail = 0.0
        for c in asymptoticSeries.reversed() { tail = tail * inverseSquare + c }
        return value + Foundation.log(y) - 0.5 / y - tail * inverseSquare
    }

    /// ψ′(x) = d²/dx² log Γ(x) (trigamma), accurate to about 1e-15 relative for x > 0.
    ///
    /// Edge cases follow SciPy's `polygamma(1, x)`: ψ′(0) = inf, ψ′(negative
    /// integer) = nan, ψ′(inf) = 0. For x > 0 the recurrence ψ′(x) = ψ′(x + 1) +
    /// 1/x² climbs to 10, where the asymptotic series 1/y + 1/2y² + Σ B₂ₖ/y²ᵏ⁺¹
    /// has reached double precision; negative x uses the reflection
    /// ψ′(1 − x) + ψ′(x) = π²/sin²(πx).
    public static func trigamma(_ x: Double) -> Double {
        if x.isNaN || x == -.infinity { return .nan }
        if x == .infinity { return 0 }
        if x == 0 { return .infinity }
        if x < 0 {
            if x == x.rounded(.down) { return .nan }
            let fraction = x - x.rounded(.down)
            let s = Foundation.sin(Double.pi * fraction)
            return Double.pi * Double.pi / (s * s) - trigamma(1 - x)
        }
        var value = 0.0
        var y = x
        while y < 10 {
            value += 1 / (y * y)
            y += 1
        }
        let inverseSquare = 1 / (y * y)
        var tail = 0.0
        for c in trigammaSeries.reversed() { tail = tail * inverseSquare + c }
        return value + (1 + 0.5 / y + tail * inverseSquare) / y
    }

    /// B₂ₖ for k = 1…7: the coefficients of 1/y²ᵏ⁺¹ in trigamma's asymptotic series.
    static let trigammaSeries: [Double] = [
        1.0 / 6, -1.0 / 30, 1.0 / 42, -1.0 / 30, 5.0 / 66, -691.0 / 2730, 7.0 / 6,
    ]

    /// The positive root of ψ, split into a double and its residual.
    static let rootHigh = 1.4616321449683622
    static let rootLow = 9.549995429965697e-17

    /// B₂ₖ/(2k) for k = 1…7.
    static let asymptoticSeries: [Double] = [
        1.0 / 12, -1.0 / 120, 1.0 / 252, -1.0 / 240, 1.0 / 132, -691.0 / 32760, 1.0 / 12,
    ]

    /// ψ⁽ᵏ⁾(x₀)/k! for k = 1…40, computed with mpmath at 40 digits.
    static let rootSeries: [Double] = [
        0.9676722454476212, -0.4427631689835921, 0.258499760955651, -0.16394270544240652,
        0.10782405069126237, -0.07219956125645471, 0.04880428816414311, -0.03316112647484736,
        0.022597648232218104, -0.01542476590494896, 0.010538791616612175, -0.007204534386356869,
        0.004926781395729853, -0.003369801655439328, 0.002305126326734928, -0.0015769367714301972,
        0.0010788252019162967, -0.0007380709389960052, 0.000504953265834602, -0.0003454680251063077,
        0.00023635601564027053, -0.00016170622091974803, 0.0001106337276874741, -7.569179582195066e-05,
        5.178575795222081e-05, -3.5430070947659604e-05, 2.424006611860132e-05, -1.6584242271854135e-05,
        1.134638458466385e-05, -7.762817668462094e-06, 5.3110609208898636e-06, -3.6336507898010456e-06,
        2.486022733129538e-06, -1.7008538854332607e-06, 1.1636675363548843e-06, -7.96142543124197e-07,
        5.446941930669446e-07, -3.7266161283438227e-07, 2.549626552021554e-07, -1.7443695117727745e-07,
    ]
}
