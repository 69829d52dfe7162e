import Foundation
import KLSDiagnostics

extension Tensor {
    /// log Σₖ exp(partsₖ), element by element, for parts of one shape: what
    /// `stack(parts, axis: 0).reduce(.logsumexp, axes: [0])` gives (to an ulp of
    /// `exp`), eight elements at a time on every core without moving axes. A
    /// mixture's density is this over its weighted components.
    public static func logSumExp(_ parts: [Tensor]) throws(KLSError) -> Tensor {
        let stacked = try stack(parts, axis: 0)
        let rows = parts.count
        let shape = parts[0].shape
        return try Tensor(shape: shape) { out in
            guard let o = out.baseAddress else { return }
            let n = out.count
            stacked.withBuffer { b in
                guard let terms = b.baseAddress else { return }
                let work = Unchecked((terms, o))
                Parallel.forEachChunk(n, cost: 4 * rows) { range in
                    LogSumExp.rows(work.value.0, rows: rows, stride: n, range, into: work.value.1)
                }
            }
        }
    }
}

/// The kernel of `Tensor.logSumExp`.
enum LogSumExp {
    typealias Vector = VectorMath.Vector

    /// `out[i] = log Σₖ exp(terms[k·stride + i])` for i in `range`. Vectors whose
    /// terms are all below +∞ and not nan, with a finite largest term, take the
    /// vector path; the others (and the last few elements) `Reduction.logSumExp`.
    static func rows(
        _ terms: UnsafePointer<Double>, rows: Int, stride: Int, _ range: Range<Int>,
        into out: UnsafeMutablePointer<Double>
    ) {
        let column = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(rows, 1))
        defer { column.deallocate() }
        func scalar(_ i: Int) {
            for k in 0..<rows { column[k] = terms[k * stride + i] }
            out[i] = Reduction.logSumExp(column, rows)
        }
        var i = range.lowerBound
        while i + 8 <= range.upperBound {
            if let value = vector(terms + i, rows: rows, stride: stride) {
                VectorMath.store(value, out + i, lanes: 8)
            } else {
                for l in i..<i + 8 { scalar(l) }
            }
            i += 8
        }
        while i < range.upperBound {
            scalar(i)
            i += 1
        }
    }

    /// Eight lanes of log Σₖ exp, or nil when some term is nan or +∞ or every
    /// term of a lane is −∞. Terms more than 708 below the largest are taken
    /// as 0: e⁻⁷⁰⁸ is far below an ulp of the sum, which is at least 1.
    @inline(__always)
    static func vector(_ terms: UnsafePointer<Double>, rows: Int, stride: Int) -> Vector? {
        let infinity = Vector(repeating: .infinity)
        var largest = Vector(repeating: -.infinity)
        for k in 0..<rows {
            let t = VectorMath.load(terms + k * stride, lanes: 8)
            guard VectorMath.all(t .< infinity) else { return nil }
            largest = VectorMath.select(t .> largest, t, largest)
        }
        guard VectorMath.all(largest .> -infinity) else { return nil }
        let floor = Vector(repeating: -708)
        var sum = Vector()
        for k in 0..<rows {
            let d = VectorMath.load(terms + k * stride, lanes: 8) - largest
            let low = d .< floor
            sum += VectorMath.select(low, Vector(), VectorMath.exp(VectorMath.select(low, floor, d)))
        }
        return largest + VectorMath.log(sum)
    }
}

extension Tensor {
    /// log Σ exp(values) of a few numbers (−∞ for none): the largest first, so
    /// no term overflows; +∞ or nan among them is the result.
    public static func logSumExp(of values: [Double]) -> Double {
        values.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return -.infinity }
            return Reduction.logSumExp(base, b.count)
        }
    }
}
