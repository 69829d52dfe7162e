import Foundation
import KLSDiagnostics
import KLSTensor

/// The beta distribution on [0, 1] with density ∝ x^(a−1) (1−x)^(b−1).
public enum BetaFamily: ScalarFamily {
    public static let name = "Beta"
    public static let parameterNames = ["a", "b"]
    public static let parameterMeanings = ["the shape α > 0 (the mean is α/(α+β))", "the shape β > 0"]
    public static let summary = "Beta(a, b) on [0, 1]."
    public static let example = "Beta(2, 5)"

    public static let tag: UInt32 = FamilyStream.beta.tag

    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        if !(t.a > 0 && t.a.isFinite) { return ("a", "finite and > 0", t.a) }
        if !(t.b > 0 && t.b.isFinite) { return ("b", "finite and > 0", t.b) }
        return nil
    }

    /// For large a and b each term is ~a log a: the prefix form keeps the digits of their O(1) sum.
    public static func logDensity<N: FormulaNumber>(_ x: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let (logX, log1mX) = (try N.log(x), try N.log1p(-x))
        func textbook() throws(N.Failure) -> N { try (t.a - 1) * logX + (t.b - 1) * log1mX - N.logBeta(t.a, t.b) }
        func prefixed() throws(N.Failure) -> N { try N.logBetaPrefix(x, t.a, t.b) - logX - log1mX }
        let smaller = try N.choose(t.a - t.b, { $0 < 0 }, t.a, t.b)
        let large = { (s: Double) in s >= SpecialFunctions.stirlingThreshold }
        return try N.piecewise(
            smaller, large, inside: { _ throws(N.Failure) in try prefixed() },
            outside: { _ throws(N.Failure) in try textbook() })
    }

    /// The ends, where (a − 1) log x is 0·∞ for a = 1.
    public static func logpdfOutside(_ x: Double, _ t: Parameters) -> Double? {
        if x.isNaN { return .nan }
        if x < 0 || x > 1 { return -.infinity }
        guard x == 0 || x == 1 else { return nil }
        let left = t.a == 1 ? 0 : (t.a - 1) * Foundation.log(x)
        let right = t.b == 1 ? 0 : (t.b - 1) * Foundation.log1p(-x)
        return left + right - SpecialFunctions.logBeta(t.a, t.b)
    }

    public static func cdf(_ x: Double, _ t: Parameters) -> Double { SpecialFunctions.regularizedBeta(x, t.a, t.b) }

    /// X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
    public static func sample(_ generator: Philox, _ index: UInt64, _ t: Parameters) -> Double {
        var random = DrawRandom(generator, index: index, tag: tag)
        let x = random.gamma(t.a)
        let y = random.gamma(t.b)
        // Both gammas can underflow to 0 for tiny a and b: the draw is then at the
        // end whose gamma is larger.
        let ratio = x + y > 0 ? x / (x + y) : (x >= y ? 1 : 0)
        return Support.open(ratio, above: 0, below: 1)
    }

    public static func entropy<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try N.betaEntropy(t.a, t.b)
    }
    public static func mean<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        try t.a / (t.a + t.b)
    }
    public static func variance<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure) -> N {
        let total = try t.a + t.b
        return try t.a * t.b / (total * total * (total + 1))
    }
    public static func support(_ t: Parameters) -> ClosedRange<Double> { 0...1 }
}

extension ParameterValues where F == BetaFamily {
    public var a: N { first }
    public var b: N { second }
}

extension BetaFamily: FirstAttemptFamily {
    /// Eight draws at a time (`FirstAttemptFamily`).
    public static func sample(
        _ generator: Philox, start: UInt64, count: Int, parameters: ParameterRuns,
        into out: UnsafeMutablePointer<Double>
    ) {
        sampleByFirstAttempts(generator, start: start, count: count, parameters: parameters, into: out)
    }

    /// X/(X + Y) from Marsaglia–Tsang's first attempts eight draws at a time
    /// (Y's words follow X's, as the scalar sampler takes them); a or b below
    /// 1 and rejected lanes go through `sample(_:_:_:)`.
    @inline(__always)
    static func firstAttempt(
        _ words: inout VectorGamma, _ a: VectorMath.Vector, _ b: VectorMath.Vector, _: VectorMath.Vector
    ) -> (VectorMath.Vector, VectorGamma.Mask) {
        let (x, acceptedX) = words.gamma(a)
        let (y, acceptedY) = words.gamma(b)
        let ratio = x / (x + y)
        let (lowest, highest) = (VectorMath.Vector(repeating: .leastNormalMagnitude), 1 - Double.ulpOfOne / 2)
        let above = VectorMath.select(ratio .< lowest, lowest, ratio)
        let draw = VectorMath.select(above .> highest, VectorMath.Vector(repeating: highest), above)
        return (draw, acceptedX .& acceptedY)
    }

    static let padding = (1.0, 1.0, 1.0)

    /// Vectors inside (0, 1) with a or b below the Stirling regime take
    /// (a − 1) log x + (b − 1) log(1 − x) − log B(a, b) (the last once per
    /// distinct vector of parameters); others go element by element.
    public static func logpdf(
        _ x: UnsafePointer<Double>, count: Int, parameters: ParameterRuns, into out: UnsafeMutablePointer<Double>
    ) {
        var cache = ConstantCache()
        parameters.map(x, count: count, into: out, padding: (0.5, 1, 1, 1)) { x, a, b, _ in
            let small = VectorMath.select(b .< a, b, a) .< SpecialFunctions.stirlingThreshold
            guard VectorMath.all((x .> 0) .& (x .< 1) .& small) else {
                var value = VectorMath.Vector()
                for l in 0..<8 { value[l] = logpdf(x[l], Parameters(a[l], b[l], 0)) }
                return value
            }
            let constant = cache.value(a, b, lanes: { -SpecialFunctions.logBeta($0, $1) })
            return (a - 1) * VectorMath.log(x) + (b - 1) * VectorMath.log1p(-x) + constant
        }
    }
}

/// ε is the family's own draw, differentiated implicitly in both parameters.
extension BetaFamily: OwnDrawsFamily {
    public static let implicitParameters = [0, 1]
    public static func implicitSlopes(_ epsilon: Double, _ t: Parameters) -> [Double] {
        let (da, db) = ImplicitReparameterisation.beta(epsilon, t.a, t.b)
        return [da, db]
    }
}

extension BetaFamily: ClosedFormKLFamily {
    /// ln B(ap,bp) − ln B(aq,bq) + (aq−ap)ψ(aq) + (bq−bp)ψ(bq) + (ap−aq+bp−bq)ψ(aq+bq):
    /// the log Γ gaps of a and b less that of a + b — or, for a q more than twice
    /// as concentrated as p (aq + bq > 2(ap + bp)), −H(q) − E_q[log p].
    public static func kl<N: FormulaNumber>(_ q: ParameterValues<Self, N>, _ p: ParameterValues<Self, N>) throws(N
        .Failure) -> N
    {
        let (da, db) = (try p.a - q.a, try p.b - q.b)
        let (cq, cp) = (try q.a + q.b, try p.a + p.b)
        func gaps() throws(N.Failure) -> N {
            let sides = try N.logGammaGap(q.a, p.a, difference: da) + N.logGammaGap(q.b, p.b, difference: db)
            // The sums' difference from the shapes' (exact when they are close), not from the rounded sums.
            return try sides - N.logGammaGap(cq, cp, difference: da + db)
        }
        // −H(q) − E_q[log p], E_q[log x] = ψ(aq) − ψ(cq): for a q much more
        // concentrated than p, whose gaps are each ~cq and cancel to O(1).
        func entropies() throws(N.Failure) -> N {
            let logs =
                try (p.a - 1) * N.digammaDifference(q.a, cq, difference: q.b)
                + (p.b - 1) * N.digammaDifference(q.b, cq, difference: q.a)
            return try logs + N.logBeta(p.a, p.b) - N.betaEntropy(q.a, q.b)
        }
        let isConcentrated: (Double) -> Bool = { $0 > 0 }
        return try N.piecewise(
            cq - 2 * cp, isConcentrated, inside: { _ throws(N.Failure) in try entropies() },
            outside: { _ throws(N.Failure) in try gaps() })
    }
}

public typealias Beta = ScalarDistribution<BetaFamily>

/// T = (log x, log(1 − x)), η = (a − 1, b − 1), A = log B(η₁ + 1, η₂ + 1).
extension BetaFamily: ExponentialFamilyForm {
    public static func naturalParameters(_ t: Parameters) -> [Double]? {
        [t.a - 1, t.b - 1]
    }

    public static func logPartition(_ eta: [Double], base t: Parameters) -> Double {
        eta[0] > -1 && eta[1] > -1 ? Double.logBeta(eta[0] + 1, eta[1] + 1) : .infinity
    }
}
