import Foundation
import Testing

@testable import KLSPlot

/// Marks, points with error bars, a rug, line breaks at nan, and contours.
@Suite struct OverlayTests {
    let format = { (v: Double) in String(format: "%g", v) }

    @Test func contoursOfACircularFieldLieOnTheCircle() {
        let g = (0...40).map { -2 + Double($0) * 0.1 }
        let z = g.map { y in g.map { x in x * x + y * y } }
        let lines = Contours.lines(z: z, x: g, y: g, levels: [1])
        let points = zip(lines.x, lines.y).filter { $0.0.isFinite }
        #expect(points.count > 60)
        // Linear interpolation along a cell edge of 0.1 is off the circle by at most ~h²/8.
        for (x, y) in points { #expect(abs((x * x + y * y).squareRoot() - 1) < 0.01) }
        // Segments come in pairs, each followed by a nan that breaks the line.
        #expect(lines.x.count % 3 == 0 && lines.x.enumerated().allSatisfy { $0.offset % 3 != 2 || $0.element.isNaN })
    }

    @Test func aSaddleCellJoinsTheCornersOnTheCentresSide() {
        // Corners 1 above, 0 below, alternately; the centre's mean 0.5 + ε is above 0.5.
        let z = [[1.0, 0.0], [0.0, 1.02]]
        let segments = Contours.cell(z, 0, 0, [0, 1], [0, 1], 0.5)
        #expect(segments.count == 2)
        // The two "below" corners, (x, y) = (1, 0) and (0, 1), are each cut off by
        // a segment whose middle lies near them; the wrong pairing would cut off
        // (0, 0) and (1, 1), middles on the diagonal.
        let middles = segments.map { s in ((s.0.0 + s.1.0) / 2, (s.0.1 + s.1.1) / 2) }
        #expect(middles.allSatisfy { abs($0.0 - $0.1) > 0.4 })
        #expect(Contours.levels(z, count: 1) == [0.51])
    }

    @Test func aNanBreaksTheLine() {
        var data = PlotData()
        data.lines = [([0, 1, .nan, 2, 3], [0, 1, .nan, 1, 0])]
        let svg = SVGPlot().render(data, format: format)
        #expect(svg.components(separatedBy: "class=\"data\"").count == 3)
    }

    @Test func marksPointsAndARugAreDrawnInBothRenderers() {
        var data = PlotData()
        data.lines = [((0...10).map(Double.init), (0...10).map { Double($0 * $0) })]
        data.marks = [(3, "fit")]
        data.points = [(5, 25, 4)]
        data.rug = ([1, 2, 8], [true, false, true])
        data.rugLabel = "rug key"
        data.textRows = 8
        let text = TextPlot(width: 60).render(data, format: format)
        #expect(text.contains("┆ fit = 3"))
        #expect(text.contains("rug key"))
        #expect(text.contains("⣿"))  // the point
        let rows = text.split(separator: "\n")
        #expect(rows.filter { $0.contains("┤") }.count == 8)
        let rug = rows.first { $0.contains("+") && $0.contains("−") }
        #expect(rug != nil)
        let svg = SVGPlot().render(data, format: format)
        #expect(svg.contains("class=\"mark\"") && svg.contains(">fit<"))
        #expect(svg.contains("class=\"point\"") && svg.contains("<circle"))
        #expect(svg.components(separatedBy: "stroke=\"#D55E00\"").count == 3)  // two positive ticks
        #expect(svg.contains("rug key"))
    }
}
