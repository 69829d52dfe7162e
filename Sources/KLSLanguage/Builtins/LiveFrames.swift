import KLSDiagnostics
import KLSDistributions
import KLSPlot
import KLSTensor

/// The frames of live pictures (`live=true`): what kl_trace, minimize and fit
/// show while they run, built from what they have so far.
enum LiveFrames {
    /// The parameter, declared once for each builtin that takes it.
    static let parameter = Parameter.optional("live", .bool(false)).meaning(
        "true draws the picture while it runs (the REPL on a terminal, a notebook), a few frames a second")

    /// The running estimate of a kl_trace at the ends of the rounds of chunks
    /// so far: draws, mean and standard error.
    final class Trace {
        var draws: [Double] = []
        var means: [Double] = []
        var errors: [Double] = []

        func record(_ done: Int, _ moments: Moments) {
            draws.append(Double(done))
            means.append(moments.mean)
            errors.append(moments.count > 1 ? moments.standardError : 0)
        }

        /// The running estimate ± 2 stderr over the whole run's x axis, the
        /// exact KL as a line.
        func frame(label: String, total: Int, exact: Double?) -> PlotData {
            var data = PlotData()
            data.lines = [(draws, means)]
            data.band = (zip(means, errors).map { $0 - 2 * $1 }, zip(means, errors).map { $0 + 2 * $1 })
            data.xLimits = (0, Double(total))
            if let exact { data.reference = (exact, "exact KL = \(Formatter.number(exact))") }
            let done = draws.last ?? 0
            let percent = Checked.clamped(100 * done / Double(Swift.max(total, 1)), to: 0...100)
            var title = "\(label): \(percent)% of "
            title += "\(Formatter.number(Double(total))) draws"
            if let mean = means.last, let error = errors.last {
                title += " · \(Formatter.number(mean, precision: 4)) ± \(Formatter.number(error, precision: 2))"
            }
            data.title = title + "  (live)"
            data.xLabel = "draws"
            data.yLabel = "running estimate"
            return data
        }
    }

    /// minimize's f at each step so far, over the axis of all its steps.
    static func minimize(_ values: [Double], steps: Int, best: Double) -> PlotData {
        var data = PlotData()
        data.lines = [((1...Swift.max(1, values.count)).map(Double.init), values)]
        data.xLimits = (1, Double(Swift.max(steps, 2)))
        data.yRangeFrom = Swift.min(values.count / 50 + 3, values.count / 2)
        data.title =
            "minimize: step \(values.count)/\(steps) · f = \(Formatter.number(values.last ?? .nan, precision: 4))"
            + " · best \(Formatter.number(best, precision: 4))  (live)"
        data.xLabel = "step"
        data.yLabel = "f"
        return data
    }
}

extension LiveFrames {
    /// fit's picture while it runs: for a scalar p, p's density, the q being
    /// fitted now and the optima found so far; otherwise the objective at each
    /// evaluation.
    final class Fit {
        let divergence: String
        let starts: Int
        /// p's density over where it puts its mass (scalar p), and the grid.
        let grid: [Double]?
        let density: [Double]
        var objective: [Double] = []
        var found: [any Distribution] = []
        var start = 0

        init(p: any Distribution, divergence: String, starts: Int) {
            self.divergence = divergence
            self.starts = starts
            let range: (Double, Double)? = {
                guard p.eventShape.isEmpty, let m = try? p.mean()[flat: 0], let v = try? p.variance()[flat: 0],
                    m.isFinite, v.isFinite, v > 0
                else { return nil }
                return (m - 4 * v.squareRoot(), m + 4 * v.squareRoot())
            }()
            let xs = range.map { r in (0..<300).map { r.0 + (r.1 - r.0) * Double($0) / 299 } }
            grid = xs
            density = xs.flatMap { Fit.density(p, $0) } ?? []
        }

        static func density(_ d: any Distribution, _ xs: [Double]) -> [Double]? {
            guard let points = try? Tensor(xs), let values = try? d.logpdf(points).map(.exp).values,
                values.count == xs.count
            else { return nil }
            return values
        }

        /// One evaluation of the objective: recorded, and a frame drawn when one
        /// is due (its q built only then).
        func evaluated(
            _ objective: Double, _ plot: LivePlot?, q: () throws(KLSError) -> any Distribution
        ) {
            self.objective.append(objective)
            plot?.update { frame(current: q) }
        }

        func frame(current q: () throws(KLSError) -> any Distribution) -> PlotData {
            var data = PlotData()
            let value = Formatter.number(objective.last ?? .nan, precision: 4)
            data.title =
                "fit (\(divergence)): start \(start + 1) of \(starts) · evaluation \(objective.count) · "
                + "objective \(value)  (live)"
            if let grid, !density.isEmpty, let current = try? q(), let now = Fit.density(current, grid) {
                data.lines = [(grid, density), (grid, now)]
                data.labels = ["p", "q now"]
                for (i, o) in found.enumerated() {
                    guard let values = Fit.density(o, grid) else { continue }
                    data.lines.append((grid, values))
                    data.labels.append("optimum \(i + 1)")
                }
                return data
            }
            data.lines = [((1...Swift.max(1, objective.count)).map(Double.init), objective)]
            data.yRangeFrom = Swift.min(objective.count / 50 + 3, objective.count / 2)
            data.xLabel = "evaluation"
            data.yLabel = "objective"
            return data
        }
    }
}
