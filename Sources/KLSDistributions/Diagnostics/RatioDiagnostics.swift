import CVectorMath
import Foundation
import KLSDiagnostics
import KLSTensor

/// What the draws say about the ratio r = p(z)/q(z) = e^(−ℓ) for one batch
/// element. E_q[r] = 1 exactly when p's support lies inside q's, and k3 − k1 =
/// r − 1 term by term, so a mean of r away from 1 is at once a support
/// mismatch (which biases k2 and k3) and a disagreement of k1 and k3. The
/// Pareto k̂ of r's upper tail says whether averages of r (k3's) can be trusted.
public struct RatioDiagnostics: Sendable {
    /// The mean of r over the draws, and its standard error.
    public let meanR: Double
    public let meanRStandardError: Double
    /// Pareto k̂ of r's upper tail (nan with too few draws or no tail).
    public let paretoK: Double
    /// Draws the diagnostics rest on.
    public let draws: Int

    /// k̂ above which k3's average is not to be trusted (Vehtari et al.).
    public static let paretoLimit = 0.7

    /// True when the mean of r differs from 1 at all although every r was the
    /// same, or, from 30 draws on (below, the standard error is itself too
    /// noisy), by more than 4.5 standard errors.
    public var meanRDisagrees: Bool {
        let gap = Swift.abs(meanR - 1)
        if gap.isNaN || draws < 2 { return false }
        if meanRStandardError == 0 { return gap > 1e-12 }
        return draws >= 30 && gap > 4.5 * meanRStandardError
    }

    /// Draws below which k̂, fitted on fewer than 68 ratios, is too noisy to
    /// warn on: of k̂s from 100 draws of a log-normal r (σ = 1, so the variance
    /// is finite), one in 25 exceeds 0.7; from 200, one in 90; from 500, one in
    /// 400; from 1000, one in 700.
    public static let minimumDrawsToWarn = 500

    /// True when k̂ says r's tail is too heavy for its average.
    public var heavyTail: Bool { draws >= Self.minimumDrawsToWarn && paretoK > Self.paretoLimit }
}

/// Streams, per batch element, the moments of r and the largest values of
/// log r (the smallest ℓ) across chunks. Chunks are folded in order, but the
/// kept tail is the same set whatever the order.
///
/// Candidates are appended to a pool; when it holds twice the tail, one
/// selection keeps the tail and its largest ℓ becomes the bar later candidates
/// must pass — a few comparisons per candidate rather than a heap's sift
/// (the merge runs on the calling thread between rounds, while the workers wait).
public struct RatioAccumulator: Sendable {
    /// Tail values kept per element: the fitted tail plus its threshold.
    let keep: Int
    private(set) var moments: [Moments]
    /// Per element: candidates, among which are the `keep` smallest ℓ so far.
    private var pools: [[Double]]
    /// Per element: the largest ℓ of the last selection (+inf before the first):
    /// `keep` values at most this were seen, so no larger ℓ can be in the tail.
    private var bars: [Double]

    /// An accumulator for `n` draws of `batch` elements; the tail of each is
    /// ⌈min(0.2 n, 3 √n)⌉ ratios, at most 65,536 over the whole batch (but at
    /// least 100 per element): a round of chunks holds up to that many
    /// candidates per chunk until it is merged.
    public init(n: Int, batch: Int) throws(KLSError) {
        let tail = Swift.min(ParetoTail.tailLength(draws: n), Swift.max(100, (1 << 16) / Swift.max(batch, 1)))
        keep = tail + 1
        try MemoryLimit.check(
            elements: try Checked.product([3 * keep, batch], what: "the tails of r"), what: "the tails of r")
        moments = Array(repeating: Moments(), count: batch)
        pools = Array(repeating: [], count: batch)
        bars = Array(repeating: .infinity, count: batch)
    }

    /// Per element, the ℓ below which a draw may enter the kept tail.
    var thresholds: [Double] { bars }

    /// Folds in one chunk's part.
    mutating func merge(_ part: RatioPart) {
        for b in moments.indices {
            moments[b].merge(part.moments[b])
            let bar = bars[b]
            for l in part.candidates[b] where l < bar { pools[b].append(l) }
            if pools[b].count >= 2 * keep {
                Selection.keepSmallest(keep, of: &pools[b])
                bars[b] = pools[b].max() ?? .infinity
            }
        }
    }

    /// Folds in `count` rows of log-ratios (count × batch), for callers that
    /// stream their own draws.
    public mutating func add(_ logRatios: UnsafePointer<Double>, count: Int) {
        merge(RatioPart(logRatios, count: count, batch: moments.count, thresholds: thresholds, keep: keep))
    }

    /// The diagnostics of every element.
    public func diagnostics() -> [RatioDiagnostics] {
        moments.indices.map { b in
            var tail = pools[b]
            Selection.keepSmallest(keep, of: &tail)
            let logs = tail.map { -$0 }.sorted()
            return RatioDiagnostics(
                meanR: moments[b].mean, meanRStandardError: moments[b].standardError,
                paretoK: ParetoTail.shape(ascendingLogs: logs), draws: Int(moments[b].count))
        }
    }
}

/// One chunk's contribution: the moments of r and the ℓ values below the
/// thresholds (at most `keep` per element, the smallest).
struct RatioPart {
    var moments: [Moments]
    var candidates: [[Double]]

    /// The part of `count` draws of log-ratios `logRatios` (count × batch), in
    /// one pass per element: r = e^(−ℓ) eight at a time, summed as r − r₀ (r₀ the
    /// element's first ratio, so that constant ratios give a spread of exactly 0),
    /// and the rare ℓ below the threshold set aside.
    init(_ logRatios: UnsafePointer<Double>, count: Int, batch: Int, thresholds: [Double], keep: Int) {
        moments = []
        candidates = Array(repeating: [], count: batch)
        guard count > 0 else {
            moments = Array(repeating: Moments(), count: batch)
            return
        }
        let column = UnsafeMutablePointer<Double>.allocate(capacity: batch == 1 ? 0 : count)
        defer { column.deallocate() }
        for b in 0..<batch {
            let values: UnsafePointer<Double>
            if batch == 1 {
                values = logRatios
            } else {
                for s in 0..<count { column[s] = logRatios[s * batch + b] }
                values = UnsafePointer(column)
            }
            var (part, chosen) = Self.column(values, count: count, threshold: thresholds[b])
            moments.append(part)
            Selection.keepSmallest(keep, of: &chosen)
            candidates[b] = chosen
        }
    }

    /// Moments of r over one element's ℓ, and the ℓ below `threshold`.
    private static func column(_ l: UnsafePointer<Double>, count: Int, threshold: Double) -> (Moments, [Double]) {
        let shift = Foundation.exp(-l[0])
        let blocks = count / 8
        // The ℓ below the threshold are few: gathered in scratch, kept in an array of their size.
        var (sum, squares) = (SIMD8<Double>(), SIMD8<Double>())
        var chosen = withUnsafeTemporaryAllocation(of: Double.self, capacity: Swift.max(1, blocks * 8)) { buffer in
            guard let below = buffer.baseAddress else { return [Double]() }
            let result = kls_ratio_blocks(l, blocks, shift, threshold, below)
            sum = unsafeBitCast(result.sum, to: SIMD8<Double>.self)
            squares = unsafeBitCast(result.squares, to: SIMD8<Double>.self)
            return Array(UnsafeBufferPointer(start: below, count: result.found))
        }
        var i = blocks * 8
        var tailSum = 0.0
        var tailSquares = 0.0
        while i < count {
            let d = Foundation.exp(-l[i]) - shift
            tailSum += d
            tailSquares += d * d
            if l[i] < threshold { chosen.append(l[i]) }
            i += 1
        }
        let n = Double(count)
        let total = sum.sum() + tailSum
        var moments = Moments()
        moments.count = n
        moments.mean = shift + total / n
        // Σd² − (Σd)²/n: the shift keeps this from cancelling unless r's spread
        // is far below its distance from r₀, which one chunk's first draw makes rare.
        moments.m2 = total.isFinite ? Swift.max(0, squares.sum() + tailSquares - total * total / n) : .nan
        if moments.mean.isInfinite { moments.m2 = .infinity }
        return (moments, chosen)
    }
}
