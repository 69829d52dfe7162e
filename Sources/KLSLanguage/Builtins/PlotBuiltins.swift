import Foundation
import KLSDiagnostics
import KLSPlot
import KLSTensor

/// Plots (language.md §7): drawn in the terminal with braille and block characters, or
/// written as SVG with `file=`.
enum PlotBuiltins {
    static let all: [Builtin] = [
        Builtin(
            "hist", [.required("x"), .optional("bins", .number(30)), .optional("file"), .optional("title")],
            theme: .plots,
            summary: "A histogram of the values of x, in the terminal or as SVG with file=.",
            example: "hist(randn(10000, seed=1), bins=20)"
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
            var data = PlotData()
            data.bars = ((0..<bins).map { low + Double($0) * width }, width, counts)
            data.title = try title(a) ?? "\(x.count) values, \(bins) bins"
            return try draw(data, a, session)
        },
        Builtin(
            "plot",
            [
                .required("x"), .optional("y"), .optional("band", .bool(false)), .optional("exact"), .optional("file"),
                .optional("title"),
            ],
            theme: .plots,
            summary: "plot(y) or plot(x, y); for a kl_trace, band=true shades ±2 stderr and the exact KL is drawn.",
            example: "plot(kl_trace(Normal(0, 1), Normal(1, 1), 2000, seed=1), band=true)"
        ) { a, session throws(KLSError) in
            let first = try a.tensor("x")
            let ys = a.isNone("y") ? first : try a.tensor("y")
            let xs = a.isNone("y") ? try Tensor.arange(1, Double(first.count + 1), step: 1) : first
            guard ys.rank <= 1, xs.count == ys.count, ys.count > 0 else {
                throw KLSError(Messages.plotLengths(xs.shape, ys.shape))
            }
            var data = PlotData()
            data.lines = [(xs.values, ys.values)]
            if try a.bool("band") {
                data.band = PlotData.convergenceBand(ys.values)
                data.yRangeFrom = Swift.min(ys.count / 50 + 10, ys.count / 2)
            }
            let exact: Double? = a.isNone("exact") ? session.traceExact(of: first) : try a.number("exact")
            if let exact { data.reference = (exact, "exact KL = \(Formatter.number(exact))") }
            data.title = try title(a)
            if session.traceExact(of: first) != nil || data.band != nil {
                data.xLabel = "draws"
                data.yLabel = "running estimate"
            }
            return try draw(data, a, session)
        },
    ]

    static func title(_ a: Arguments) throws(KLSError) -> String? {
        a.isNone("title") ? nil : try a.string("title")
    }

    /// Prints a text plot sized to the terminal, or writes the SVG file.
    static func draw(_ data: PlotData, _ a: Arguments, _ session: Interpreter) throws(KLSError) -> Value {
        let format = { (v: Double) in Formatter.number(v, precision: 4) }
        guard !a.isNone("file") else {
            session.environment.output(TextPlot(width: session.environment.displayWidth).render(data, format: format))
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
