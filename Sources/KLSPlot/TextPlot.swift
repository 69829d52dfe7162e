import Foundation
import KLSDiagnostics

/// Draws a `PlotData` for the terminal: lines in braille (2×4 dots a cell), a
/// band shaded with `░`, the reference line dashed, histogram bars in eighth
/// blocks; value labels on the y axis and the x range underneath.
public struct TextPlot {
    public var width: Int
    public var height: Int

    /// A plot `width` columns wide (axis labels included) and `height` rows tall.
    public init(width: Int, height: Int = 14) {
        self.width = Swift.max(30, width)
        self.height = Swift.max(5, height)
    }

    public func render(_ data: PlotData, format: (Double) -> String) -> String {
        let (y0, y1) = data.yRange
        let (x0, x1) = data.xRange
        let labels = [y1, (y0 + y1) / 2, y0].map(format)
        let labelWidth = labels.map(\.count).max() ?? 1
        var canvas = Canvas(columns: width - labelWidth - 2, rows: height, x: (x0, x1), y: (y0, y1))
        if let band = data.band, let xs = data.lines.first?.x { canvas.shade(band, at: xs) }
        if let reference = data.reference { canvas.dash(at: reference.value) }
        if let bars = data.bars { canvas.fill(bars) }
        for line in data.lines { canvas.trace(line) }
        let indent = String(repeating: " ", count: labelWidth + 2)
        var out: [String] = []
        if let title = data.title { out.append(indent + title) }
        for (r, cells) in canvas.lines().enumerated() {
            let label = r == 0 ? labels[0] : (r == height / 2 ? labels[1] : (r == height - 1 ? labels[2] : ""))
            out.append(String(repeating: " ", count: labelWidth - label.count) + label + " ┤" + cells)
        }
        let axis = String(repeating: "─", count: canvas.columns)
        out.append(String(repeating: " ", count: labelWidth + 1) + "└" + axis)
        let left = format(x0)
        let right = format(x1)
        out.append(
            indent + left + String(repeating: " ", count: Swift.max(1, canvas.columns - left.count - right.count))
                + right)
        if let reference = data.reference { out.append(indent + "┄ \(reference.label)") }
        return out.map { $0.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
            .joined(separator: "\n")
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

        init(columns: Int, rows: Int, x: (Double, Double), y: (Double, Double)) {
            self.columns = columns
            self.rows = rows
            self.x = x
            self.y = y
            cells = [[Character]](repeating: [Character](repeating: " ", count: columns), count: rows)
            dots = [[UInt8]](repeating: [UInt8](repeating: 0, count: columns), count: rows)
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

        mutating func trace(_ line: (x: [Double], y: [Double])) {
            var last: (Int, Int)? = nil
            for (px, py) in zip(line.x, line.y) where px.isFinite && py.isFinite {
                let point = (column(px), row(py))
                for (c, r) in TextPlot.segment(from: last ?? point, to: point) { TextPlot.plot(&dots, c, r) }
                last = point
            }
        }

        /// Each row as text, braille dots drawn over the cells.
        func lines() -> [String] {
            (0..<rows).map { r in
                var row = cells[r]
                for c in 0..<columns where dots[r][c] != 0 {
                    row[c] = Character(Unicode.Scalar(0x2800 + UInt32(TextPlot.braille(dots[r][c]))) ?? " ")
                }
                return String(row)
            }
        }
    }

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
