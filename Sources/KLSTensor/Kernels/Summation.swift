import RealModule

/// A running sum that carries its rounding error: each addition is an exact
/// 2Sum (RealModule's `Augmented.sum`), the errors are summed apart and added
/// back at the end (Neumaier's scheme). Used by every compensated sum in kls.
public struct CompensatedSum {
    /// The plain running total (without its error term).
    @usableFromInline var total = 0.0
    @usableFromInline var error = 0.0

    public init() {}

    @inlinable public mutating func add(_ x: Double) {
        let (head, tail) = Augmented.sum(total, x)
        total = head
        error += tail
    }

    /// The compensated sum. Once the total is ±inf or nan the error term means
    /// nothing (inf − inf), and the plain total is the answer NumPy gives.
    @inlinable public var value: Double { total.isFinite ? total + error : total }
}

/// Fast, accurate sums over contiguous doubles.
///
/// Each block of 4096 elements is summed with four 8-wide SIMD accumulators
/// (32 independent chains, so the adds pipeline and vectorize); block sums are
/// combined with Kahan–Babuška compensation. The error is that of a 128-term
/// naive sum, far below NumPy's pairwise bound for long inputs, and the speed
/// is memory-bound.
public enum Summation {
    static let block = 4096

    /// The sum of `count` doubles at `p`.
    @inlinable public static func sum(_ p: UnsafePointer<Double>, _ count: Int) -> Double {
        var total = CompensatedSum()
        var start = 0
        while start < count {
            let n = Swift.min(4096, count - start)
            total.add(blockSum(p + start, n))
            start += n
        }
        return total.value
    }

    /// The mean and the sum of squared deviations of `count` values at `p`
    /// (every `stride`-th double), in two passes: the second pass also sums the
    /// deviations, whose total is the first pass's rounding error, and corrects
    /// for it (Chan, Golub & LeVeque 1983). With an infinite or nan value the
    /// mean is ±inf or nan and so is the spread.
    public static func moments(_ p: UnsafePointer<Double>, _ count: Int, stride: Int = 1)
        -> (mean: Double, squaredDeviations: Double)
    {
        guard count > 0 else { return (.nan, .nan) }
        let total = stride == 1 ? sum(p, count) : (0..<count).reduce(0.0) { $0 + p[$1 * stride] }
        guard total.isFinite else { return (total, total.isNaN ? .nan : .infinity) }
        let mean = total / Double(count)
        let (squares, correction) =
            stride == 1
            ? deviations(p, count, from: mean)
            : (0..<count).reduce((0.0, 0.0)) { sums, i in
                let d = p[i * stride] - mean
                return (sums.0 + d * d, sums.1 + d)
            }
        return (mean + correction / Double(count), squares - correction * correction / Double(count))
    }

    /// Σ(x − mean)² and Σ(x − mean) over contiguous values, sixteen lanes at a
    /// time: a single running sum waits on each addition before the next (an
    /// eighth of a 1-D Monte Carlo estimate's profile went there).
    @inlinable static func deviations(_ p: UnsafePointer<Double>, _ count: Int, from mean: Double) -> (Double, Double) {
        let raw = UnsafeRawPointer(p)
        let m = SIMD8<Double>(repeating: mean)
        var (squares0, squares1, sum0, sum1) = (SIMD8<Double>(), SIMD8<Double>(), SIMD8<Double>(), SIMD8<Double>())
        var i = 0
        while i + 16 <= count {
            let d0 = raw.loadUnaligned(fromByteOffset: i * 8, as: SIMD8<Double>.self) - m
            let d1 = raw.loadUnaligned(fromByteOffset: (i + 8) * 8, as: SIMD8<Double>.self) - m
            squares0.addProduct(d0, d0)
            squares1.addProduct(d1, d1)
            sum0 += d0
            sum1 += d1
            i += 16
        }
        var squares = (squares0 + squares1).sum()
        var sum = (sum0 + sum1).sum()
        while i < count {
            let d = p[i] - mean
            squares += d * d
            sum += d
            i += 1
        }
        return (squares, sum)
    }

    /// A sum over at most a few thousand elements, with 32 accumulator lanes.
    @inlinable static func blockSum(_ p: UnsafePointer<Double>, _ n: Int) -> Double {
        let raw = UnsafeRawPointer(p)
        var a0 = SIMD8<Double>()
        var a1 = SIMD8<Double>()
        var a2 = SIMD8<Double>()
        var a3 = SIMD8<Double>()
        var i = 0
        while i + 32 <= n {
            a0 += raw.loadUnaligned(fromByteOffset: i * 8, as: SIMD8<Double>.self)
            a1 += raw.loadUnaligned(fromByteOffset: (i + 8) * 8, as: SIMD8<Double>.self)
            a2 += raw.loadUnaligned(fromByteOffset: (i + 16) * 8, as: SIMD8<Double>.self)
            a3 += raw.loadUnaligned(fromByteOffset: (i + 24) * 8, as: SIMD8<Double>.self)
            i += 32
        }
        var s = ((a0 + a1) + (a2 + a3)).sum()
        while i < n {
            s += p[i]
            i += 1
        }
        return s
    }

    /// The sum of a large buffer, split over cores; partial sums are combined in
    /// chunk order so the result does not depend on timing.
    public static func parallelSum(_ p: UnsafePointer<Double>, _ count: Int) -> Double {
        let partials = Parallel.mapChunks(count, cost: 1) { range in
            sum(p + range.lowerBound, range.count)
        }
        return sum(partials)
    }

    /// Compensated sum of a small array.
    public static func sum(_ values: [Double]) -> Double {
        values.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return 0 }
            return sum(base, b.count)
        }
    }
}
