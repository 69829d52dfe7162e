import KLSDiagnostics

/// Exact nearest-neighbour distances to a set of points, by blocked brute force.
///
/// Trees do not help where k-NN divergence estimators are used: in 16 dimensions
/// with 10⁵ Gaussian points the 5th neighbour lies as far off as the data is
/// wide, so no ball or box bound prunes (SciPy's cKDTree takes minutes). Every
/// pair is scored instead, sixteen points at a time in single precision —
/// |c|² − 2 q·c, one fused multiply-add per dimension — and only a pair whose
/// score comes within a rounding margin of the query's current threshold is
/// measured again exactly, in double precision from the centred coordinates.
/// The margin bounds the single-precision error, so every reported distance is
/// exact (to double rounding) and none is missed; in few dimensions, where
/// neighbours are close next to the data's width, more pairs fall in the margin
/// and are measured exactly, which costs time but never correctness.
///
/// Results do not depend on the thread count: each query is answered by one
/// worker, and its distances are the same double-precision sums however the
/// work is cut.
public struct NearestNeighbors: Sendable {
    /// Points in the set.
    public let count: Int
    /// Coordinates per point.
    public let dimensions: Int
    /// The point subtracted from every coordinate before scoring.
    let centre: [Double]
    /// Centred coordinates, row-major.
    let points: [Double]
    /// Blocks of 16 points, dimension-major within a block, centred, in Float.
    let packed: [Float]
    /// |c|² per point in Float, laid out as `packed`'s blocks; +inf for padding.
    let norms: [Float]
    /// The largest |c|²: the single-precision error bound is scaled by it.
    let largestNorm: Double
    /// In one dimension, the centred values sorted, with their indices: there a
    /// search of the sorted line replaces the scan (n log n, not n²).
    let line: [(value: Double, index: Int)]
    /// Each point's position on the sorted line.
    let rank: [Int]

    static let lanes = 16
    typealias Lane = SIMD16<Float>

    /// A set of `count` points of `dimensions` coordinates (row-major `values`),
    /// measured from `centre` (the mean of every point compared keeps the
    /// single-precision scores accurate far from the origin).
    public init(_ values: UnsafeBufferPointer<Double>, count: Int, dimensions: Int, centre: [Double]) {
        self.count = count
        self.dimensions = dimensions
        self.centre = centre
        let d = dimensions
        let blocks = (count + Self.lanes - 1) / Self.lanes
        var points = [Double](repeating: 0, count: count * d)
        var packed = [Float](repeating: 0, count: blocks * Self.lanes * d)
        var norms = [Float](repeating: .infinity, count: blocks * Self.lanes)
        var largest = 0.0
        for i in 0..<count {
            var norm = 0.0
            for j in 0..<d {
                let x = values[i * d + j] - centre[j]
                points[i * d + j] = x
                packed[(i / Self.lanes) * Self.lanes * d + j * Self.lanes + i % Self.lanes] = Float(x)
                norm += x * x
            }
            norms[i] = Float(norm)
            largest = Swift.max(largest, norm)
        }
        self.points = points
        self.packed = packed
        self.norms = norms
        self.largestNorm = largest
        line = d == 1 ? points.enumerated().map { ($0.element, $0.offset) }.sorted { $0.value < $1.value } : []
        var rank = [Int](repeating: 0, count: line.count)
        for (position, entry) in line.enumerated() { rank[entry.index] = position }
        self.rank = rank
    }

    /// The mean of the rows of several row-major point sets of `dimensions` columns.
    public static func centre(of sets: [UnsafeBufferPointer<Double>], dimensions: Int) -> [Double] {
        var sum = [Double](repeating: 0, count: dimensions)
        var rows = 0
        for set in sets {
            let n = dimensions == 0 ? 0 : set.count / dimensions
            for i in 0..<n { for j in 0..<dimensions { sum[j] += set[i * dimensions + j] } }
            rows += n
        }
        return sum.map { rows == 0 ? 0 : $0 / Double(rows) }
    }

    /// The `k` smallest distances from each query (rows of `queries`, in the
    /// original coordinates) to the set, ascending: `k` numbers per query. With
    /// `skipSelf`, query i is point i of this set and is not its own neighbour.
    /// Fewer than `k` candidates leave +inf.
    public func nearest(
        _ queries: UnsafeBufferPointer<Double>, k: Int, skipSelf: Bool
    ) throws(KLSError) -> [Double] {
        let n = dimensions == 0 ? 0 : queries.count / dimensions
        var result = [Double](repeating: .infinity, count: n * k)
        if dimensions == 1 {
            result.withUnsafeMutableBufferPointer { out in
                let target = Unchecked(out)
                Parallel.forEachChunk(n, cost: 64 * k) { range in
                    for i in range {
                        let slot = UnsafeMutableBufferPointer(rebasing: target.value[i * k..<(i + 1) * k])
                        lineNearest(queries[i] - centre[0], k: k, skip: skipSelf ? i : -1, into: slot)
                    }
                }
            }
            return result
        }
        result.withUnsafeMutableBufferPointer { out in
            let target = Unchecked(out)
            Parallel.forEachChunk(n, cost: Swift.max(1, count * dimensions / 4)) { range in
                for first in stride(from: range.lowerBound, to: range.upperBound, by: Self.tile)
                where !Cancellation.isRequested {
                    let ids = first..<Swift.min(first + Self.tile, range.upperBound)
                    let slot = UnsafeMutableBufferPointer(rebasing: target.value[first * k..<ids.upperBound * k])
                    nearest(
                        to: ids.map { query(queries, $0) }, k: k, skip: ids.map { skipSelf ? $0 : -1 }, into: slot)
                }
            }
        }
        try Cancellation.check()
        return result
    }

    /// For each query with its radius: how many points lie within that distance
    /// (inclusive) and the largest such distance (0 when none). With `skip`, the
    /// point of that index (−1: none) is left out for each query.
    public func within(
        _ queries: UnsafeBufferPointer<Double>, radii: [Double], skip: [Int]
    ) throws(KLSError) -> (counts: [Int], farthest: [Double]) {
        let n = radii.count
        var counts = [Int](repeating: 0, count: n)
        var farthest = [Double](repeating: 0, count: n)
        if dimensions == 1 {
            for i in 0..<n {
                (counts[i], farthest[i]) = lineWithin(queries[i] - centre[0], radius: radii[i], skip: skip[i])
            }
            return (counts, farthest)
        }
        counts.withUnsafeMutableBufferPointer { c in
            farthest.withUnsafeMutableBufferPointer { f in
                let (countOut, farOut) = (Unchecked(c), Unchecked(f))
                Parallel.forEachChunk(n, cost: Swift.max(1, count * dimensions / 4)) { range in
                    for first in stride(from: range.lowerBound, to: range.upperBound, by: Self.tile)
                    where !Cancellation.isRequested {
                        let ids = first..<Swift.min(first + Self.tile, range.upperBound)
                        let found = within(
                            ids.map { query(queries, $0) }, radii: ids.map { radii[$0] }, skip: ids.map { skip[$0] })
                        for (t, i) in ids.enumerated() {
                            countOut.value[i] = found[t].count
                            farOut.value[i] = found[t].farthest
                        }
                    }
                }
            }
        }
        try Cancellation.check()
        return (counts, farthest)
    }

    /// The first position on the sorted line whose value is not below `v`.
    private func position(_ v: Double) -> Int {
        var (low, high) = (0, line.count)
        while low < high {
            let mid = (low + high) / 2
            if line[mid].value < v { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The k smallest distances from `v` along the sorted line, ascending,
    /// taken outward from v's position (as the scan measures them: √(e²)).
    private func lineNearest(_ v: Double, k: Int, skip: Int, into best: UnsafeMutableBufferPointer<Double>) {
        var left = position(v) - 1
        var right = left + 1
        var found = 0
        while found < k, left >= 0 || right < line.count {
            let below = left >= 0 ? v - line[left].value : .infinity
            let above = right < line.count ? line[right].value - v : .infinity
            let takeLeft = below <= above
            let index = takeLeft ? line[left].index : line[right].index
            let e = takeLeft ? below : above
            if takeLeft { left -= 1 } else { right += 1 }
            guard index != skip else { continue }
            best[found] = (e * e).squareRoot()
            found += 1
        }
    }

    /// How many points lie within `radius` of `v` (as the scan decides: e² ≤ r²),
    /// and the farthest of them, leaving out point `skip`.
    private func lineWithin(_ v: Double, radius: Double, skip: Int) -> (count: Int, farthest: Double) {
        let r2 = radius * radius
        let inside = { (j: Int) in (line[j].value - v) * (line[j].value - v) <= r2 }
        let middle = position(v)
        // The first inside on the left, and the first outside on the right: both monotone.
        var (low, high) = (0, middle)
        while low < high {
            let mid = (low + high) / 2
            if inside(mid) { high = mid } else { low = mid + 1 }
        }
        let first = low
        (low, high) = (middle, line.count)
        while low < high {
            let mid = (low + high) / 2
            if inside(mid) { low = mid + 1 } else { high = mid }
        }
        let end = low
        var count = end - first
        var farthest = 0.0
        for j in [first, first + 1, end - 2, end - 1] where j >= first && j < end {
            guard line[j].index != skip else { continue }
            let e = line[j].value - v
            farthest = Swift.max(farthest, (e * e).squareRoot())
        }
        if skip >= 0, skip < rank.count, (first..<end).contains(rank[skip]) { count -= 1 }
        return (count, farthest)
    }

    /// Query row `i`, centred.
    private func query(_ queries: UnsafeBufferPointer<Double>, _ i: Int) -> [Double] {
        (0..<dimensions).map { queries[i * dimensions + $0] - centre[$0] }
    }

    /// Bound on |single-precision score − exact score| for a query of squared
    /// norm `qq`: every input rounds once to Float (relative 2⁻²⁴), each of the
    /// d products and d + 1 sums once more, all of terms bounded by |q|² + 2 max |c|²;
    /// twice that, for room.
    private func margin(_ qq: Double) -> Double {
        2 * Double(2 * dimensions + 8) * 0x1p-24 * (qq + 2 * largestNorm)
    }

    /// Exact squared distance from the centred query to point `j`.
    @inline(__always)
    private func squaredDistance(_ q: [Double], _ j: Int) -> Double {
        var sum = 0.0
        for t in 0..<dimensions {
            let e = q[t] - points[j * dimensions + t]
            sum += e * e
        }
        return sum
    }

    /// Queries scored together: four accumulators in flight hide the latency
    /// of a fused multiply-add, and each block of points is loaded once for all.
    static let tile = 4

    /// Scores every block of points against a tile of queries (`weights`: −2q in
    /// Float, `tile` rows of d) and calls `visit(t, b, scores)` for each query t
    /// below `active` and block b, with |c|² − 2 q·c of the block's sixteen points.
    @inline(__always)
    private func scan(_ weights: [Float], active: Int, _ visit: (Int, Int, Lane) -> Void) {
        let d = dimensions
        let size = MemoryLayout<Float>.stride
        weights.withUnsafeBufferPointer { wq in
            packed.withUnsafeBytes { p in
                norms.withUnsafeBytes { w in
                    guard let wq = wq.baseAddress, let p = p.baseAddress, let w = w.baseAddress else { return }
                    let (w0, w1, w2, w3) = (wq, wq + d, wq + 2 * d, wq + 3 * d)
                    let stride = Self.lanes * size
                    for b in 0..<(count + Self.lanes - 1) / Self.lanes {
                        let norm = w.loadUnaligned(fromByteOffset: b &* stride, as: Lane.self)
                        var (a0, a1, a2, a3) = (norm, norm, norm, norm)
                        // Unchecked offsets (overflow checks cost a third of the loop); a
                        // multiply then an add, not a fused multiply-add, which a portable
                        // build would make a libm call per lane.
                        var at = b &* stride &* d
                        for t in 0..<d {
                            let c = p.loadUnaligned(fromByteOffset: at, as: Lane.self)
                            a0 += c * Lane(repeating: w0[t])
                            a1 += c * Lane(repeating: w1[t])
                            a2 += c * Lane(repeating: w2[t])
                            a3 += c * Lane(repeating: w3[t])
                            at &+= stride
                        }
                        visit(0, b, a0)
                        if active > 1 { visit(1, b, a1) }
                        if active > 2 { visit(2, b, a2) }
                        if active > 3 { visit(3, b, a3) }
                    }
                }
            }
        }
    }

    /// The centred queries of a tile, their squared norms and their weights −2q in Float.
    private func tile(_ rows: [[Double]]) -> (qq: [Double], weights: [Float]) {
        var weights = [Float](repeating: 0, count: Self.tile * dimensions)
        for (t, q) in rows.enumerated() { for j in 0..<dimensions { weights[t * dimensions + j] = Float(-2 * q[j]) } }
        return (rows.map { q in q.reduce(0) { $0 + $1 * $1 } }, weights)
    }

    /// Fills `best[t]` (k slots each, ascending) with each query's k smallest distances.
    private func nearest(to rows: [[Double]], k: Int, skip: [Int], into best: UnsafeMutableBufferPointer<Double>) {
        let (qq, weights) = tile(rows)
        let slack = qq.map(margin)
        var squares = [Double](repeating: .infinity, count: rows.count * k)
        var thresholds = [Lane](repeating: Lane(repeating: .infinity), count: Self.tile)
        scan(weights, active: rows.count) { t, b, scores in
            let mask = scores .< thresholds[t]
            guard any(mask) else { return }
            for lane in 0..<Self.lanes where mask[lane] {
                let j = b * Self.lanes + lane
                guard j < count, j != skip[t] else { continue }
                let s = squaredDistance(rows[t], j)
                guard s < squares[t * k + k - 1] else { continue }
                var at = k - 1
                while at > 0, squares[t * k + at - 1] > s {
                    squares[t * k + at] = squares[t * k + at - 1]
                    at -= 1
                }
                squares[t * k + at] = s
                let worst = squares[t * k + k - 1]
                if worst.isFinite { thresholds[t] = Lane(repeating: Float(worst - qq[t] + slack[t]).nextUp) }
            }
        }
        for i in 0..<squares.count { best[i] = squares[i].squareRoot() }
    }

    /// How many points lie within each query's radius, and the farthest of them.
    private func within(_ rows: [[Double]], radii: [Double], skip: [Int]) -> [(count: Int, farthest: Double)] {
        let (qq, weights) = tile(rows)
        let slack = qq.map(margin)
        let r2 = radii.map { $0 * $0 }
        // Scores below `inside` are within the radius for sure; up to `outside`, maybe.
        let inside = rows.indices.map { Lane(repeating: Float(r2[$0] - qq[$0] - slack[$0]).nextDown) }
        let outside = rows.indices.map { Lane(repeating: Float(r2[$0] - qq[$0] + slack[$0]).nextUp) }
        var found = [Int](repeating: 0, count: rows.count)
        // Sure lanes are counted in sixteen lanes of integers, summed at the end.
        var sureCounts = [SIMD16<Int32>](repeating: .zero, count: rows.count)
        var farthest = [Double](repeating: 0, count: rows.count)
        var above = [Lane](repeating: Lane(repeating: -.infinity), count: rows.count)
        scan(weights, active: rows.count) { t, b, s in
            let sure = s .< inside[t]
            let check = (s .< outside[t]) .& (.!sure .| (s .> above[t]))
            sureCounts[t] &+= SIMD16<Int32>.zero.replacing(with: 1, where: sure)
            guard any(check) else { return }
            for lane in 0..<Self.lanes where check[lane] {
                let j = b * Self.lanes + lane
                guard j < count else { continue }
                let distance = squaredDistance(rows[t], j)
                if !sure[lane], distance <= r2[t] { found[t] += 1 }
                if j != skip[t], distance <= r2[t], distance > farthest[t] {
                    farthest[t] = distance
                    above[t] = Lane(repeating: Float(distance - qq[t] - slack[t]).nextDown)
                }
            }
        }
        return rows.indices.map { t in
            // The skipped point lies within any radius (it counted, sure or checked).
            let skipped = skip[t] >= 0 && skip[t] < count && squaredDistance(rows[t], skip[t]) <= r2[t]
            return (found[t] + Int(sureCounts[t].wrappedSum()) - (skipped ? 1 : 0), farthest[t].squareRoot())
        }
    }
}
