import Foundation

/// Draws a `PlotData` as a standalone SVG: axes with round ticks and labels, a
/// title, lines as polylines, the band as a translucent polygon, the reference
/// as a dashed line with its label, histogram bars as rectangles.
public struct SVGPlot {
    public var width = 720.0, height = 440.0
    let left = 70.0, right = 20.0, top = 40.0, bottom = 50.0

    public init() {}

    public func render(_ data: PlotData, format: (Double) -> String) -> String {
        let (x0, x1) = data.xRange
        let (y0, y1) = data.yRange
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let px = { (x: Double) in self.left + PlotData.fraction(x, x0, x1) * plotWidth }
        // Points outside the y range (a trace's first draws) are clipped by the
        // plot area's clip path; clamping only keeps them from running off to
        // infinity.
        let py = { (y: Double) in self.top + Swift.min(3, Swift.max(-2, 1 - PlotData.fraction(y, y0, y1))) * plotHeight
        }
        let f = { (v: Double) in String(format: "%.2f", v) }
        let w = String(format: "%.0f", width)
        let h = String(format: "%.0f", height)
        var svg: [String] = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" font-family=\"sans-serif\" font-size=\"12\">",
            "<rect x=\"0\" y=\"0\" width=\"\(w)\" height=\"\(h)\" fill=\"white\"/>",
        ]
        if let title = data.title {
            svg.append(
                "<text class=\"title\" x=\"\(f(width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(SVGPlot.escape(title))</text>"
            )
        }
        svg.append(
            "<defs><clipPath id=\"area\"><rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\"/></clipPath></defs>"
        )
        svg.append("<g class=\"grid\" stroke=\"#e5e5e5\">")
        for t in PlotData.ticks(y0, y1) {
            svg.append("<line x1=\"\(f(left))\" y1=\"\(f(py(t)))\" x2=\"\(f(width - right))\" y2=\"\(f(py(t)))\"/>")
        }
        svg.append("</g>")
        if let bars = data.bars {
            svg.append("<g class=\"bars\" fill=\"#4c72b0\" stroke=\"white\">")
            for (edge, count) in zip(bars.edges, bars.counts) {
                svg.append(
                    "<rect x=\"\(f(px(edge)))\" y=\"\(f(py(count)))\" width=\"\(f(px(edge + bars.width) - px(edge)))\" height=\"\(f(py(0) - py(count)))\"/>"
                )
            }
            svg.append("</g>")
        }
        if let band = data.band, let xs = data.lines.first?.x, !xs.isEmpty {
            let upper = zip(xs, band.high).map { "\(f(px($0))),\(f(py($1)))" }
            let lower = zip(xs, band.low).reversed().map { "\(f(px($0))),\(f(py($1)))" }
            svg.append(
                "<polygon class=\"band\" clip-path=\"url(#area)\" fill=\"#4c72b0\" fill-opacity=\"0.2\" stroke=\"none\" points=\"\((upper + lower).joined(separator: " "))\"/>"
            )
        }
        for line in data.lines {
            let points = zip(line.x, line.y).filter { $0.isFinite && $1.isFinite }.map { "\(f(px($0))),\(f(py($1)))" }
            svg.append(
                "<polyline class=\"data\" clip-path=\"url(#area)\" fill=\"none\" stroke=\"#1f4e8c\" stroke-width=\"1.5\" points=\"\(points.joined(separator: " "))\"/>"
            )
        }
        if let reference = data.reference {
            svg.append(
                "<line class=\"reference\" x1=\"\(f(left))\" y1=\"\(f(py(reference.value)))\" x2=\"\(f(width - right))\" y2=\"\(f(py(reference.value)))\" stroke=\"#c44e52\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>"
            )
            svg.append(
                "<text x=\"\(f(width - right - 4))\" y=\"\(f(py(reference.value) - 6))\" text-anchor=\"end\" fill=\"#c44e52\">\(SVGPlot.escape(reference.label))</text>"
            )
        }
        svg.append("<g class=\"axes\" stroke=\"black\">")
        svg.append(
            "<line x1=\"\(f(left))\" y1=\"\(f(top + plotHeight))\" x2=\"\(f(width - right))\" y2=\"\(f(top + plotHeight))\"/>"
        )
        svg.append("<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + plotHeight))\"/>")
        svg.append("</g>")
        svg.append("<g class=\"ticks\">")
        for t in PlotData.ticks(x0, x1) {
            svg.append(
                "<line x1=\"\(f(px(t)))\" y1=\"\(f(top + plotHeight))\" x2=\"\(f(px(t)))\" y2=\"\(f(top + plotHeight + 5))\" stroke=\"black\"/>"
            )
            svg.append(
                "<text x=\"\(f(px(t)))\" y=\"\(f(top + plotHeight + 19))\" text-anchor=\"middle\">\(SVGPlot.escape(format(t)))</text>"
            )
        }
        for t in PlotData.ticks(y0, y1) {
            svg.append(
                "<line x1=\"\(f(left - 5))\" y1=\"\(f(py(t)))\" x2=\"\(f(left))\" y2=\"\(f(py(t)))\" stroke=\"black\"/>"
            )
            svg.append(
                "<text x=\"\(f(left - 8))\" y=\"\(f(py(t) + 4))\" text-anchor=\"end\">\(SVGPlot.escape(format(t)))</text>"
            )
        }
        svg.append("</g>")
        if let label = data.xLabel {
            svg.append(
                "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 10))\" text-anchor=\"middle\">\(SVGPlot.escape(label))</text>"
            )
        }
        if let label = data.yLabel {
            svg.append(
                "<text x=\"16\" y=\"\(f(top + plotHeight / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(f(top + plotHeight / 2)))\">\(SVGPlot.escape(label))</text>"
            )
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
