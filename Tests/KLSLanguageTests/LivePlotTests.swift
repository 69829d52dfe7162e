import KLSDiagnostics
import KLSPlot
import Testing

@testable import KLSLanguage

/// `live=true` (kl_trace, minimize, fit): frames while the work runs, removed
/// at its end, and the same result as without.
@Suite struct LivePlotTests {
    /// A session whose clock makes every reading a frame's interval apart.
    static func session() -> (Interpreter, CapturedEnvironment) {
        let environment = CapturedEnvironment()
        environment.tick = LivePlot.interval
        return (Interpreter(seed: 1, environment: environment), environment)
    }

    @Test func klTraceShowsItsRunningEstimateOverTheWholeAxis() throws {
        let (session, environment) = Self.session()
        // A batch of 16 makes chunks of 4,096 draws: two rounds of chunks, a frame after each.
        let traced = "kl_trace(Normal(zeros(16), 1), Normal(1, 2), 200000, seed=3"
        let live = try session.run("t = \(traced), live=true); t[-1]")
        #expect(environment.liveFrames.count >= 2)
        #expect(environment.liveEnds == [false])
        for frame in environment.liveFrames {
            #expect(frame.xLimits?.low == 0 && frame.xLimits?.high == 200_000)
            #expect(frame.reference == nil && frame.band != nil)
            #expect(frame.title?.hasPrefix("kl_trace: ") == true)
        }
        let draws = environment.liveFrames.last?.lines.first?.x ?? []
        #expect(draws == draws.sorted() && (draws.last ?? 0) <= 200_000)
        // The same numbers as without live.
        let plain = try session.run("u = \(traced)); u[-1]")
        #expect(live.map(session.formatter.format) == plain.map(session.formatter.format))
        #expect(try session.run("all(t == u)").map(session.formatter.format) == ["true"])
    }

    @Test func aScalarTraceDrawsTheExactKL() throws {
        let (session, environment) = Self.session()
        try session.run("kl_trace(Normal(0, 1), Normal(1, 2), 3000000, seed=3, live=true);")
        #expect(environment.liveFrames.count >= 1)
        #expect(environment.liveFrames.allSatisfy { $0.reference?.label.hasPrefix("exact KL = ") == true })
    }

    @Test func withoutLiveNothingMoves() throws {
        let (session, environment) = Self.session()
        try session.run("kl_trace(Normal(0, 1), Normal(1, 2), 100000, seed=3); minimize(x -> (x - 1)^2, 0, steps=50)")
        #expect(environment.liveFrames.isEmpty && environment.liveEnds.isEmpty)
    }

    @Test func minimizeShowsFOverTheSteps() throws {
        let (session, environment) = Self.session()
        let shown = try session.run("minimize(x -> (x - 1)^2, 0, steps=40, live=true).value")
        #expect(environment.liveFrames.count == 40)
        #expect(environment.liveEnds == [false])
        let last = try #require(environment.liveFrames.last)
        #expect(last.lines[0].y.count == 40 && last.xLimits?.high == 40)
        #expect(last.title?.hasPrefix("minimize: step 40/40") == true)
        let plain = try session.run("minimize(x -> (x - 1)^2, 0, steps=40).value")
        #expect(shown.map(session.formatter.format) == plain.map(session.formatter.format))
    }

    @Test func fitShowsPTheCurrentQAndTheOptimaFound() throws {
        let (session, environment) = Self.session()
        let p = "Mixture([0.5, 0.5], [Normal(-2, 0.6), Normal(2, 0.6)])"
        let shown = try session.run("fit(Normal(0, 1), \(p), seed=1, n=2000, live=true).value")
        #expect(environment.liveEnds == [false])
        let frames = environment.liveFrames
        #expect(frames.count > 10)
        #expect(frames.allSatisfy { $0.labels.prefix(2) == ["p", "q now"] })
        #expect(frames.last?.labels.contains("optimum 1") == true)
        let plain = try session.run("fit(Normal(0, 1), \(p), seed=1, n=2000).value")
        #expect(shown.map(session.formatter.format) == plain.map(session.formatter.format))
    }
}
