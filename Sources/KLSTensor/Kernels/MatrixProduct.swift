import CVectorMath
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
        if right.count == 2, left.count > 2 {
            // A stack times one matrix is one tall product: [b…, m, k] @ [k, n] is
            // [b…·m, k] @ [k, n] (row-major), split over the cores by rows — not
            // b… small products one after another. Each element's sum is the same.
            let rows = try Shape.elementCount(Array(left.dropLast()))
            let product = try matmul(try a.reshaped([rows, k]), try b.reshaped([k, n]))
            if b.rank == 1 { shape.removeLast() }
            return try product.reshaped(shape)
        }
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
    /// GotoBLAS's blocking: k is taken in slices of `sliceDepth`; per slice, B
    /// is packed once into strips two `ProductVector`s wide (sixteen columns with
    /// AVX-512; each strip contiguous, so it streams from cache), and the rows of
    /// C are split over cores in equal shares of at most `blockPanels` panels of
    /// six rows, each share's slice of A packed p-major and held in L2. A 6-row
    /// micro-kernel keeps its tile of C in twelve `ProductVector` registers and
    /// per step of k does two loads of B, six broadcasts of A and twelve fused
    /// multiply-adds. Each element of C is summed over k in order, one fused
    /// multiply-add at a time, so the result does not depend on the split.
    static func multiply(
        _ lhs: UnsafePointer<Double>, _ rhs: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>,
        _ m: Int, _ k: Int, _ n: Int
    ) {
        let width = stripWidth
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            out.update(repeating: 0, count: m * n)
            return
        }
        let strips = (n + width - 1) / width
        let depth = Swift.min(k, sliceDepth)
        let packedB = UnsafeMutablePointer<Double>.allocate(capacity: strips * depth * width)
        defer { packedB.deallocate() }
        let parts = partCount(panels: (m + 5) / 6, work: m * depth * n)
        var p0 = 0
        while p0 < k && !Cancellation.isRequested {
            let kc = Swift.min(depth, k - p0)
            packStrips(rhs + p0 * n, n, kc, strips, into: packedB)
            multiplySlice(lhs + p0, k, kc, packedB, out, m, n, parts: parts, accumulate: p0 > 0)
            p0 += kc
        }
    }

    /// C (m×n) = (C if `accumulate`) + A's `kc` columns at `lhs` (row stride `k`) times
    /// B's slice packed by `packStrips`, the rows of C split in `parts` tasks.
    static func multiplySlice(
        _ lhs: UnsafePointer<Double>, _ k: Int, _ kc: Int, _ packedB: UnsafePointer<Double>,
        _ out: UnsafeMutablePointer<Double>, _ m: Int, _ n: Int, parts: Int, accumulate: Bool
    ) {
        let width = stripWidth
        let strips = (n + width - 1) / width
        let panels = (m + 5) / 6
        Parallel.perform(iterations: parts) { part in
            // Equal shares of panels (to one), so that no core waits on another's last block.
            let first = part * panels / parts
            let count = (part + 1) * panels / parts - first
            let i0 = first * 6
            let rows = Swift.min(count * 6, m - i0)
            guard rows > 0, !Cancellation.isRequested else { return }
            let packedA = UnsafeMutablePointer<Double>.allocate(capacity: count * 6 * kc)
            defer { packedA.deallocate() }
            packPanels(lhs + i0 * k, k, rows, kc, into: packedA)
            for strip in 0..<strips {
                let columns = Swift.min(width, n - strip * width)
                for panel in 0..<count {
                    let c = out + (i0 + panel * 6) * n + strip * width
                    // The next tile's rows of C, each in its own page: asked for now,
                    // they arrive while this tile's 6·kc steps run.
                    if accumulate && panel + 1 < count {
                        for r in 0..<Swift.min(6, rows - panel * 6 - 6) { kls_prefetch(c + (6 + r) * n) }
                    }
                    tile(
                        packedA + panel * 6 * kc, packedB + strip * kc * width, kc, c, n,
                        rows: Swift.min(6, rows - panel * 6), columns: columns, accumulate: accumulate)
                }
            }
        }
    }

    /// Tasks per slice of k: one for a small product; otherwise a multiple of the
    /// workers, each at most `blockPanels` panels (its packed A held in L2), so that
    /// every worker gets the same number of rows whatever `m` is.
    private static func partCount(panels: Int, work: Int) -> Int {
        guard work >= 8 * Parallel.threshold else { return 1 }
        let workers = Parallel.workers
        let rounds = (panels + workers * blockPanels - 1) / (workers * blockPanels)
        return Swift.min(panels, workers * rounds)
    }

    /// Steps of k per packed slice. One slice for k ≤ 1024: measured on Zen 4,
    /// L1-sized slices (256 steps, a 16 KB strip of eight columns) were 6–10% slower at
    /// n = 512 and 1024 — a strip of B streams from L2 at the kernel's pace, and
    /// every slice costs two joins of the cores and a reload of C. Packed B is
    /// then at most B's own size.
    static let sliceDepth = 1024
    /// Columns of a strip of B and of a tile of C: two `ProductVector`s.
    static var stripWidth: Int { 2 * ProductVector.scalarCount }

    /// Most panels of six rows of C per task (its packed A at most 768 KB, in L2).
    static let blockPanels = 16

    /// B's `kc` rows (row stride `n`) as strips `width` columns wide, each `kc × width`
    /// contiguous, the last strip padded with zeros.
    static func packStrips(
        _ b: UnsafePointer<Double>, _ n: Int, _ kc: Int, _ strips: Int, into packed: UnsafeMutablePointer<Double>
    ) {
        typealias V = ProductVector
        let width = stripWidth
        let half = V.scalarCount * 8
        Parallel.forEachChunk(strips, cost: Swift.max(1, kc)) { range in
            for strip in range {
                let j0 = strip * width
                let columns = Swift.min(width, n - j0)
                let target = packed + strip * kc * width
                if columns == width {
                    let (from, to) = (UnsafeRawPointer(b + j0), UnsafeMutableRawPointer(target))
                    for p in 0..<kc {
                        let low = from.loadUnaligned(fromByteOffset: p * n * 8, as: V.self)
                        let high = from.loadUnaligned(fromByteOffset: p * n * 8 + half, as: V.self)
                        to.storeBytes(of: low, toByteOffset: p * 2 * half, as: V.self)
                        to.storeBytes(of: high, toByteOffset: p * 2 * half + half, as: V.self)
                    }
                    continue
                }
                for p in 0..<kc {
                    let source = b + p * n + j0
                    for t in 0..<width { target[p * width + t] = t < columns ? source[t] : 0 }
                }
            }
        }
    }

    /// `rows` rows of A (row stride `k`), `kc` columns, as panels of six rows:
    /// panel q holds A[6q + r][p] at `6p + r`, missing rows zero.
    private static func packPanels(
        _ a: UnsafePointer<Double>, _ k: Int, _ rows: Int, _ kc: Int, into packed: UnsafeMutablePointer<Double>
    ) {
        let panels = (rows + 5) / 6
        for panel in 0..<panels {
            let target = packed + panel * 6 * kc
            for r in 0..<6 {
                let row = panel * 6 + r
                if row < rows {
                    let source = a + row * k
                    for p in 0..<kc { target[p * 6 + r] = source[p] }
                } else {
                    for p in 0..<kc { target[p * 6 + r] = 0 }
                }
            }
        }
    }

    /// One 6 × `width` tile of C (row stride `ldc`), of which `rows × columns` are real:
    /// C = A·B over this slice, added to C when `accumulate`.
    @inline(__always)
    private static func tile(
        _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ kc: Int, _ c: UnsafeMutablePointer<Double>,
        _ ldc: Int, rows: Int, columns: Int, accumulate: Bool
    ) {
        let width = stripWidth
        if rows == 6 && columns == width {
            kernel(a, b, kc, c, ldc, accumulate: accumulate)
            return
        }
        // An edge: through a full tile in scratch, of which only the real part is kept.
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 6 * width) { buffer in
            guard let t = buffer.baseAddress else { return }
            t.initialize(repeating: 0, count: 6 * width)
            if accumulate {
                for r in 0..<rows { for j in 0..<columns { t[r * width + j] = c[r * ldc + j] } }
            }
            kernel(a, b, kc, t, width, accumulate: accumulate)
            for r in 0..<rows { for j in 0..<columns { c[r * ldc + j] = t[r * width + j] } }
        }
    }

    /// C[0..<6][0..<width] (row stride `ldc`) = (C if `accumulate`) + Σₚ A[·][p] B[p][·]
    /// from packed panels: twelve `ProductVector` accumulators stay in registers.
    @inline(__always)
    private static func kernel(
        _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ kc: Int, _ c: UnsafeMutablePointer<Double>,
        _ ldc: Int, accumulate: Bool
    ) {
        typealias V = ProductVector
        let half = V.scalarCount
        let rawC = UnsafeMutableRawPointer(c)
        func load(_ r: Int, _ part: Int) -> V {
            accumulate ? rawC.loadUnaligned(fromByteOffset: (r * ldc + part * half) * 8, as: V.self) : V()
        }
        var (c00, c01, c10, c11, c20, c21) = (load(0, 0), load(0, 1), load(1, 0), load(1, 1), load(2, 0), load(2, 1))
        var (c30, c31, c40, c41, c50, c51) = (load(3, 0), load(3, 1), load(4, 0), load(4, 1), load(5, 0), load(5, 1))
        let rawB = UnsafeRawPointer(b)
        // One step of k: two loads of B, six broadcasts of A, twelve fused multiply-adds.
        @inline(__always) func step(_ p: Int) {
            let b0 = rawB.loadUnaligned(fromByteOffset: p * 16 * half, as: V.self)
            let b1 = rawB.loadUnaligned(fromByteOffset: p * 16 * half + 8 * half, as: V.self)
            let x = a + p * 6
            let x0 = V(repeating: x[0])
            c00.addProduct(x0, b0)
            c01.addProduct(x0, b1)
            let x1 = V(repeating: x[1])
            c10.addProduct(x1, b0)
            c11.addProduct(x1, b1)
            let x2 = V(repeating: x[2])
            c20.addProduct(x2, b0)
            c21.addProduct(x2, b1)
            let x3 = V(repeating: x[3])
            c30.addProduct(x3, b0)
            c31.addProduct(x3, b1)
            let x4 = V(repeating: x[4])
            c40.addProduct(x4, b0)
            c41.addProduct(x4, b1)
            let x5 = V(repeating: x[5])
            c50.addProduct(x5, b0)
            c51.addProduct(x5, b1)
        }
        for p in 0..<kc { step(p) }
        for (r, (lo, hi)) in [(c00, c01), (c10, c11), (c20, c21), (c30, c31), (c40, c41), (c50, c51)].enumerated() {
            rawC.storeBytes(of: lo, toByteOffset: (r * ldc) * 8, as: V.self)
            rawC.storeBytes(of: hi, toByteOffset: (r * ldc + half) * 8, as: V.self)
        }
    }
}

/// B's strips are two of these wide, and the kernel's twelve accumulators are
/// these: 8 lanes where the build has AVX-512's 32 vector registers (6–7%
/// faster on Zen 4 than 4 lanes), 4 elsewhere (with AVX2's 16 registers, twelve
/// 8-lane accumulators would spill). A type, not a generic parameter: the
/// `SIMD` protocol's generic arithmetic compiles to slower code than each
/// width's own.
#if KLS_AVX512
    typealias ProductVector = SIMD8<Double>
#else
    typealias ProductVector = SIMD4<Double>
#endif
