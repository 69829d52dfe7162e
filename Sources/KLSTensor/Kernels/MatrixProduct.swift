/// `x @ y` with NumPy's `matmul` rules: vectors are promoted to matrices and the
/// added axis removed afterwards; leading (batch) axes broadcast.
extension Tensor {
    /// The matrix product of `a` and `b`.
    public static func matmul(_ a: Tensor, _ b: Tensor) throws(KLSError) -> Tensor {
        guard a.rank > 0 && b.rank > 0 else {
            throw KLSError("@ needs tensors of rank 1 or more, got shapes \(Shape.describe(a.shape)) and \(Shape.describe(b.shape)); use * for scalars")
        }
        let left = a.rank == 1 ? [1] + a.shape : a.shape
        let right = b.rank == 1 ? b.shape + [1] : b.shape
        let m = left[left.count - 2], k = left[left.count - 1]
        let k2 = right[right.count - 2], n = right[right.count - 1]
        guard k == k2 else {
            throw KLSError("shapes \(Shape.describe(a.shape)) and \(Shape.describe(b.shape)) do not align for @: \(k) (last axis of the left) ≠ \(k2) (\(b.rank == 1 ? "length" : "second-to-last axis") of the right)")
        }
        let batch = try Shape.broadcast(Array(left.dropLast(2)), Array(right.dropLast(2)))
        var shape = batch + [m, n]
        let batchCount = try Shape.elementCount(batch)
        let aStrides = Shape.broadcastStrides(Array(left.dropLast(2)), to: batch)
        let bStrides = Shape.broadcastStrides(Array(right.dropLast(2)), to: batch)
        let result = try Tensor(shape: shape) { out in
            guard let c = out.baseAddress else { return }
            let pa = UnsafePointer(a.storage.pointer), pb = UnsafePointer(b.storage.pointer)
            withExtendedLifetime((a, b)) {
                for t in 0..<batchCount {
                    let (oa, ob) = batchOffsets(t, batch, aStrides, bStrides)
                    multiply(pa + oa * m * k, pb + ob * k * n, c + t * m * n, m, k, n)
                }
            }
        }
        if a.rank == 1 { shape.remove(at: shape.count - 2) }
        if b.rank == 1 { shape.removeLast() }
        return try result.reshaped(shape)
    }

    /// The offsets (in matrices) of batch item `t` in each operand.
    private static func batchOffsets(_ t: Int, _ batch: [Int], _ sa: [Int], _ sb: [Int]) -> (Int, Int) {
        var rest = t, oa = 0, ob = 0
        for axis in stride(from: batch.count - 1, through: 0, by: -1) {
            let i = rest % batch[axis]
            rest /= batch[axis]
            oa += i * sa[axis]
            ob += i * sb[axis]
        }
        return (oa, ob)
    }

    /// C (m×n) = A (m×k) · B (k×n), all row-major and contiguous. Rows of C are
    /// split over cores; each task runs a 4-row × 8-column register-blocked
    /// micro-kernel so every load of B feeds four fused multiply-adds.
    static func multiply(_ A: UnsafePointer<Double>, _ B: UnsafePointer<Double>, _ C: UnsafeMutablePointer<Double>,
                         _ m: Int, _ k: Int, _ n: Int) {
        let blocks = (m + 3) / 4
        Parallel.forEachChunk(blocks, cost: Swift.max(1, 4 * k * n / 8)) { range in
            for block in range {
                let i0 = block * 4
                let rows = Swift.min(4, m - i0)
                if rows == 4 {
                    microKernel4(A + i0 * k, B, C + i0 * n, k, n)
                } else {
                    for i in i0..<(i0 + rows) { rowKernel(A + i * k, B, C + i * n, k, n) }
                }
            }
        }
    }

    private static func microKernel4(_ A: UnsafePointer<Double>, _ B: UnsafePointer<Double>,
                                     _ C: UnsafeMutablePointer<Double>, _ k: Int, _ n: Int) {
        let rawB = UnsafeRawPointer(B), rawC = UnsafeMutableRawPointer(C)
        var j = 0
        while j + 8 <= n {
            var c0 = SIMD8<Double>(), c1 = SIMD8<Double>(), c2 = SIMD8<Double>(), c3 = SIMD8<Double>()
            for p in 0..<k {
                let b = rawB.loadUnaligned(fromByteOffset: (p * n + j) * 8, as: SIMD8<Double>.self)
                c0 += A[p] * b
                c1 += A[k + p] * b
                c2 += A[2 * k + p] * b
                c3 += A[3 * k + p] * b
            }
            rawC.storeBytes(of: c0, toByteOffset: j * 8, as: SIMD8<Double>.self)
            rawC.storeBytes(of: c1, toByteOffset: (n + j) * 8, as: SIMD8<Double>.self)
            rawC.storeBytes(of: c2, toByteOffset: (2 * n + j) * 8, as: SIMD8<Double>.self)
            rawC.storeBytes(of: c3, toByteOffset: (3 * n + j) * 8, as: SIMD8<Double>.self)
            j += 8
        }
        while j < n {
            for r in 0..<4 {
                var s = 0.0
                for p in 0..<k { s += A[r * k + p] * B[p * n + j] }
                C[r * n + j] = s
            }
            j += 1
        }
    }

    private static func rowKernel(_ a: UnsafePointer<Double>, _ B: UnsafePointer<Double>,
                                  _ c: UnsafeMutablePointer<Double>, _ k: Int, _ n: Int) {
        c.initialize(repeating: 0, count: n)
        for p in 0..<k {
            let scale = a[p]
            let row = B + p * n
            for j in 0..<n { c[j] += scale * row[j] }
        }
    }
}
