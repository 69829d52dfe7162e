import Foundation

/// log I₀(y) − log I₀(x) − (y − x)·I₁(x)/I₀(x): the part of KL between two von
/// Mises distributions that depends on their concentrations. It is
/// O((y − x)²·A′) while each term is ~y, so near-equal concentrations (or two
/// of 1e10) leave nothing of the textbook difference. With A = I₁/I₀ and
/// log I₀′ = A, Taylor's remainder in integral form gives
/// ∫ₓʸ (y − r) A′(r) dr, which has one sign and no cancellation; it is
/// integrated by 10-point Gauss–Legendre on pieces whose ends differ by at most
/// a factor of 2 (A′ is analytic at distance ≥ 2.4 from the real axis — I₀'s
/// zeros are at ±2.405i… — so each piece's rule is exact to rounding).
extension ModifiedBessel {
    /// Gauss–Legendre nodes on [−1, 1] (the positive half) and their weights.
    static let legendreNodes = [
        0.148_874_338_981_631_2, 0.433_395_394_129_247_2, 0.679_409_568_299_024_4, 0.865_063_366_688_984_5,
        0.973_906_528_517_171_7,
    ]
    static let legendreWeights = [
        0.295_524_224_714_752_9, 0.269_266_719_309_996_4, 0.219_086_362_515_982_0, 0.149_451_349_150_580_6,
        0.066_671_344_308_688_1,
    ]
    /// More pieces than this (ends a factor of 2⁶⁴ apart) and the terms are far
    /// apart too: the difference, with x·A(x) folded into log I₀(x), loses nothing.
    static let maximumPieces = 64

    /// The gap for x, y ≥ 0 (nan for a negative or nan argument).
    public static func logI0Gap(_ x: Double, _ y: Double) -> Double {
        guard x >= 0, y >= 0, x.isFinite, y.isFinite else { return .nan }
        if x == y { return 0 }
        let (low, high) = (Swift.min(x, y), Swift.max(x, y))
        var cuts = [low]
        if low < 1 { cuts.append(Swift.min(1, high)) }
        while cuts[cuts.count - 1] < high, cuts.count <= maximumPieces {
            cuts.append(Swift.min(2 * cuts[cuts.count - 1], high))
        }
        guard cuts[cuts.count - 1] == high else { return farGap(x, y) }
        // |y − r| as the piece's distance from y plus the node's offset within the piece:
        // at a node rounded to the doubles near r, y − r would be off by an ulp of r —
        // most of y − x when the two are close.
        var sum = 0.0
        for (a, b) in zip(cuts, cuts.dropFirst()) where b > a {
            let half = 0.5 * (b - a)
            for (node, weight) in zip(legendreNodes, legendreWeights) {
                for offset in [half * (1 - node), half * (1 + node)] {
                    let (r, distance) = y == high ? (b - offset, (y - b) + offset) : (a + offset, (a - y) + offset)
                    sum += weight * half * distance * ratioDerivative(r)
                }
            }
        }
        return sum
    }

    /// The gap as log I₀(y) − y·A(x) − [log I₀(x) − x·A(x)], the bracket in
    /// one piece for large x (it is −½ log 2πx + O(1), while each term is ~x).
    static func farGap(_ x: Double, _ y: Double) -> Double {
        Double.logBesselI0(y) - y * Double.besselRatio(x) - logI0MinusRatioTimes(x)
    }

    /// log I₀(x) − x·I₁(x)/I₀(x): from the asymptotic series, the scaled
    /// log I₀(x) − x (`logBesselI0Scaled`) plus x(P₀ − P₁)/P₀, where P₀ − P₁
    /// starts at 1/2x — not x(1 − A), whose 1 − A rounds.
    static func logI0MinusRatioTimes(_ x: Double) -> Double {
        guard x >= crossover else { return Double.logBesselI0(x) - x * Double.besselRatio(x) }
        let s = 1 / x
        var (zeroth, difference) = (0.0, 0.0)
        for k in stride(from: asymptoticTerms - 1, through: 0, by: -1) {
            zeroth = zeroth * s + hankelI0[k]
            difference = difference * s + (hankelI0[k] - hankelI1[k])
        }
        return Double.logBesselI0Scaled(x) + x * difference / zeroth
    }

    /// A′(r) for A = I₁/I₀: 1 − A/r − A² from the series below the crossover
    /// (its terms cancel at most a factor of 1,000 there); above it the
    /// derivative of the asymptotic ratio P₁(s)/P₀(s), s = 1/r, whose
    /// numerator P₁′P₀ − P₁P₀′ starts at −½ with no cancellation.
    static func ratioDerivative(_ r: Double) -> Double {
        guard r >= crossover else {
            if r == 0 { return 0.5 }
            let a = Double.besselRatio(r)
            return 1 - a / r - a * a
        }
        let s = 1 / r
        var (p0, d0, p1, d1) = (0.0, 0.0, 0.0, 0.0)
        for k in stride(from: asymptoticTerms - 1, through: 0, by: -1) {
            d0 = d0 * s + p0
            p0 = p0 * s + hankelI0[k]
            d1 = d1 * s + p1
            p1 = p1 * s + hankelI1[k]
        }
        return -s * s * (d1 * p0 - p1 * d0) / (p0 * p0)
    }
}
