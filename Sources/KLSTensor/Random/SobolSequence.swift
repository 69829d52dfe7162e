import CVectorMath
import KLSDiagnostics

/// The Sobol sequence (Joe & Kuo's direction numbers, 32 bits), plain or
/// randomised by a linear matrix scramble and a digital shift (Matoušek 1998;
/// Owen 2003, §4): each dimension's direction numbers multiplied, as vectors of
/// binary digits, by a random lower-triangular matrix with a unit diagonal,
/// then every point XOR-ed with a random word. A randomised point is uniform on
/// the unit cube and the set keeps its balance, so averages over independent
/// scramblings are unbiased and their spread is an honest error.
///
/// Point i is the XOR of the direction numbers at the bits of i's Gray code,
/// so any point is computed from its index (chunks and threads agree), and
/// consecutive points differ by one XOR.
public struct SobolSequence: Sendable {
    /// Dimensions with direction numbers (Sources/CVectorMath/SobolDirections.c).
    public static let maximumDimension = 1024
    /// Points per sequence: indices are 32-bit.
    public static let maximumCount = 1 << 32
    static let bits = 32

    public let dimension: Int
    /// `bits` direction numbers per dimension, dimension-major.
    let directions: [UInt32]
    /// The digital shift of each dimension (0 unscrambled).
    let shift: [UInt32]

    /// The unscrambled sequence, SciPy's `Sobol(d, scramble=False)` (its first point is 0).
    public init(dimension: Int) throws(KLSError) {
        guard dimension >= 1, dimension <= Self.maximumDimension else {
            throw KLSError(
                "Sobol points come in 1 to \(Self.maximumDimension) dimensions, not \(dimension)",
                hint: "the plain sampler has no limit")
        }
        self.dimension = dimension
        directions = (0..<dimension).flatMap(Self.directionNumbers)
        shift = [UInt32](repeating: 0, count: dimension)
    }

    /// Scrambling `replicate` of `generator`: its matrices and shifts come from
    /// that replicate's own Philox words, so replicates are independent.
    public init(dimension: Int, generator: Philox, replicate: Int) throws(KLSError) {
        let plain = try SobolSequence(dimension: dimension)
        let g = generator.derived(replicate)
        var words = RandomWords(generator: g)
        var scrambled = [UInt32](repeating: 0, count: plain.directions.count)
        var shift = [UInt32](repeating: 0, count: dimension)
        for d in 0..<dimension {
            // Row k of the matrix: digit k (bit 31 − k) depends on digits 0 … k,
            // digit k itself always (unit diagonal), the earlier ones at random.
            let rows = (0..<Self.bits).map { k -> UInt32 in
                let above: UInt32 = k == 0 ? 0 : ~UInt32(0) << UInt32(Self.bits - k)
                return (words.next() & above) | (1 << UInt32(Self.bits - 1 - k))
            }
            for j in 0..<Self.bits {
                let v = plain.directions[d * Self.bits + j]
                var digits: UInt32 = 0
                for k in 0..<Self.bits where (rows[k] & v).nonzeroBitCount % 2 == 1 {
                    digits |= 1 << UInt32(Self.bits - 1 - k)
                }
                scrambled[d * Self.bits + j] = digits
            }
            shift[d] = words.next()
        }
        self.dimension = dimension
        self.directions = scrambled
        self.shift = shift
    }

    /// Dimension d's 32 direction numbers, left-aligned (v_j · 2^(31 − j)), by
    /// Bratley and Fox's recurrence from the polynomial and the initial m_k.
    static func directionNumbers(_ d: Int) -> [UInt32] {
        var m = [UInt64](repeating: 1, count: bits)
        if d > 0 {
            let polynomial = UInt64(kls_sobol_polynomial(Int32(d)))
            let degree = 63 - polynomial.leadingZeroBitCount
            for k in 0..<degree { m[k] = UInt64(kls_sobol_initial(Int32(d), Int32(k))) }
            for j in degree..<bits {
                var next = m[j - degree]
                for k in 0..<degree where (polynomial >> UInt64(degree - 1 - k)) & 1 == 1 {
                    next ^= m[j - k - 1] << UInt64(k + 1)
                }
                m[j] = next
            }
        }
        return (0..<bits).map { UInt32(truncatingIfNeeded: m[$0] << UInt64(bits - 1 - $0)) }
    }

    /// The 32-bit digits of point `index` in every dimension.
    func word(_ index: Int, into x: inout [UInt32]) {
        let gray = UInt32(truncatingIfNeeded: index ^ (index >> 1))
        for d in 0..<dimension { x[d] = shift[d] }
        var bits = gray
        while bits != 0 {
            let j = bits.trailingZeroBitCount
            bits &= bits - 1
            for d in 0..<dimension { x[d] ^= directions[d * Self.bits + j] }
        }
    }

    /// Points `start ..< start + count` into `out`, row-major `[count, dimension]`,
    /// each coordinate the centre of its cell, (x + ½)/2³², so never 0 or 1.
    public func fill(start: Int, count: Int, into out: UnsafeMutablePointer<Double>) {
        guard count > 0 else { return }
        var x = [UInt32](repeating: 0, count: dimension)
        word(start, into: &x)
        let scale = 1.0 / 4_294_967_296.0
        for i in 0..<count {
            if i > 0 {
                // Point n follows point n − 1 by the direction at n − 1's lowest zero bit.
                let j = (~(start + i - 1)).trailingZeroBitCount
                for d in 0..<dimension { x[d] ^= directions[d * Self.bits + j] }
            }
            for d in 0..<dimension { out[i * dimension + d] = (Double(x[d]) + 0.5) * scale }
        }
    }

    /// Points `start ..< start + count` as raw digits (tests compare them with SciPy's).
    public func digits(start: Int, count: Int) -> [[UInt32]] {
        var x = [UInt32](repeating: 0, count: dimension)
        return (start..<(start + count)).map { i in
            word(i, into: &x)
            return x
        }
    }
}

/// Consecutive 32-bit words of a Philox stream (a scramble's matrices and shifts).
struct RandomWords {
    let generator: Philox
    var index: UInt64 = 0

    init(generator: Philox) { self.generator = generator }

    mutating func next() -> UInt32 {
        defer { index += 1 }
        return UInt32(truncatingIfNeeded: generator.singleWord(index: index, stream: 0x50B0))
    }
}
