import Foundation
import KLSTensor

/// The shape k of a generalized Pareto distribution fitted to the upper tail of
/// importance ratios, as in Pareto-smoothed importance sampling (Vehtari,
/// Simpson, Gelman, Yao & Gabry, "Pareto Smoothed Importance Sampling", JMLR
/// 25, 2024). k < 0.5: the ratios have a finite variance; 0.5 ≤ k < 1: the mean
/// exists but the variance does not; k ≥ 1: not even the mean. Above 0.7 an
/// average of the ratios is not reliable at any practical sample size.
public enum ParetoTail {
    /// Ratios in the fitted tail for n draws: ⌈min(0.2 n, 3 √n)⌉ (Vehtari et al., §3.1).
    public static func tailLength(draws n: Int) -> Int {
        let x = Swift.min(0.2 * Double(n), 3 * Double(n).squareRoot())
        return Int(x.rounded(.up))
    }

    /// Fewest tail ratios k̂ is fitted on; fewer draws give k̂ = nan.
    public static let minimumTail = 5

    /// k̂ from the largest log-ratios `logs` (log r, ascending): the first is the
    /// threshold, the rest the tail. nan when there are too few, or when every
    /// tail ratio equals the threshold (r has no tail to fit); +inf when some
    /// ratio is infinite.
    public static func shape(ascendingLogs logs: [Double]) -> Double {
        guard logs.count > minimumTail, let largest = logs.last else { return .nan }
        if largest == .infinity { return .infinity }
        guard largest.isFinite else { return .nan }
        // Ratios scaled by the largest: k is scale-free, and e^(log − largest) ≤ 1 cannot overflow.
        let threshold = Foundation.exp(logs[0] - largest)
        let exceedances = logs.dropFirst().map { Swift.max(0, Foundation.exp($0 - largest) - threshold) }
        return fitShape(exceedances)
    }

    /// Zhang & Stephens' empirical-Bayes estimate of k ("A new and efficient
    /// estimation method for the generalized Pareto distribution", Technometrics
    /// 51, 2009), with PSIS's weakly informative prior pulling it toward 0.5 as
    /// if by 10 more observations. `x`: exceedances, ascending, ≥ 0.
    static func fitShape(_ x: [Double]) -> Double {
        let n = x.count
        guard let largest = x.last, largest > 0 else { return .nan }
        // The quartile scales the grid of b; ties at the threshold (0) would make it 0.
        var quartile = x[Swift.max(0, Int(Double(n) / 4 + 0.5) - 1)]
        if quartile <= 0 { quartile = x.first { $0 > 0 } ?? largest }
        let m = 30 + Int(Double(n).squareRoot())
        // Each grid point is a pass over the whole tail (tens of thousands of
        // log1p for a long run): the points are independent, so both cores
        // share them, each computed as alone.
        let points = UnsafeMutableBufferPointer<(b: Double, l: Double)>.allocate(capacity: m)
        defer { points.deallocate() }
        Parallel.perform(iterations: m) { i in
            let b = (1 - (Double(m) / (Double(i + 1) - 0.5)).squareRoot()) / (3 * quartile) + 1 / largest
            let k = meanLog1p(x, times: -b)
            points.initializeElement(at: i, to: (b, Double(n) * (Foundation.log(-b / k) - k - 1)))
        }
        let finite = points.filter { $0.l.isFinite }
        let grid = finite.map(\.b)
        let logLikelihood = finite.map(\.l)
        guard let top = logLikelihood.max() else { return .nan }
        // Weights are the normalised likelihoods; those below 10ε are dropped, as in PSIS.
        var weights = logLikelihood.map { Foundation.exp($0 - top) }
        let total = weights.reduce(0, +)
        weights = weights.map { $0 / total }
        var kept = 0.0
        var posteriorB = 0.0
        for (b, w) in zip(grid, weights) where w >= 10 * Double.ulpOfOne {
            kept += w
            posteriorB += b * w
        }
        posteriorB /= kept
        let k = meanLog1p(x, times: -posteriorB)
        return (Double(n) * k + 10 * 0.5) / (Double(n) + 10)
    }

    /// The mean of log(1 + c·xᵢ), eight at a time (the fit's hot loop).
    private static func meanLog1p(_ x: [Double], times c: Double) -> Double {
        x.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return .nan }
            let raw = UnsafeRawPointer(base)
            var sums = VectorMath.Vector()
            var i = 0
            while i + 8 <= buffer.count {
                sums += VectorMath.log1p(c * raw.loadUnaligned(fromByteOffset: i * 8, as: VectorMath.Vector.self))
                i += 8
            }
            var sum = sums.sum()
            while i < buffer.count {
                sum += Foundation.log1p(c * base[i])
                i += 1
            }
            return sum / Double(buffer.count)
        }
    }
}
