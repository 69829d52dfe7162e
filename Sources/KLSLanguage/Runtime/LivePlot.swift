import KLSDiagnostics
import KLSPlot

/// The picture of a computation while it runs (`live=true` on kl_trace,
/// minimize, fit): at most four frames a second through
/// `Environment.showLive`, the first a quarter of a second in (work that ends
/// sooner shows none), removed when the work ends — the statement's own output
/// takes its place — and kept when an interrupt stops it.
final class LivePlot {
    /// Time between frames, and before the first.
    static let interval: UInt64 = 250_000_000

    let environment: any Environment
    private var last: UInt64
    private var shown = false
    /// Set when Ctrl-C stopped the work: the last frame stays.
    var interrupted = false

    init(_ session: Interpreter) {
        environment = session.environment
        last = environment.monotonicNanoseconds()
    }

    /// Draws the frame `make` builds, if one is due (it is built only then).
    func update(_ make: () throws(KLSError) -> PlotData) rethrows {
        let now = environment.monotonicNanoseconds()
        guard now &- last >= LivePlot.interval else { return }
        let frame = try make()
        environment.showLive(plot: frame, format: Formatter.plotNumber)
        shown = true
        // Timed from the end of drawing, so a slow terminal gets fewer frames, not more of the time.
        last = environment.monotonicNanoseconds()
    }

    /// Ends the picture (see the type's summary).
    func finish() {
        if shown { environment.endLive(keep: interrupted) }
        shown = false
    }

    /// Runs `body` with a live plot when `enabled` (else nil), ended however
    /// `body` ends: an interrupt keeps the last frame.
    static func around<T>(
        _ session: Interpreter, enabled: Bool, _ body: (LivePlot?) throws(KLSError) -> T
    ) throws(KLSError) -> T {
        guard enabled else { return try body(nil) }
        let live = LivePlot(session)
        defer { live.finish() }
        do {
            return try body(live)
        } catch {
            if error.kind == .interrupted { live.interrupted = true }
            throw error
        }
    }
}
