import Foundation

/// What a plot shows, independent of how it is drawn (terminal text or SVG).
public struct PlotData: Sendable {
    /// Line series: x and y of equal length.
    public var lines: [(x: [Double], y: [Double])] = []
    /// The series' names for the legend (none: no legend), in `lines`' order.
    public var labels: [String] = []
    /// A shaded band (low and high at each x of the first series).
    public var band: (low: [Double], high: [Double])? = nil
    /// Bands for the other series, by series index (a band per convergence trace).
    public var moreBands: [Int: (low: [Double], high: [Double])] = [:]
    /// Axes drawn on a log₁₀ scale: the data are already log₁₀ of the values,
    /// ticks fall on powers of ten and are labelled with the values.
    public var logX = false
    public var logY = false
    /// A horizontal reference line and its label (the exact KL).
    public var reference: (value: Double, label: String)? = nil
    /// Vertical marks across the plot (an optimum, a mean): x and a label.
    public var marks: [(x: Double, label: String)] = []
    /// Points with vertical error bars (y ± error), point k in series k's colour.
    public var points: [(x: Double, y: Double, error: Double)] = []
    /// A rug: a tick under the x axis at each x, told apart by sign (importance
    /// weights above or below 1); it does not set the x range.
    public var rug: (x: [Double], positive: [Bool])? = nil
    /// What the rug's two signs mean, for the key under the plot.
    public var rugLabel: String? = nil
    /// Histogram bars: left edges, width and counts.
    public var bars: (edges: [Double], width: Double, counts: [Double])? = nil
    /// Rows of the plot area when drawn in text (`height=`), else the renderer's.
    public var textRows: Int? = nil
    public var title: String? = nil
    public var xLabel: String? = nil
    public var yLabel: String? = nil
    /// Points before this index do not set the y range (a trace's first draws
    /// swing wildly and would flatten the rest); they are still drawn, clipped.
    public var yRangeFrom = 0

    /// An empty plot; set the series to draw.
    public init() {}

    /// A fixed x range (a live plot's frames keep the axis of the whole run, so
    /// the line grows across it); nil: what the data cover.
    public var xLimits: (low: Double, high: Double)? = nil

    /// The x range covered by everything drawn, or `xLimits`.
    public var xRange: (Double, Double) {
        if let xLimits, xLimits.low < xLimits.high { return (xLimits.low, xLimits.high) }
        var values = lines.flatMap(\.x) + marks.map(\.x) + points.map(\.x)
        if let bars { values += bars.edges + [bars.edges.last.map { $0 + bars.width } ?? 0] }
        return PlotData.range(values)
    }

    /// The y range covered by everything drawn (bars start at zero).
    public var yRange: (Double, Double) {
        var values = lines.flatMap { $0.y.dropFirst(Swift.min(yRangeFrom, Swift.max(0, $0.y.count - 1))) }
        for band in [band].compactMap({ $0 }) + moreBands.values {
            values += band.low.dropFirst(yRangeFrom) + band.high.dropFirst(yRangeFrom)
        }
        if let reference { values.append(reference.value) }
        if let bars { values += bars.counts + [0] }
        for point in points { values += [point.y - point.error, point.y + point.error] }
        return PlotData.range(values)
    }

    public static func range(_ values: [Double]) -> (Double, Double) {
        let finite = values.filter(\.isFinite)
        guard var low = finite.min(), var high = finite.max() else { return (0, 1) }
        if low == high {
            low -= Swift.max(0.5, Swift.abs(low) * 0.1)
            high += Swift.max(0.5, Swift.abs(high) * 0.1)
        }
        return (low, high)
    }

    /// Where `value` lies between `low` (0) and `high` (1), computed on halves so
    /// that a range like −1e308…1e308 does not overflow to inf.
    public static func fraction(_ value: Double, _ low: Double, _ high: Double) -> Double {
        (value / 2 - low / 2) / (high / 2 - low / 2)
    }

    /// About `count` round tick values covering `low…high` (1, 2 or 5 × 10ᵏ apart).
    /// Ticks are numbered, not accumulated, so a step below the spacing of doubles
    /// at `low` (1e16…1e16 + 2) cannot stall the loop; there are never more than
    /// a few times `count`.
    public static func ticks(_ low: Double, _ high: Double, count: Int = 5) -> [Double] {
        let span = high / 2 - low / 2
        guard span > 0, span.isFinite else { return [low] }
        let raw = 2 * span / Double(count)
        let magnitude = Foundation.pow(10, Foundation.floor(Foundation.log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        let first = Foundation.ceil(low / step)
        var ticks: [Double] = []
        for i in 0..<(4 * count) {
            let t = (first + Double(i)) * step
            guard t <= high + step * 1e-9 else { break }
            if let last = ticks.last, t <= last { continue }
            ticks.append(Swift.abs(t) < step * 1e-9 ? 0 : t)
        }
        return ticks.isEmpty ? [low] : ticks
    }

    /// Ticks for an axis: powers of ten on a log axis (in log₁₀ units) when
    /// the range spans at least one, else round values.
    public static func axisTicks(_ low: Double, _ high: Double, log: Bool, count: Int = 5) -> [Double] {
        guard log, high - low >= 1, (high - low).isFinite else { return ticks(low, high, count: count) }
        let step = Swift.max(1, Foundation.ceil((high - low) / Double(count)))
        var ticks: [Double] = []
        var t = Foundation.ceil(low / step) * step
        while t <= high + 1e-9, ticks.count < 4 * count {
            ticks.append(t)
            t += step
        }
        return ticks
    }

    /// The colour-blind-safe palette of Okabe & Ito (2008) without black, as
    /// hex colours (SVG) and as 256-colour terminal codes, in drawing order.
    public static let palette: [(hex: String, terminal: Int)] = [
        ("#0072B2", 25), ("#E69F00", 214), ("#009E73", 36), ("#CC79A7", 175), ("#56B4E9", 74),
        ("#D55E00", 166), ("#F0E442", 227),
    ]

    /// A convergence band from a running mean: the terms are recovered from the
    /// running means, and the band is mean ± 2 standard errors at each step.
    public static func convergenceBand(_ runningMean: [Double]) -> (low: [Double], high: [Double]) {
        var low: [Double] = []
        var high: [Double] = []
        var previous = 0.0
        var mean = 0.0
        var m2 = 0.0
        for (i, m) in runningMean.enumerated() {
            let n = Double(i + 1)
            let term = n * m - (n - 1) * previous
            previous = m
            let delta = term - mean
            mean += delta / n
            m2 += delta * (term - mean)
            let stderr = n > 1 ? (m2 / (n - 1) / n).squareRoot() : 0
            low.append(m - 2 * stderr)
            high.append(m + 2 * stderr)
        }
        return (low, high)
    }
}
