import Foundation
import KLSDiagnostics

/// The constructors behind `zeros`, `ones`, `linspace`, `arange`, `eye`.
extension Tensor {
    /// `n` evenly spaced values from `a` to `b` inclusive.
    public static func linspace(_ a: Double, _ b: Double, count n: Int) throws(KLSError) -> Tensor {
        guard n >= 0 else { throw KLSError("linspace needs a count ≥ 0, got \(n)") }
        return try Tensor(shape: [n]) { out in
            let step = n > 1 ? (b - a) / Double(n - 1) : 0
            for i in 0..<n { out[i] = a + Double(i) * step }
            // The last point is b exactly, not a + (n−1)·step rounded.
            if n > 1 { out[n - 1] = b }
        }
    }

    /// Values from `start` up to (not including) `stop` by `step`: element i is
    /// `start + i * step` (the numeric tier's loops count the same way).
    public static func arange(_ start: Double, _ stop: Double, step: Double) throws(KLSError) -> Tensor {
        let n = try arangeCount(start, stop, step: step)
        return try Tensor(shape: [n]) { out in
            for i in 0..<n { out[i] = start + Double(i) * step }
        }
    }

    /// How many elements `arange(start, stop, step)` has, or its error: bad
    /// bounds or step, too many elements, or more than the memory limit allows.
    public static func arangeCount(_ start: Double, _ stop: Double, step: Double) throws(KLSError) -> Int {
        guard step != 0, step.isFinite else {
            throw KLSError("arange step must be finite and non-zero, got \(short(step))")
        }
        guard start.isFinite, stop.isFinite else {
            throw KLSError("arange bounds must be finite, got \(short(start)) and \(short(stop))")
        }
        // (stop − start) can overflow to ±inf, and a tiny step sends the ratio there.
        let length = Swift.max(0, ((stop - start) / step).rounded(.up))
        guard let n = Checked.wholeNumber(length) else {
            throw KLSError(
                "arange(\(short(start)), \(short(stop)), step=\(short(step))) has too many elements", kind: .resource)
        }
        try MemoryLimit.check(elements: n)
        return n
    }

    /// The n×n identity matrix.
    public static func eye(_ n: Int) throws(KLSError) -> Tensor {
        try Tensor(shape: [n, n]) { out in
            out.initialize(repeating: 0)
            for i in 0..<n { out[i * n + i] = 1 }
        }
    }
}

/// A number as kls displays it (`%g`), for messages from this layer.
func short(_ x: Double) -> String {
    String(format: "%g", x)
}
