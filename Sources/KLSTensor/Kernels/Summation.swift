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
        var total = 0.0
        var compensation = 0.0
        var start = 0
        while start < count {
            let n = Swift.min(4096, count - start)
            let s = blockSum(p + start, n)
            // Neumaier's variant: correct whichever operand is smaller.
            let t = total + s
            if Swift.abs(total) >= Swift.abs(s) {
                compensation += (total - t) + s
            } else {
                compensation += (s - t) + total
            }
            total = t
            start += n
        }
        // Once the total is ±inf or nan, the compensation holds inf − inf = nan;
        // the plain total is then the answer NumPy gives (±inf, or nan for inf − inf).
        return total.isFinite ? total + compensation : total
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
