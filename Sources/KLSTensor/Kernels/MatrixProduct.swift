import KLSDiagnostics

/// `x @ y` with NumPy's `matmul` rules: vectors are promoted to matrices and the
/// added axis removed afterwards; leading (batch) axes broadcast.
extension Tensor {
    /// The matrix product of `a` and `b`.
    public static func matmul(_ a: Tensor, _ b: Tensor) throws(KLSError) -> Tensor {
        guard a.rank > 0 && b.rank > 0 else {
            throw KLSError(TensorMessages.matmulRank(a.shape, b.shape))
        }
        let left = a.rank == 1 ? [1] + a.shape : a.shape
        let right = b.rank == 1 ? b.shape + [1] : b.shape
        let m = left[left.count - 2]
        let k = left[left.count - 1]
        let k2 = right[right.count - 2]
        let n = right[right.count - 1]
        guard k == k2 else {
            throw KLSError(TensorMessages.matmulAlignment(a.shape, b.shape, left: k, right: k2))
        }
        let batch = try Shape.broadcast(Array(left.dropLast(2)), Array(right.dropLast(2)))
        var shape = batch + [m, n]
        let batchCount = try Shape.elementCount(batch)
        let aStrides = Shape.broadcastStrides(Array(left.dropLast(2)), to: batch)
        let bStrides = Shape.broadcastStrides(Array(right.dropLast(2)), to: batch)
        let result = try Tensor(shape: shape) { out in
            guard let c = out.baseAddress else { return }
            let pa = UnsafePointer(a.storage.pointer)
            let pb = UnsafePointer(b.storage.pointer)
            withExtendedLifetime((a, b)) {
                for t in 0..<batchCount where !Cancellation.isRequested {
                    let (oa, ob) = batchOffsets(t, batch, aStrides, bStrides)
                    multiply(pa + oa * m * k, pb + ob * k * n, c + t * m * n, m, k, n)
                }
            }
        }
        // A product stopped by Ctrl-C left the result unfinished.
        try Cancellation.check()
        if a.rank == 1 { shape.remove(at: shape.count - 2) }
        if b.rank == 1 { shape.removeLast() }
        return try result.reshaped(shape)
    }

    /// The offsets (in matrices) of batch item `t` in each operand.
    private static func batchOffsets(_ t: Int, _ batch: [Int], _ sa: [Int], _ sb: [Int]) -> (Int, Int) {
        var rest = t
        var oa = 0
        var ob = 0
        for axis in stride(from: batch.count - 1, through: 0, by: -1) {
            let i = rest % batch[axis]
            rest /= batch[axis]
            oa += i * sa[axis]
            ob += i * sb[axis]
        }
        return (oa, ob)
    }

    /// C (m×n) = A (m×k) · B (k×n), all row-major and contiguous.
    ///
    /// Rows of C are split over cores. Each core walks B in column panels of 64
    /// (k×64 doubles, which stay in its L2 cache) and, per panel, runs a
    /// 4-row × 16-column register-blocked micro-kernel: per step of k, two loads
    /// of B and four broadcasts of A feed eight 8-wide fused multiply-adds.
    static func multiply(
        _ lhs: UnsafePointer<Double>, _ rhs: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>,
        _ m: Int, _ k: Int, _ n: Int
    ) {
        let blocks = (m + 3) / 4
        let panel = 64
        Parallel.forEachChunk(blocks, cost: Swift.max(1, 4 * k * n / 8)) { range in
            var j0 = 0
            while j0 < n && !Cancellation.isRequested {
                let width = Swift.min(panel, n - j0)
                for block in range {
                    let i0 = block * 4
                    let rows = Swift.min(4, m - i0)
                    if rows == 4 {
                        microKernel4(lhs + i0 * k, rhs + j0, out + i0 * n + j0, k, n, width)
                    } else {
                        for i in i0..<(i0 + rows) { rowKernel(lhs + i * k, rhs + j0, out + i * n + j0, k, n, width) }
                    }
                }
                j0 += width
            }
        }
    }

    /// Four rows of C over `width` columns; B and C have row stride `n`.
    private static func microKernel4(
        _ lhs: UnsafePointer<Double>, _ rhs: UnsafePointer<Double>,
        _ out: UnsafeMutablePointer<Double>, _ k: Int, _ n: Int, _ width: Int
    ) {
        typealias V = SIMD8<Double>
        let rawB = UnsafeRawPointer(rhs)
        let rawC = UnsafeMutableRawPointer(out)
        let a0 = lhs
        let a1 = lhs + k
        let a2 = lhs + 2 * k
        let a3 = lhs + 3 * k
        var j = 0
        while j + 16 <= width {
            var c00 = V()
            var c01 = V()
            var c10 = V()
            var c11 = V()
            var c20 = V()
            var c21 = V()
            var c30 = V()
            var c31 = V()
            for p in 0..<k {
                let offset = (p * n + j) * 8
                let b0 = rawB.loadUnaligned(fromByteOffset: offset, as: V.self)
                let b1 = rawB.loadUnaligned(fromByteOffset: offset + 64, as: V.self)
                let x0 = V(repeating: a0[p])
                let x1 = V(repeating: a1[p])
                let x2 = V(repeating: a2[p])
                let x3 = V(repeating: a3[p])
                c00.addProduct(x0, b0)
                c01.addProduct(x0, b1)
                c10.addProduct(x1, b0)
                c11.addProduct(x1, b1)
                c20.addProduct(x2, b0)
                c21.addProduct(x2, b1)
                c30.addProduct(x3, b0)
                c31.addProduct(x3, b1)
            }
            for (r, (lo, hi)) in [(c00, c01), (c10, c11), (c20, c21), (c30, c31)].enumerated() {
                rawC.storeBytes(of: lo, toByteOffset: (r * n + j) * 8, as: V.self)
                rawC.storeBytes(of: hi, toByteOffset: (r * n + j + 8) * 8, as: V.self)
            }
            j += 16
        }
        while j + 8 <= width {
            var c0 = V()
            var c1 = V()
            var c2 = V()
            var c3 = V()
            for p in 0..<k {
                let b = rawB.loadUnaligned(fromByteOffset: (p * n + j) * 8, as: V.self)
                c0.addProduct(V(repeating: a0[p]), b)
                c1.addProduct(V(repeating: a1[p]), b)
                c2.addProduct(V(repeating: a2[p]), b)
                c3.addProduct(V(repeating: a3[p]), b)
            }
            for (r, c) in [c0, c1, c2, c3].enumerated() {
                rawC.storeBytes(of: c, toByteOffset: (r * n + j) * 8, as: V.self)
            }
            j += 8
        }
        while j < width {
            for r in 0..<4 {
                var s = 0.0
                for p in 0..<k { s += lhs[r * k + p] * rhs[p * n + j] }
                out[r * n + j] = s
            }
            j += 1
        }
    }

    /// One row of C over `width` columns.
    private static func rowKernel(
        _ a: UnsafePointer<Double>, _ rhs: UnsafePointer<Double>,
        _ c: UnsafeMutablePointer<Double>, _ k: Int, _ n: Int, _ width: Int
    ) {
        c.update(repeating: 0, count: width)
        for p in 0..<k {
            let scale = a[p]
            let row = rhs + p * n
            for j in 0..<width { c[j] += scale * row[j] }
        }
    }
}
