import Foundation

/// Draws a `PlotData` as a standalone SVG: axes with round ticks (powers of ten
/// on a log axis) and labels, a title, each series a polyline in the
/// colour-blind-safe palette with its band as a translucent polygon, a legend,
/// the reference as a dashed line with its label, histogram bars as rectangles.
public struct SVGPlot {
    public var width = 720.0
    public var height = 440.0
    let left = 70.0
    let right = 20.0
    let top = 40.0
    let bottom = 50.0

    public init() {}

    /// Maps data coordinates to pixels for one plot.
    struct Frame {
        let plot: SVGPlot
        let x: (low: Double, high: Double)
        let y: (low: Double, high: Double)
        var areaWidth: Double { plot.width - plot.left - plot.right }
        var areaHeight: Double { plot.height - plot.top - plot.bottom }
        var areaBottom: Double { plot.top + areaHeight }

        func px(_ value: Double) -> Double { plot.left + PlotData.fraction(value, x.low, x.high) * areaWidth }

        /// Points outside the y range (a trace's first draws) are clipped by the
        /// plot area's clip path; clamping only keeps them from running off to
        /// infinity.
        func py(_ value: Double) -> Double {
            plot.top + Swift.min(3, Swift.max(-2, 1 - PlotData.fraction(value, y.low, y.high))) * areaHeight
        }
    }

    public func render(_ data: PlotData, format: (Double) -> String) -> String {
        let frame = Frame(plot: self, x: data.xRange, y: data.yRange)
        var svg = header(data.title)
        svg += grid(frame, data)
        if let bars = data.bars { svg += SVGPlot.bars(bars, frame) }
        svg += series(data, frame)
        if let reference = data.reference { svg += SVGPlot.reference(reference, frame, withLabel: data.labels.isEmpty) }
        svg += axes(frame, data, format: format)
        svg += labels(data, frame)
        svg += legend(data.labels, reference: data.labels.isEmpty ? nil : data.reference?.label)
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    func header(_ title: String?) -> [String] {
        let w = SVGPlot.number(width, digits: 0)
        let h = SVGPlot.number(height, digits: 0)
        var lines = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            SVGPlot.element(
                "svg",
                [
                    ("xmlns", "http://www.w3.org/2000/svg"), ("width", w), ("height", h), ("viewBox", "0 0 \(w) \(h)"),
                    ("font-family", "sans-serif"), ("font-size", "12"),
                ], open: true),
            SVGPlot.element("rect", [("x", "0"), ("y", "0"), ("width", w), ("height", h), ("fill", "white")]),
        ]
        if let title {
            let attributes = [
                ("class", "title"), ("x", SVGPlot.number(width / 2)), ("y", "22"), ("text-anchor", "middle"),
                ("font-size", "15"),
            ]
            lines.append(SVGPlot.element("text", attributes, text: title))
        }
        let area = [
            ("x", SVGPlot.number(left)), ("y", SVGPlot.number(top)),
            ("width", SVGPlot.number(width - left - right)), ("height", SVGPlot.number(height - top - bottom)),
        ]
        lines.append("<defs><clipPath id=\"area\">" + SVGPlot.element("rect", area) + "</clipPath></defs>")
        return lines
    }

    func grid(_ frame: Frame, _ data: PlotData) -> [String] {
        let lines = PlotData.axisTicks(frame.y.low, frame.y.high, log: data.logY).map { t in
            SVGPlot.line(left, frame.py(t), width - right, frame.py(t))
        }
        return ["<g class=\"grid\" stroke=\"#e5e5e5\">"] + lines + ["</g>"]
    }

    static func bars(_ bars: (edges: [Double], width: Double, counts: [Double]), _ frame: Frame) -> [String] {
        let rectangles = zip(bars.edges, bars.counts).map { edge, count in
            element(
                "rect",
                [
                    ("x", number(frame.px(edge))), ("y", number(frame.py(count))),
                    ("width", number(frame.px(edge + bars.width) - frame.px(edge))),
                    ("height", number(frame.py(0) - frame.py(count))),
                ])
        }
        return ["<g class=\"bars\" fill=\"#a6bddb\" stroke=\"white\">"] + rectangles + ["</g>"]
    }

    /// Each series in its palette colour, its band (if any) a translucent polygon behind it.
    func series(_ data: PlotData, _ frame: Frame) -> [String] {
        var lines: [String] = []
        let point = { (x: Double, y: Double) in "\(SVGPlot.number(frame.px(x))),\(SVGPlot.number(frame.py(y)))" }
        var bands = data.moreBands
        if let band = data.band { bands[0] = band }
        for (i, band) in bands.sorted(by: { $0.key < $1.key }) where i < data.lines.count {
            let xs = data.lines[i].x
            let outline = zip(xs, band.high).map(point) + zip(xs, band.low).reversed().map(point)
            let attributes = [
                ("class", "band"), ("clip-path", "url(#area)"), ("fill", SVGPlot.color(i)), ("fill-opacity", "0.2"),
                ("stroke", "none"), ("points", outline.joined(separator: " ")),
            ]
            lines.append(SVGPlot.element("polygon", attributes))
        }
        for (i, line) in data.lines.enumerated() {
            // A point that is not finite (nan) breaks the line: one polyline per run.
            var runs: [[String]] = [[]]
            for (x, y) in zip(line.x, line.y) {
                if x.isFinite && y.isFinite {
                    runs[runs.count - 1].append(point(x, y))
                } else if !runs[runs.count - 1].isEmpty {
                    runs.append([])
                }
            }
            for run in runs where !run.isEmpty {
                let attributes = [
                    ("class", "data"), ("clip-path", "url(#area)"), ("fill", "none"), ("stroke", SVGPlot.color(i)),
                    ("stroke-width", "1.5"), ("points", run.joined(separator: " ")),
                ]
                lines.append(SVGPlot.element("polyline", attributes))
            }
        }
        return lines + SVGPlot.extras(data, frame)
    }

    /// Marks (dashed, labelled at the top), error bars and the rug.
    static func extras(_ data: PlotData, _ frame: Frame) -> [String] {
        var out: [String] = []
        for mark in data.marks where mark.x.isFinite {
            let x = frame.px(mark.x)
            out.append(
                element(
                    "line",
                    [
                        ("class", "mark"), ("x1", number(x)), ("y1", number(frame.plot.top)), ("x2", number(x)),
                        ("y2", number(frame.areaBottom)), ("stroke", "#555555"), ("stroke-dasharray", "3 3"),
                    ]))
            out.append(
                element(
                    "text", [("x", number(x + 4)), ("y", number(frame.plot.top + 14)), ("fill", "#333333")],
                    text: mark.label))
        }
        for (k, p) in data.points.enumerated() where p.x.isFinite && p.y.isFinite {
            let (x, y) = (frame.px(p.x), frame.py(p.y))
            let (low, high) = (frame.py(p.y - p.error), frame.py(p.y + p.error))
            out.append("<g class=\"point\" stroke=\"\(color(k))\" fill=\"\(color(k))\" stroke-width=\"1.5\">")
            if p.error.isFinite, p.error > 0 {
                out.append(line(x, low, x, high))
                out.append(line(x - 4, low, x + 4, low))
                out.append(line(x - 4, high, x + 4, high))
            }
            out.append(element("circle", [("cx", number(x)), ("cy", number(y)), ("r", "3.5")]))
            out.append("</g>")
        }
        if let rug = data.rug {
            out.append("<g class=\"rug\" stroke-width=\"1\" stroke-opacity=\"0.6\" clip-path=\"url(#area)\">")
            for (x, positive) in zip(rug.x, rug.positive) where x.isFinite {
                let px = number(frame.px(x))
                let attributes = [
                    ("x1", px), ("y1", number(frame.areaBottom - 10)), ("x2", px), ("y2", number(frame.areaBottom)),
                    ("stroke", PlotData.palette[positive ? 5 : 0].hex),
                ]
                out.append(element("line", attributes))
            }
            out.append("</g>")
            if let key = data.rugLabel {
                out.append(
                    element(
                        "text",
                        [("x", number(frame.plot.left)), ("y", number(frame.plot.height - 6)), ("fill", "#333333")],
                        text: key))
            }
        }
        return out
    }

    static func color(_ series: Int) -> String { PlotData.palette[series % PlotData.palette.count].hex }

    /// A legend in the plot's top-right corner: a short line in each series' colour and its name.
    func legend(_ labels: [String], reference: String?) -> [String] {
        guard !labels.isEmpty else { return [] }
        let longest = Double((labels + [reference ?? ""]).map(\.count).max() ?? 0)
        let boxWidth = 40 + 7 * longest
        let x = width - right - boxWidth - 8
        var lines = [
            SVGPlot.element(
                "rect",
                [
                    ("class", "legend"), ("x", SVGPlot.number(x)), ("y", SVGPlot.number(top + 8)),
                    ("width", SVGPlot.number(boxWidth)),
                    ("height", SVGPlot.number(Double(labels.count + (reference == nil ? 0 : 1)) * 18 + 8)),
                    ("fill", "white"), ("fill-opacity", "0.85"), ("stroke", "#cccccc"),
                ])
        ]
        for (i, label) in labels.enumerated() {
            let y = top + 24 + Double(i) * 18
            let stroke = [("stroke", SVGPlot.color(i)), ("stroke-width", "2.5")]
            lines.append(
                SVGPlot.element(
                    "line",
                    [
                        ("x1", SVGPlot.number(x + 8)), ("y1", SVGPlot.number(y - 4)), ("x2", SVGPlot.number(x + 30)),
                        ("y2", SVGPlot.number(y - 4)),
                    ] + stroke))
            lines.append(
                SVGPlot.element("text", [("x", SVGPlot.number(x + 36)), ("y", SVGPlot.number(y))], text: label))
        }
        if let reference {
            let y = top + 24 + Double(labels.count) * 18
            lines.append(
                SVGPlot.element(
                    "line",
                    [
                        ("x1", SVGPlot.number(x + 8)), ("y1", SVGPlot.number(y - 4)), ("x2", SVGPlot.number(x + 30)),
                        ("y2", SVGPlot.number(y - 4)), ("stroke", "#c44e52"), ("stroke-width", "1.5"),
                        ("stroke-dasharray", "6 4"),
                    ]))
            lines.append(
                SVGPlot.element(
                    "text", [("x", SVGPlot.number(x + 36)), ("y", SVGPlot.number(y)), ("fill", "#c44e52")],
                    text: reference))
        }
        return lines
    }

    static func reference(_ reference: (value: Double, label: String), _ frame: Frame, withLabel: Bool) -> [String] {
        let y = frame.py(reference.value)
        let plot = frame.plot
        let dashed = [
            ("class", "reference"), ("x1", number(plot.left)), ("y1", number(y)),
            ("x2", number(plot.width - plot.right)), ("y2", number(y)), ("stroke", "#c44e52"),
            ("stroke-width", "1.5"), ("stroke-dasharray", "6 4"),
        ]
        let label = [
            ("x", number(plot.width - plot.right - 4)), ("y", number(y - 6)), ("text-anchor", "end"),
            ("fill", "#c44e52"),
        ]
        // With a legend the label goes there, where no trace can cross it.
        return [element("line", dashed)] + (withLabel ? [element("text", label, text: reference.label)] : [])
    }

    func axes(_ frame: Frame, _ data: PlotData, format plain: (Double) -> String) -> [String] {
        var lines = [
            "<g class=\"axes\" stroke=\"black\">",
            SVGPlot.line(left, frame.areaBottom, width - right, frame.areaBottom),
            SVGPlot.line(left, top, left, frame.areaBottom), "</g>", "<g class=\"ticks\">",
        ]
        for t in PlotData.axisTicks(frame.x.low, frame.x.high, log: data.logX) {
            let x = frame.px(t)
            lines.append(SVGPlot.line(x, frame.areaBottom, x, frame.areaBottom + 5, stroke: "black"))
            let position = [("x", SVGPlot.number(x)), ("y", SVGPlot.number(frame.areaBottom + 19))]
            let text = plain(data.logX ? Foundation.pow(10, t) : t)
            lines.append(SVGPlot.element("text", position + [("text-anchor", "middle")], text: text))
        }
        for t in PlotData.axisTicks(frame.y.low, frame.y.high, log: data.logY) {
            let y = frame.py(t)
            lines.append(SVGPlot.line(left - 5, y, left, y, stroke: "black"))
            let position = [("x", SVGPlot.number(left - 8)), ("y", SVGPlot.number(y + 4))]
            let text = plain(data.logY ? Foundation.pow(10, t) : t)
            lines.append(SVGPlot.element("text", position + [("text-anchor", "end")], text: text))
        }
        lines.append("</g>")
        return lines
    }

    func labels(_ data: PlotData, _ frame: Frame) -> [String] {
        var lines: [String] = []
        if let label = data.xLabel {
            let position = [("x", SVGPlot.number(left + frame.areaWidth / 2)), ("y", SVGPlot.number(height - 10))]
            lines.append(SVGPlot.element("text", position + [("text-anchor", "middle")], text: label))
        }
        if let label = data.yLabel {
            let middle = SVGPlot.number(top + frame.areaHeight / 2)
            let attributes = [
                ("x", "16"), ("y", middle), ("text-anchor", "middle"), ("transform", "rotate(-90 16 \(middle))"),
            ]
            lines.append(SVGPlot.element("text", attributes, text: label))
        }
        return lines
    }

    /// `<name a="…" …/>`, `<name …>` when `open`, or `<name …>text</name>`; every
    /// value and the text are escaped.
    static func element(_ name: String, _ attributes: [(String, String)], text: String? = nil, open: Bool = false)
        -> String
    {
        let list = attributes.map { " \($0)=\"\(escape($1))\"" }.joined()
        if let text { return "<\(name)\(list)>\(escape(text))</\(name)>" }
        return open ? "<\(name)\(list)>" : "<\(name)\(list)/>"
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String? = nil) -> String {
        let ends = [("x1", number(x1)), ("y1", number(y1)), ("x2", number(x2)), ("y2", number(y2))]
        return element("line", ends + (stroke.map { [("stroke", $0)] } ?? []))
    }

    static func number(_ value: Double, digits: Int = 2) -> String {
        String(format: "%.\(digits)f", value)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
