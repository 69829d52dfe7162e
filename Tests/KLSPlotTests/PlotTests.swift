import Foundation
import KLSPlot
import Testing

/// Pure rendering: data in, text out, for any data.
@Suite struct PlotTests {
    @Test func ticksAreRoundAndFew() {
        #expect(PlotData.ticks(0, 10) == [0, 2, 4, 6, 8, 10])
        #expect(PlotData.ticks(-1, 1) == [-1, -0.5, 0, 0.5, 1])
    }

    /// A step below the spacing of doubles once stalled the tick loop forever.
    @Test func ticksTerminateWhereDoublesAreSparse() {
        let ticks = PlotData.ticks(1e16, 1e16 + 2)
        #expect(!ticks.isEmpty && ticks.count <= 20)
        #expect(PlotData.ticks(-1e308, 1e308).count <= 20)
    }

    @Test func fractionsDoNotOverflow() {
        #expect(PlotData.fraction(1e308, -1e308, 1e308) == 1)
        #expect(PlotData.fraction(0, -1e308, 1e308) == 0.5)
    }

    @Test func textPlotsFitTheirWidthWhateverTheData() {
        var data = PlotData()
        data.lines = [(x: [0, 1, 2, .nan, 1e308], y: [1, -1e308, .infinity, 2, 3])]
        data.band = (low: [0, 0, 0, 0, 0], high: [1, 1, .nan, 1, 1])
        data.reference = (0.5, "exact")
        let text = TextPlot(width: 50).render(data) { String($0) }
        for line in text.split(separator: "\n") { #expect(line.count <= 50, "\(line)") }
    }

    @Test func svgEscapesText() {
        var data = PlotData()
        data.lines = [(x: [0, 1], y: [0, 1])]
        data.title = "a < b & \"c\""
        let svg = SVGPlot().render(data) { String($0) }
        #expect(svg.contains("a &lt; b &amp; &quot;c&quot;"))
        #expect(svg.hasPrefix("<?xml"))
    }
}
