import Foundation

/// All the randomness of one draw: a private supply of uniform words taken from
/// Philox blocks `(index, tag, attempt 0, 1, …)`.
///
/// Samplers that need a variable number of variates per draw (gamma by
/// rejection, Student t, beta) take them from here, so draw `index` depends
/// only on the seed, the index and the tag — never on how many variates other
/// draws consumed, or on chunking and threads.
public struct DrawRandom {
    var words: WordSupply

    /// The supply for draw `index` of `generator`, in the stream named by `tag`.
    public init(_ generator: Philox, index: UInt64, tag: UInt32) {
        words = WordSupply(generator, index: index, stream: tag)
    }

    /// The next 64 random bits.
    public mutating func word() -> UInt64 {
        words.next()
    }

    /// A uniform double in [0, 1).
    public mutating func uniform() -> Double {
        Philox.unit(word())
    }

    /// A uniform double in (0, 1), safe to take the log of.
    public mutating func openUniform() -> Double {
        Philox.openUnit(word())
    }

    /// A standard normal variate: `NormalSampler`'s ziggurat on this draw's
    /// own words (one word for 99.6% of variates).
    public mutating func normal() -> Double {
        let first = words.next()
        return NormalSampler.ziggurat(first: first, then: &words)
    }

    /// A Gamma(shape, 1) variate: Marsaglia & Tsang (2000), with the
    /// shape < 1 boost Gamma(a) = Gamma(a + 1) · U^(1/a).
    public mutating func gamma(_ shape: Double) -> Double {
        if shape < 1 {
            let boost = Foundation.pow(openUniform(), 1 / shape)
            return gamma(shape + 1) * boost
        }
        let d = shape - 1.0 / 3
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0
            var v = 0.0
            repeat {
                x = normal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = openUniform()
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if Foundation.log(u) < 0.5 * x * x + d * (1 - v + Foundation.log(v)) { return d * v }
        }
    }

    /// A Poisson(rate) count: inversion by sequential search below rate 10,
    /// Hörmann's transformed rejection with squeeze (PTRS, 1993) above — the
    /// pair NumPy uses. The count is exact in distribution for any rate.
    public mutating func poisson(_ rate: Double) -> Double {
        guard rate > 0 else { return 0 }
        guard rate >= 10 else {
            var (k, mass) = (0.0, Foundation.exp(-rate))
            var (total, u) = (mass, uniform())
            while u > total && mass > 0 {
                k += 1
                mass *= rate / k
                total += mass
            }
            return k
        }
        let root = rate.squareRoot()
        let logRate = Foundation.log(rate)
        let b = 0.931 + 2.53 * root
        let a = -0.059 + 0.02483 * b
        let inverseAlpha = 1.1239 + 1.1328 / (b - 3.4)
        let vr = 0.9277 - 3.6224 / (b - 2)
        while true {
            let u = uniform() - 0.5
            let v = openUniform()
            let us = 0.5 - Swift.abs(u)
            let k = ((2 * a / us + b) * u + rate + 0.43).rounded(.down)
            if us >= 0.07 && v <= vr { return k }
            if k < 0 || (us < 0.013 && v > us) { continue }
            let logAcceptance = Foundation.log(v) + Foundation.log(inverseAlpha) - Foundation.log(a / (us * us) + b)
            if logAcceptance <= -rate + k * logRate - Double.logGamma(k + 1) { return k }
        }
    }

    /// A Binomial(n, p) count: inversion by sequential search when n·min(p, 1 − p)
    /// is below 10, Hörmann's transformed rejection (BTRS, 1993) above, for
    /// p ≤ ½ (a larger p counts the failures instead).
    public mutating func binomial(_ n: Double, _ p: Double) -> Double {
        guard p > 0, n > 0 else { return 0 }
        guard p < 1 else { return n }
        if p > 0.5 { return n - binomial(n, 1 - p) }
        let q = 1 - p
        guard n * p >= 10 else {
            var (k, mass) = (0.0, Foundation.exp(n * Foundation.log1p(-p)))
            var (total, u) = (mass, uniform())
            let odds = p / q
            while u > total && k < n && mass > 0 {
                mass *= (n - k) / (k + 1) * odds
                k += 1
                total += mass
            }
            return k
        }
        let spq = (n * p * q).squareRoot()
        let b = 1.15 + 2.53 * spq
        let a = -0.0873 + 0.0248 * b + 0.01 * p
        let c = n * p + 0.5
        let vr = 0.92 - 4.2 / b
        let alpha = (2.83 + 5.1 / b) * spq
        let logOdds = Foundation.log(p / q)
        let m = ((n + 1) * p).rounded(.down)
        let h = Double.logGamma(m + 1) + Double.logGamma(n - m + 1)
        while true {
            let u = uniform() - 0.5
            let v = openUniform()
            let us = 0.5 - Swift.abs(u)
            let k = ((2 * a / us + b) * u + c).rounded(.down)
            if k < 0 || k > n { continue }
            if us >= 0.07 && v <= vr { return k }
            let logAcceptance = Foundation.log(v * alpha / (a / (us * us) + b))
            if logAcceptance <= h - Double.logGamma(k + 1) - Double.logGamma(n - k + 1) + (k - m) * logOdds {
                return k
            }
        }
    }
}
