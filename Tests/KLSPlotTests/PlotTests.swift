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

    @Test func logAxesTickAtPowersOfTen() {
        #expect(PlotData.axisTicks(0, 3.2, log: true) == [0, 1, 2, 3])
        #expect(PlotData.axisTicks(-1, 9, log: true, count: 5) == [0, 2, 4, 6, 8])
        // Less than a decade: round values, as on a linear axis.
        #expect(PlotData.axisTicks(0.1, 0.5, log: true) == PlotData.ticks(0.1, 0.5))
    }

    @Test func severalSeriesAreColouredAndNamed() {
        var data = PlotData()
        data.lines = [(x: [0, 1, 2], y: [0, 1, 0]), (x: [0, 1, 2], y: [1, 0, 1])]
        data.labels = ["k1", "k3"]
        let colour = TextPlot(width: 60, color: true).render(data) { String($0) }
        #expect(colour.contains("\u{1B}[38;5;\(PlotData.palette[0].terminal)m"))
        #expect(colour.contains("\u{1B}[38;5;\(PlotData.palette[1].terminal)m"))
        #expect(colour.contains("k1") && colour.contains("k3"))
        let plain = TextPlot(width: 60).render(data) { String($0) }
        #expect(!plain.contains("\u{1B}"))
        #expect(plain.contains("series, in drawing order: k1, k3"))
        let svg = SVGPlot().render(data) { String($0) }
        #expect(svg.contains(PlotData.palette[0].hex) && svg.contains(PlotData.palette[1].hex))
        #expect(svg.contains(">k1</text>") && svg.contains(">k3</text>"))
    }

    @Test func axisLabelsAndRoundTicksInTheTerminal() {
        var data = PlotData()
        data.lines = [(x: [0, 5000, 10000], y: [0, 480.5, 960])]
        data.xLabel = "draws"
        data.yLabel = "count"
        let text = TextPlot(width: 60).render(data) { String(Int($0)) }
        #expect(text.hasPrefix("count\n"))
        #expect(text.contains("draws"))
        // Round ticks, not the range's ends: 480.5 is no label.
        #expect(text.contains("4000") && !text.contains("480"))
    }
}
