import Foundation
import KLSTensor

/// The beta distribution on [0, 1] with density ∝ x^(a−1) (1−x)^(b−1).
public enum BetaFamily: ScalarFamily {
    public static let name = "Beta"
    public static let parameterNames = ["a", "b"]
    public static let parameterMeanings = ["the shape α > 0 (the mean is α/(α+β))", "the shape β > 0"]
    public static let summary = "Beta(a, b) on [0, 1]."
    public static let example = "Beta(2, 5)"

    /// One distribution's parameters, by name.
    public struct Parameters: Sendable {
        public var a: Double
        public var b: Double

        public init(a: Double, b: Double) {
            self.a = a
            self.b = b
        }
    }

    @inline(__always)
    public static func parameters(_ values: [Tensor], at i: Int) -> Parameters {
        Parameters(a: values[0][flat: i], b: values[1][flat: i])
    }
    public static let tag: UInt32 = FamilyStream.beta.tag

    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        if !(t.a > 0 && t.a.isFinite) { return ("a", "finite and > 0", t.a) }
        if !(t.b > 0 && t.b.isFinite) { return ("b", "finite and > 0", t.b) }
        return nil
    }

    public static func logpdf(_ x: Double, _ t: Parameters) -> Double {
        if x.isNaN { return .nan }
        if x < 0 || x > 1 { return -.infinity }
        if Swift.min(t.a, t.b) >= SpecialFunctions.stirlingThreshold, x > 0, x < 1 {
            // Each term is ~a log a; the prefix form keeps the digits of their O(1) sum.
            return SpecialFunctions.logBetaPrefix(x, t.a, t.b) - Foundation.log(x) - Foundation.log1p(-x)
        }
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

    public static func entropy(_ t: Parameters) -> Double {
        SpecialFunctions.betaEntropy(t.a, t.b)
    }

    public static func mean(_ t: Parameters) -> Double { t.a / (t.a + t.b) }
    public static func variance(_ t: Parameters) -> Double { t.a * t.b / ((t.a + t.b) * (t.a + t.b) * (t.a + t.b + 1)) }
    public static func support(_ t: Parameters) -> ClosedRange<Double> { 0...1 }
}

extension BetaFamily: FirstAttemptFamily {
    public static func parameters(_ first: Double, _ second: Double, _ third: Double) -> Parameters {
        Parameters(a: first, b: second)
    }

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
                for l in 0..<8 { value[l] = logpdf(x[l], Parameters(a: a[l], b: b[l])) }
                return value
            }
            let constant = cache.value(a, b, lanes: { -SpecialFunctions.logBeta($0, $1) })
            return (a - 1) * VectorMath.log(x) + (b - 1) * VectorMath.log1p(-x) + constant
        }
    }
}

public typealias Beta = ScalarDistribution<BetaFamily>
