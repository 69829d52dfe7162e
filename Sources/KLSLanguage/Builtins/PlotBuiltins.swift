import Foundation
import KLSDiagnostics
import KLSDistributions
import KLSPlot
import KLSTensor

/// Plots (language.md §7): drawn in the terminal with braille and block characters, or
/// written as SVG with `file=`.
enum PlotBuiltins {
    static let all: [Builtin] = [
        Builtin(
            "hist",
            [
                .required("x").meaning("the values to count (any shape; flattened)"),
                .optional("bins", .number(30)).meaning("how many bars"),
                .optional("density", .bool(false)).meaning("true scales the bars to area 1"),
                .optional("dist").meaning("a distribution whose density is drawn over the bars (implies density=true)"),
                .optional("file"), .optional("title"), .optional("xlabel"), .optional("ylabel"),
            ],
            theme: .plots,
            summary: "A histogram of the values of x; density=true scales it to area 1, dist=q overlays q's density.",
            example: "hist(randn(10000, seed=1), bins=20, dist=Normal(0, 1))",
            details: [
                "In the terminal, or as SVG with file=. dist= implies density=true: the bars and the curve",
                "then share one scale, so a sampler's mistakes show as bars off the curve.",
            ]
        ) { a, session throws(KLSError) in
            let x = try a.tensor("x").values.filter(\.isFinite)
            let bins = try a.integer("bins", atLeast: 1)
            guard !x.isEmpty else { throw KLSError("hist: x has no finite values") }
            guard bins <= 10_000 else { throw KLSError("hist: bins must be at most 10000, got \(bins)") }
            let (low, high) = PlotData.range(x)
            // Divided before subtracting, so that −1e308…1e308 does not overflow.
            let width = high / Double(bins) - low / Double(bins)
            var counts = [Double](repeating: 0, count: bins)
            for v in x { counts[Checked.clamped((v / width - low / width).rounded(.down), to: 0...(bins - 1))] += 1 }
            let dist = a.isNone("dist") ? nil : try DistributionBuiltins.distribution(a, "dist")
            let density = try a.bool("density") || dist != nil
            if density { counts = counts.map { $0 / (Double(x.count) * width) } }
            var data = PlotData()
            data.bars = ((0..<bins).map { low + Double($0) * width }, width, counts)
            if let dist { try overlay(dist, &data, low: low, high: low + Double(bins) * width) }
            data.title = try title(a) ?? "\(x.count) values, \(bins) bins" + (density ? ", density" : "")
            try axisLabels(a, &data)
            return try draw(data, a, session)
        },
        Builtin(
            "plot",
            [
                .required("x").meaning(
                    "the x values, or, with y=none, the y values (a vector, a list of vectors, a matrix or a "
                        + "kl_trace), or a fit's record (p's density and each optimum's)"),
                .optional("y").meaning(
                    "the y values: a vector, a list of vectors, or a matrix (one series per row or column)"),
                .optional("band", .bool(false)).meaning("for a kl_trace: shade ±2 stderr around each series"),
                .optional("exact").meaning("a number drawn as a horizontal line (the exact KL)"), .optional("file"),
                .optional("title"), .optional("labels").meaning("a list of names, one per series, for the legend"),
                .optional("xlabel"), .optional("ylabel"),
                .optional("xscale", .string("linear"), choices: ["linear", "log"]).meaning(
                    "\"log\" for powers of ten on the x axis"),
                .optional("yscale", .string("linear"), choices: ["linear", "log"]).meaning(
                    "\"log\" for powers of ten on the y axis"),
            ] + overlayParameters,
            theme: .plots,
            summary: "plot(y) or plot(x, y): one series, several (a list, or the columns of a matrix), with a legend.",
            example: "plot([kl_trace(Laplace(0, 1), Normal(1, 1), 2000, seed=1), "
                + "kl_trace(Laplace(0, 1), Normal(1, 1), 2000, seed=1, estimator=\"k3\")], labels=[\"k1\", \"k3\"])",
            details: [
                "y may be a vector, a list of vectors, or a matrix: each row or each column a series, whichever",
                "are fewer ([t1, t2], or a batched kl_trace [n, b]). labels=[\"k1\", \"k3\"] names them in a legend;",
                "xlabel=, ylabel=, title=; xscale=\"log\" and yscale=\"log\" use powers of ten.",
                "For a kl_trace, band=true shades ±2 stderr around each series and the exact KL is drawn.",
                "Over the series: marks={fit: 0.5} dashed vertical lines, points=[[x, y, err]] points with",
                "error bars (point k in series k's colour), rug=z ticks under the axis coloured by rug_sign.",
            ]
        ) { a, session throws(KLSError) in
            var data = PlotData()
            if case .record(let r) = a["x"], r.kind == "fit" {
                data = try fitDensities(r)
                try labels(a, data.lines.count, &data)
                try axisLabels(a, &data)
                try scales(a, &data)
                return try draw(data, a, session)
            }
            let traces = try series(a, session)
            data.lines = traces.map { ($0.x, $0.y) }
            if try a.bool("band") {
                for (i, trace) in traces.enumerated() {
                    let band = PlotData.convergenceBand(trace.y)
                    if i == 0 { data.band = band } else { data.moreBands[i] = band }
                }
                let shortest = traces.map(\.y.count).min() ?? 0
                data.yRangeFrom = Swift.min(shortest / 50 + 10, shortest / 2)
            }
            let exact: Double? =
                a.isNone("exact") ? traces.lazy.compactMap(\.exact).first : try a.number("exact")
            if let exact { data.reference = (exact, "exact KL = \(Formatter.number(exact))") }
            data.title = try title(a)
            if traces.contains(where: { $0.exact != nil }) || data.band != nil {
                data.xLabel = "draws"
                data.yLabel = "running estimate"
            }
            try labels(a, traces.count, &data)
            try axisLabels(a, &data)
            try overlays(a, &data)
            try scales(a, &data)
            return try draw(data, a, session)
        },
        contourBuiltin,
    ]

    /// `plot(fit(…))`: p's density and each optimum's over where they put their
    /// mass (means ± 4 standard deviations), for scalar distributions.
    static func fitDensities(_ r: Record) throws(KLSError) -> PlotData {
        guard case .distribution(let p)? = r["p"], case .list(let optima)? = r["optima"] else {
            throw KLSError("plot: the fit record has no p or optima")
        }
        var fitted: [(any Distribution, String)] = []
        for (i, item) in optima.items.enumerated() {
            guard case .record(let o) = item, case .distribution(let q)? = o["q"] else { continue }
            let value = (try? o["value"]?.asNumber()).map { Formatter.number($0, precision: 3) } ?? "?"
            fitted.append((q, "optimum \(i + 1): \(value)"))
        }
        guard p.eventShape.isEmpty else {
            throw KLSError(
                "plot: a fit's densities are drawn for scalar distributions; p has event shape "
                    + Shape.describe(p.eventShape),
                hint: "plot the draws instead: hist(sample(r.q, n=10000)[:, 0])")
        }
        var (low, high) = (Double.infinity, -Double.infinity)
        for d in [p] + fitted.map(\.0) {
            let (m, s) = (try d.mean()[flat: 0], try d.variance()[flat: 0].squareRoot())
            guard m.isFinite, s.isFinite else { continue }
            (low, high) = (Swift.min(low, m - 4 * s), Swift.max(high, m + 4 * s))
        }
        if !(low < high) { (low, high) = (-5, 5) }
        let xs = try Tensor((0..<400).map { low + (high - low) * Double($0) / 399 })
        var data = PlotData()
        for d in [p] + fitted.map(\.0) { data.lines.append((xs.values, try d.logpdf(xs).map(.exp).values)) }
        data.labels = ["p"] + fitted.map(\.1)
        let name = (try? r["divergence"]?.asString()) ?? "?"
        data.title = "p and the \(name) fits"
        return data
    }

    /// One series of a plot: x, y, and the exact KL of the kl_trace it came from.
    struct Series {
        var x: [Double]
        var y: [Double]
        var exact: Double?
    }

    /// The series plot's arguments hold: `plot(y)`, `plot(x, y)`, a list of
    /// vectors, or a matrix whose columns are series.
    static func series(_ a: Arguments, _ session: Interpreter) throws(KLSError) -> [Series] {
        let firstIsList: Bool = { if case .list = a["x"] { return true } else { return false } }()
        if a.isNone("y") && !firstIsList {
            return try columns(of: try a.tensor("x"), xs: nil, exactOf: a["x"], session)
        }
        if firstIsList {
            guard a.isNone("y") else { throw KLSError("plot: give the series as y, or as a list without y") }
            return try listSeries(a["x"], xs: nil, session)
        }
        let xs = try a.tensor("x")
        guard xs.rank == 1 else { throw KLSError("plot: x must be 1-D, got shape \(Shape.describe(xs.shape))") }
        if case .list = a["y"] { return try listSeries(a["y"], xs: xs.values, session) }
        return try columns(of: try a.tensor("y"), xs: xs.values, exactOf: a["y"], session)
    }

    static func listSeries(_ value: Value, xs: [Double]?, _ session: Interpreter) throws(KLSError) -> [Series] {
        guard case .list(let items) = value, !items.items.isEmpty else { throw KLSError("plot: the list is empty") }
        var result: [Series] = []
        for (i, item) in items.items.enumerated() {
            let y = try item.asTensor("plot: series \(i)")
            guard y.rank == 1 else {
                throw KLSError("plot: series \(i) must be 1-D, got shape \(Shape.describe(y.shape))")
            }
            result += try columns(of: y, xs: xs, exactOf: item, session)
        }
        return result
    }

    /// A vector as one series; a matrix as one series per row or per column,
    /// whichever are fewer — so `[t1, t2]` (two rows) and a batched kl_trace
    /// `[n, b]` (b columns) both plot as meant.
    static func columns(of y: Tensor, xs: [Double]?, exactOf source: Value, _ session: Interpreter)
        throws(KLSError) -> [Series]
    {
        guard y.rank == 1 || y.rank == 2, y.count > 0 else {
            throw KLSError(Messages.plotLengths(xs.map { [$0.count] } ?? [], y.shape))
        }
        let exact: Double? = {
            guard case .tensor(let t) = source else { return nil }
            return t.storage.referenceLine
        }()
        let byRow = y.rank == 2 && y.shape[0] < y.shape[1]
        let length = byRow ? y.shape[1] : y.shape[0]
        let xValues = xs ?? (0..<length).map { Double($0 + 1) }
        guard xValues.count == length else { throw KLSError(Messages.plotLengths([xValues.count], y.shape)) }
        if y.rank == 1 { return [Series(x: xValues, y: y.values, exact: exact)] }
        let (rows, columns) = (y.shape[0], y.shape[1])
        let count = byRow ? rows : columns
        guard count <= 64 else { throw KLSError("plot: \(count) series are too many (at most 64)") }
        return (0..<count).map { k in
            let values =
                byRow ? (0..<columns).map { y[flat: k * columns + $0] } : (0..<rows).map { y[flat: $0 * columns + k] }
            return Series(x: xValues, y: values, exact: nil)
        }
    }

    static func labels(_ a: Arguments, _ count: Int, _ data: inout PlotData) throws(KLSError) {
        guard !a.isNone("labels") else { return }
        let names = try a.read("labels") { v, what throws(KLSError) -> [String] in
            guard case .list(let items) = v else { throw KLSError("\(what) must be a list of strings") }
            var names: [String] = []
            for item in items.items { names.append(try item.asString(what)) }
            return names
        }
        guard names.count == count else {
            throw KLSError("plot: \(names.count) labels for \(count) series")
        }
        data.labels = names
    }

    static func axisLabels(_ a: Arguments, _ data: inout PlotData) throws(KLSError) {
        if !a.isNone("xlabel") { data.xLabel = try a.string("xlabel") }
        if !a.isNone("ylabel") { data.yLabel = try a.string("ylabel") }
    }

    /// xscale="log" / yscale="log": the data become log₁₀ of themselves.
    static func scales(_ a: Arguments, _ data: inout PlotData) throws(KLSError) {
        for axis in ["xscale", "yscale"] {
            let scale = try a.string(axis)
            guard scale == "linear" || scale == "log" else {
                throw KLSError("plot: \(axis) must be \"linear\" or \"log\", got \"\(scale)\"")
            }
            guard scale == "log" else { continue }
            let values = data.lines.flatMap { axis == "xscale" ? $0.x : $0.y }
            guard values.allSatisfy({ !$0.isFinite || $0 > 0 }) else {
                throw KLSError(
                    "plot: \(axis)=\"log\" needs positive values", hint: "plot abs(y), or y − min(y) + 1e-12")
            }
            let log = { (v: [Double]) in v.map { Foundation.log10($0) } }
            data.lines = data.lines.map { axis == "xscale" ? (log($0.x), $0.y) : ($0.x, log($0.y)) }
            if axis == "xscale" {
                data.logX = true
                data.marks = data.marks.map { (Foundation.log10($0.x), $0.label) }
                data.points = data.points.map { (Foundation.log10($0.x), $0.y, $0.error) }
                data.rug = data.rug.map { (log($0.x), $0.positive) }
            } else {
                // An error bar is not symmetric on a log scale: the points keep no bar there.
                data.points = data.points.map { (x: $0.x, y: Foundation.log10($0.y), error: 0.0) }
                data.logY = true
                data.band = nil
                data.moreBands = [:]
                data.reference = data.reference.flatMap { $0.value > 0 ? (Foundation.log10($0.value), $0.label) : nil }
            }
        }
    }

    /// q's density over `low…high` as a line over the bars.
    static func overlay(_ dist: any Distribution, _ data: inout PlotData, low: Double, high: Double) throws(KLSError) {
        guard dist.eventShape.isEmpty, dist.batchShape.reduce(1, *) == 1 else {
            let shape = Shape.describe(dist.sampleShape)
            throw KLSError("hist: dist= takes one scalar distribution, got \(dist.family) of shape \(shape)")
        }
        let xs = (0...200).map { low + (high - low) * Double($0) / 200 }
        let points = try Tensor(xs).reshaped([201] + dist.batchShape.map { _ in 1 })
        let density = try dist.logpdf(points).map(.exp).values
        data.lines = [(xs, density)]
        data.labels = ["\(dist.family) density"]
    }

    static func title(_ a: Arguments) throws(KLSError) -> String? {
        a.isNone("title") ? nil : try a.string("title")
    }

    /// Shows the plot through the environment (text sized to the terminal, or
    /// a notebook's picture), or writes the SVG file.
    static func draw(_ data: PlotData, _ a: Arguments, _ session: Interpreter) throws(KLSError) -> Value {
        let format = Formatter.plotNumber
        guard !a.isNone("file") else {
            session.environment.show(plot: data, format: format)
            return .none
        }
        let path = try a.string("file")
        guard path.lowercased().hasSuffix(".svg") else {
            throw KLSError("\(a.function): file must name an .svg file, got \"\(path)\"")
        }
        try session.environment.writeFile(path, contents: SVGPlot().render(data, format: format))
        session.environment.output("wrote \(path)")
        return .none
    }
}
