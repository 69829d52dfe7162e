import Foundation
import KLSDiagnostics

/// Draws a `PlotData` for the terminal: lines in braille (2×4 dots a cell), a
/// band shaded with `░`, the reference line dashed, histogram bars in eighth
/// blocks; value labels on the y axis and the x range underneath.
public struct TextPlot {
    public var width: Int
    public var height: Int
    /// Whether series are told apart by colour (ANSI 256 colours, the palette's
    /// order); without it the legend says the order they were drawn in.
    public var color: Bool

    /// A plot `width` columns wide (axis labels included) and `height` rows tall.
    public init(width: Int, height: Int = 14, color: Bool = false) {
        self.width = Swift.max(30, width)
        self.height = Swift.max(5, height)
        self.color = color
    }

    public func render(_ data: PlotData, format plain: @escaping (Double) -> String) -> String {
        let height = data.textRows.map { Swift.max(5, Swift.min(100, $0)) } ?? self.height
        let (y0, y1) = data.yRange
        let (x0, x1) = data.xRange
        let formatX = { (v: Double) in plain(data.logX ? Foundation.pow(10, v) : v) }
        let formatY = { (v: Double) in plain(data.logY ? Foundation.pow(10, v) : v) }
        let yTicks = PlotData.axisTicks(y0, y1, log: data.logY, count: Swift.max(4, height / 2))
        let labelWidth = yTicks.map { formatY($0).count }.max() ?? 1
        var canvas = Canvas(columns: width - labelWidth - 2, rows: height, x: (x0, x1), y: (y0, y1))
        if let band = data.band, let xs = data.lines.first?.x { canvas.shade(band, at: xs) }
        for (i, band) in data.moreBands where i < data.lines.count { canvas.shade(band, at: data.lines[i].x) }
        if let reference = data.reference { canvas.dash(at: reference.value) }
        if let bars = data.bars { canvas.fill(bars) }
        for mark in data.marks { canvas.vertical(at: mark.x) }
        for (i, line) in data.lines.enumerated() { canvas.trace(line, series: i) }
        for (k, point) in data.points.enumerated() { canvas.errorBar(point, series: k) }
        var rowLabels = [String](repeating: "", count: height)
        for t in yTicks {
            let r = canvas.row(t) / 4
            if rowLabels[r].isEmpty { rowLabels[r] = formatY(t) }
        }
        let indent = String(repeating: " ", count: labelWidth + 2)
        var out: [String] = []
        if let title = data.title { out.append(indent + title) }
        if let label = data.yLabel { out.append(label) }
        for (r, cells) in canvas.lines(palette: color ? PlotData.palette.map(\.terminal) : nil).enumerated() {
            let label = rowLabels[r]
            out.append(String(repeating: " ", count: labelWidth - label.count) + label + " ┤" + cells)
        }
        let axis = String(repeating: "─", count: canvas.columns)
        out.append(String(repeating: " ", count: labelWidth + 1) + "└" + axis)
        if let rug = data.rug { out.append(indent + rugRow(rug, canvas)) }
        out.append(indent + xAxisLabels(PlotData.axisTicks(x0, x1, log: data.logX), canvas, formatX))
        if let label = data.xLabel {
            out.append(indent + String(repeating: " ", count: Swift.max(0, (canvas.columns - label.count) / 2)) + label)
        }
        if let reference = data.reference { out.append(indent + "┄ \(reference.label)") }
        if !data.marks.isEmpty {
            out.append(indent + data.marks.map { "┆ \($0.label) = \(plain($0.x))" }.joined(separator: "   "))
        }
        if data.rug != nil, let key = data.rugLabel { out.append(indent + key) }
        if !data.labels.isEmpty { out.append(indent + legend(data.labels)) }
        return out.map { $0.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
            .joined(separator: "\n")
    }

    /// The rug under the axis: in each column `+` where the ticks there are all
    /// positive, `−` all negative, `±` both; coloured by sign when colour is on.
    func rugRow(_ rug: (x: [Double], positive: [Bool]), _ canvas: Canvas) -> String {
        var signs = [(Bool, Bool)](repeating: (false, false), count: canvas.columns)
        for (x, positive) in zip(rug.x, rug.positive) where x.isFinite {
            let c = canvas.column(x) / 2
            guard c >= 0, c < canvas.columns else { continue }
            if positive { signs[c].0 = true } else { signs[c].1 = true }
        }
        return signs.map { plus, minus in
            switch (plus, minus) {
            case (true, true): return "±"
            case (true, false): return color ? TextPlot.colored("+", PlotData.palette[5].terminal) : "+"
            case (false, true): return color ? TextPlot.colored("−", PlotData.palette[0].terminal) : "−"
            default: return " "
            }
        }.joined()
    }

    /// Round tick values under their columns, dropping any that would touch
    /// the one before.
    func xAxisLabels(_ ticks: [Double], _ canvas: Canvas, _ format: (Double) -> String) -> String {
        var line = [Character](repeating: " ", count: canvas.columns)
        var free = 0
        for t in ticks {
            let text = Array(format(t))
            let center = canvas.column(t) / 2
            let start = Swift.max(0, Swift.min(center - text.count / 2, line.count - text.count))
            guard start >= free, text.count <= line.count else { continue }
            for (k, ch) in text.enumerated() { line[start + k] = ch }
            free = start + text.count + 1
        }
        return String(line)
    }

    /// `── name` per series, coloured as drawn; without colour, in drawing order.
    func legend(_ labels: [String]) -> String {
        guard color else {
            let list = labels.joined(separator: ", ")
            return labels.count == 1 ? "── " + labels[0] : "series, in drawing order: " + list
        }
        return labels.enumerated().map { i, label in
            TextPlot.colored("──", PlotData.palette[i % PlotData.palette.count].terminal) + " \(label)"
        }.joined(separator: "   ")
    }

    /// The plot area: a grid of character cells, and braille dots (2×4 a cell)
    /// that are merged into the cells last.
    struct Canvas {
        let columns: Int
        let rows: Int
        let x: (low: Double, high: Double)
        let y: (low: Double, high: Double)
        var cells: [[Character]]
        var dots: [[UInt8]]
        /// The series that drew last in each cell (−1: none), for its colour.
        var owner: [[Int]]

        init(columns: Int, rows: Int, x: (Double, Double), y: (Double, Double)) {
            self.columns = columns
            self.rows = rows
            self.x = x
            self.y = y
            cells = [[Character]](repeating: [Character](repeating: " ", count: columns), count: rows)
            dots = [[UInt8]](repeating: [UInt8](repeating: 0, count: columns), count: rows)
            owner = [[Int]](repeating: [Int](repeating: -1, count: columns), count: rows)
        }

        /// The dot column of `value`; dots off the grid are dropped by `plot`, so
        /// one step beyond each edge is enough.
        func column(_ value: Double) -> Int {
            let last = columns * 2 - 1
            return Checked.clamped(PlotData.fraction(value, x.low, x.high) * Double(last), to: -1...(last + 1))
        }

        /// The dot row of `value`, clamped into the grid.
        func row(_ value: Double) -> Int {
            let last = rows * 4 - 1
            let fraction = Swift.min(1, Swift.max(0, PlotData.fraction(y.high - value, 0, y.high - y.low)))
            return Checked.clamped(fraction * Double(last), to: 0...last)
        }

        mutating func shade(_ band: (low: [Double], high: [Double]), at xs: [Double]) {
            for (i, x) in xs.enumerated() where band.low[i].isFinite && band.high[i].isFinite {
                let c = column(x) / 2
                guard c >= 0 && c < columns else { continue }
                for r in Swift.max(0, row(band.high[i]) / 4)...Swift.min(rows - 1, Swift.max(0, row(band.low[i]) / 4)) {
                    cells[r][c] = "░"
                }
            }
        }

        mutating func dash(at value: Double) {
            let r = row(value) / 4
            guard r >= 0 && r < rows else { return }
            for c in 0..<columns where cells[r][c] == " " || cells[r][c] == "░" { cells[r][c] = "┄" }
        }

        mutating func fill(_ bars: (edges: [Double], width: Double, counts: [Double])) {
            guard let top = bars.counts.max(), top > 0 else { return }
            let blocks: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
            for c in 0..<columns {
                let middle = x.low + (Double(c) + 0.5) / Double(columns) * (x.high - x.low)
                guard let b = bars.edges.lastIndex(where: { $0 <= middle }), middle <= bars.edges[b] + bars.width
                else { continue }
                var eighths = Checked.clamped(bars.counts[b] / y.high * Double(rows * 8), to: 0...(rows * 8))
                for r in stride(from: rows - 1, through: 0, by: -1) where eighths > 0 {
                    cells[r][c] = blocks[Swift.min(8, eighths)]
                    eighths -= 8
                }
            }
        }

        /// A dotted vertical line at x through the empty cells.
        mutating func vertical(at value: Double) {
            let c = column(value) / 2
            guard c >= 0 && c < columns else { return }
            for r in 0..<rows where [" ", "░", "┄"].contains(cells[r][c]) { cells[r][c] = "┆" }
        }

        /// y ± error at x, with caps a dot to each side.
        mutating func errorBar(_ point: (x: Double, y: Double, error: Double), series: Int) {
            let (x, low, high) = (point.x, point.y - point.error, point.y + point.error)
            guard x.isFinite, low.isFinite, high.isFinite else { return }
            let half = (self.x.high - self.x.low) / Double(columns * 2)
            trace(([x, x], [low, high]), series: series)
            trace(([x - half, x + half], [low, low]), series: series)
            trace(([x - half, x + half], [high, high]), series: series)
            // The point itself is a full cell, so it shows on top of a curve.
            let (c, r) = (column(x) / 2, row(point.y) / 4)
            if c >= 0, c < columns, r >= 0, r < rows {
                dots[r][c] = 0xFF
                owner[r][c] = series
            }
        }

        /// The line through the points; a point that is not finite (nan) breaks it.
        mutating func trace(_ line: (x: [Double], y: [Double]), series: Int = 0) {
            var last: (Int, Int)? = nil
            for (px, py) in zip(line.x, line.y) {
                guard px.isFinite && py.isFinite else {
                    last = nil
                    continue
                }
                let point = (column(px), row(py))
                for (c, r) in TextPlot.segment(from: last ?? point, to: point) {
                    TextPlot.plot(&dots, c, r)
                    if c >= 0, c / 2 < columns, r / 4 < rows { owner[r / 4][c / 2] = series }
                }
                last = point
            }
        }

        /// Each row as text, braille dots drawn over the cells, coloured by the
        /// series that drew them when a palette is given.
        func lines(palette: [Int]? = nil) -> [String] {
            (0..<rows).map { r in
                var text = ""
                for c in 0..<columns {
                    guard dots[r][c] != 0 else {
                        text.append(cells[r][c])
                        continue
                    }
                    let glyph = Character(Unicode.Scalar(0x2800 + UInt32(TextPlot.braille(dots[r][c]))) ?? " ")
                    if let palette, owner[r][c] >= 0 {
                        text += TextPlot.colored(String(glyph), palette[owner[r][c] % palette.count])
                    } else {
                        text.append(glyph)
                    }
                }
                return text
            }
        }
    }

    /// `text` in 256-colour terminal colour `code`.
    static func colored(_ text: String, _ code: Int) -> String { "\u{1B}[38;5;\(code)m\(text)\u{1B}[0m" }

    /// Dot (c, r) in a grid of 2×4-dot cells; bits stored per cell in reading order.
    static func plot(_ dots: inout [[UInt8]], _ c: Int, _ r: Int) {
        let cell = (c / 2, r / 4)
        guard c >= 0, r >= 0, cell.1 < dots.count, cell.0 < dots[0].count else { return }
        dots[cell.1][cell.0] |= UInt8(1 << ((r % 4) * 2 + c % 2))
    }

    /// Unicode braille numbering: dots 1-2-3-7 down the left column, 4-5-6-8 down the right.
    static func braille(_ bits: UInt8) -> Int {
        let map = [0x01, 0x08, 0x02, 0x10, 0x04, 0x20, 0x40, 0x80]
        return (0..<8).reduce(0) { bits & (1 << $1) != 0 ? $0 | map[$1] : $0 }
    }

    /// Integer points from a to b (Bresenham).
    static func segment(from a: (Int, Int), to b: (Int, Int)) -> [(Int, Int)] {
        var (x, y) = a
        let dx = Swift.abs(b.0 - x)
        let dy = -Swift.abs(b.1 - y)
        let sx = x < b.0 ? 1 : -1
        let sy = y < b.1 ? 1 : -1
        var error = dx + dy
        var points: [(Int, Int)] = []
        while points.count < 100_000 {
            points.append((x, y))
            if x == b.0 && y == b.1 { break }
            let e2 = 2 * error
            if e2 >= dy {
                error += dy
                x += sx
            }
            if e2 <= dx {
                error += dx
                y += sy
            }
        }
        return points
    }
}
