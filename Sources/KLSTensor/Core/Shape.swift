import KLSDiagnostics

/// Shape arithmetic shared by every kernel: element counts, strides, broadcasting
/// and axis normalization, each failing with a message that names the shapes.
public enum Shape {
    /// The most axes a tensor may have, NumPy's limit. Kernels and the display
    /// walk axes one by one; a 100,000-axis shape of ones would take forever.
    public static let maximumRank = 64

    /// The number of elements of `shape`; throws on a negative extent or overflow.
    ///
    /// The product of the non-zero extents must fit in an `Int` too, even when a
    /// zero extent makes the count 0: kernels then take partial products of any
    /// axes (rows, runs, strides) without overflow checks of their own.
    public static func elementCount(_ shape: [Int]) throws(KLSError) -> Int {
        guard shape.count <= maximumRank else {
            throw KLSError("tensors have at most \(maximumRank) axes (as in NumPy), got \(shape.count)")
        }
        var nonZero = 1
        var hasZero = false
        for extent in shape {
            guard extent >= 0 else { throw KLSError("negative dimension \(extent) in shape \(describe(shape))") }
            if extent == 0 {
                hasZero = true
                continue
            }
            let (product, overflow) = nonZero.multipliedReportingOverflow(by: extent)
            if overflow {
                throw KLSError(
                    "shape \(describe(shape)) has too many elements", kind: .resource,
                    hint: "set KLS_MAX_MEMORY to raise the limit")
            }
            nonZero = product
        }
        return hasZero ? 0 : nonZero
    }

    /// Row-major strides in elements.
    public static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = step
            step &*= Swift.max(shape[axis], 1)
        }
        return strides
    }

    /// The multi-index of row-major position `flat` in `shape`.
    public static func unravel(_ flat: Int, _ shape: [Int]) -> [Int] {
        var rest = flat
        var index = [Int](repeating: 0, count: shape.count)
        for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] > 0 {
            index[axis] = rest % shape[axis]
            rest /= shape[axis]
        }
        return index
    }

    /// `[2, 3]` as the user writes it.
    public static func describe(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }

    /// The NumPy broadcast of two shapes: align from the right; extents must be
    /// equal or 1.
    public static func broadcast(_ a: [Int], _ b: [Int]) throws(KLSError) -> [Int] {
        if a == b { return a }
        let rank = Swift.max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let x = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let y = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            guard x == y || x == 1 || y == 1 else {
                throw KLSError(
                    "shapes \(describe(a)) and \(describe(b)) do not broadcast (axis \(i - rank): \(x) vs \(y))")
            }
            result[i] = x == 1 ? y : x
        }
        return result
    }

    /// Strides for reading a tensor of `shape` as if it had `target` shape: axes
    /// that are broadcast get stride 0.
    public static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        let own = strides(shape)
        let offset = target.count - shape.count
        var result = [Int](repeating: 0, count: target.count)
        for i in 0..<shape.count where shape[i] != 1 || target[i + offset] == 1 {
            result[i + offset] = shape[i] == 1 ? 0 : own[i]
        }
        return result
    }

    /// Resolves a possibly negative axis against `rank`.
    public static func normalize(axis: Int, rank: Int) throws(KLSError) -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        guard resolved >= 0 && resolved < rank else {
            throw KLSError("axis \(axis) is out of range for a tensor of rank \(rank)")
        }
        return resolved
    }

    /// Resolves and de-duplicates a list of axes, sorted ascending.
    public static func normalize(axes: [Int], rank: Int) throws(KLSError) -> [Int] {
        var seen = Set<Int>()
        for axis in axes {
            let resolved = try normalize(axis: axis, rank: rank)
            guard seen.insert(resolved).inserted else { throw KLSError("axis \(axis) is repeated") }
        }
        return seen.sorted()
    }
}
