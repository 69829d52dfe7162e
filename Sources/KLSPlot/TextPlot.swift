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
        let columns = width - labelWidth - 2
        var cells = [[Character]](repeating: [Character](repeating: " ", count: columns), count: height)
        var dots = [[UInt8]](repeating: [UInt8](repeating: 0, count: columns), count: height)
        let dotColumns = columns * 2 - 1
        let dotRows = height * 4 - 1
        // Dots off the grid are dropped by `plot`; one step beyond each edge is enough.
        let column = { (x: Double) in
            Checked.clamped(PlotData.fraction(x, x0, x1) * Double(dotColumns), to: -1...(dotColumns + 1))
        }
        let row = { (y: Double) in
            Checked.clamped(
                Swift.min(1, Swift.max(0, PlotData.fraction(y1 - y, 0, y1 - y0))) * Double(dotRows), to: 0...dotRows)
        }
        if let band = data.band, let xs = data.lines.first?.x {
            for (i, x) in xs.enumerated() where band.low[i].isFinite && band.high[i].isFinite {
                let c = column(x) / 2
                for r in Swift.max(0, row(band.high[i]) / 4)...Swift.min(height - 1, Swift.max(0, row(band.low[i]) / 4))
                where c >= 0 && c < columns {
                    cells[r][c] = "░"
                }
            }
        }
        if let reference = data.reference {
            let r = row(reference.value) / 4
            if r >= 0 && r < height {
                for c in 0..<columns where cells[r][c] == " " || cells[r][c] == "░" { cells[r][c] = "┄" }
            }
        }
        if let bars = data.bars, let top = bars.counts.max(), top > 0 {
            let blocks: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
            for c in 0..<columns {
                let x = x0 + (Double(c) + 0.5) / Double(columns) * (x1 - x0)
                guard let b = bars.edges.lastIndex(where: { $0 <= x }), x <= bars.edges[b] + bars.width else {
                    continue
                }
                var eighths = Checked.clamped(bars.counts[b] / y1 * Double(height * 8), to: 0...(height * 8))
                for r in stride(from: height - 1, through: 0, by: -1) where eighths > 0 {
                    cells[r][c] = blocks[Swift.min(8, eighths)]
                    eighths -= 8
                }
            }
        }
        for line in data.lines {
            var last: (Int, Int)? = nil
            for (x, y) in zip(line.x, line.y) where x.isFinite && y.isFinite {
                let point = (column(x), row(y))
                for (c, r) in TextPlot.segment(from: last ?? point, to: point) { TextPlot.plot(&dots, c, r) }
                last = point
            }
        }
        for r in 0..<height {
            for c in 0..<columns where dots[r][c] != 0 {
                cells[r][c] = Character(Unicode.Scalar(0x2800 + UInt32(TextPlot.braille(dots[r][c]))) ?? " ")
            }
        }
        var out: [String] = []
        if let title = data.title { out.append(String(repeating: " ", count: labelWidth + 2) + title) }
        for r in 0..<height {
            let label = r == 0 ? labels[0] : (r == height / 2 ? labels[1] : (r == height - 1 ? labels[2] : ""))
            out.append(String(repeating: " ", count: labelWidth - label.count) + label + " ┤" + String(cells[r]))
        }
        out.append(String(repeating: " ", count: labelWidth + 1) + "└" + String(repeating: "─", count: columns))
        let left = format(x0)
        let right = format(x1)
        let gap = Swift.max(1, columns - left.count - right.count)
        out.append(String(repeating: " ", count: labelWidth + 2) + left + String(repeating: " ", count: gap) + right)
        if let reference = data.reference {
            out.append(String(repeating: " ", count: labelWidth + 2) + "┄ \(reference.label)")
        }
        return out.map { $0.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }.joined(
            separator: "\n")
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
