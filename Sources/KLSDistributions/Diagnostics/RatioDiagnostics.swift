import Foundation
import HeapModule
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
/// log r (kept as the smallest ℓ in a bounded max-heap) across chunks. Chunks
/// are folded in order, but the kept tail is the same set whatever the order.
struct RatioAccumulator {
    /// Tail values kept per element: the fitted tail plus its threshold.
    let keep: Int
    private(set) var moments: [Moments]
    private var tails: [Heap<Double>]

    /// An accumulator for `n` draws of `batch` elements; the tail of each is
    /// ⌈min(0.2 n, 3 √n)⌉ ratios, fewer for very large batches (about 4 M kept values in all).
    init(n: Int, batch: Int) throws(KLSError) {
        let tail = Swift.min(ParetoTail.tailLength(draws: n), Swift.max(100, (1 << 22) / Swift.max(batch, 1)))
        keep = tail + 1
        try MemoryLimit.check(
            elements: try Checked.product([keep, batch], what: "the tails of r"), what: "the tails of r")
        moments = Array(repeating: Moments(), count: batch)
        tails = Array(repeating: Heap<Double>(), count: batch)
    }

    /// Per element, the ℓ below which a draw enters the kept tail (+inf until it is full).
    var thresholds: [Double] {
        tails.map { heap in heap.count < keep ? .infinity : (heap.max ?? .infinity) }
    }

    /// Folds in one chunk's part.
    mutating func merge(_ part: RatioPart) {
        for b in moments.indices {
            moments[b].merge(part.moments[b])
            for l in part.candidates[b] {
                if tails[b].count < keep {
                    tails[b].insert(l)
                } else if let top = tails[b].max, l < top {
                    tails[b].replaceMax(with: l)
                }
            }
        }
    }

    /// The diagnostics of every element.
    func diagnostics() -> [RatioDiagnostics] {
        moments.indices.map { b in
            let logs = tails[b].unordered.map { -$0 }.sorted()
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

    /// The part of `count` draws of log-ratios `logRatios` (count × batch).
    init(_ logRatios: UnsafePointer<Double>, count: Int, batch: Int, thresholds: [Double], keep: Int) {
        let total = count * batch
        let ratios = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(total, 1))
        defer { ratios.deallocate() }
        VectorMath.apply(logRatios, ratios, 0..<total, { VectorMath.exp(-$0) }, { Foundation.exp(-$0) })
        moments = (0..<batch).map { b in Moments(ratios + b, count, stride: batch) }
        var candidates = Array(repeating: [Double](), count: batch)
        for s in 0..<count {
            for b in 0..<batch where logRatios[s * batch + b] < thresholds[b] {
                candidates[b].append(logRatios[s * batch + b])
            }
        }
        for b in 0..<batch where candidates[b].count > keep {
            candidates[b].sort()
            candidates[b].removeLast(candidates[b].count - keep)
        }
        self.candidates = candidates
    }
}
