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
}
