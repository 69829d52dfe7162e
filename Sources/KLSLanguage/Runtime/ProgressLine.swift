import KLSDiagnostics
import KLSDistributions

/// A live status line for long Monte Carlo work: after half a second, at most
/// five times a second, `kl_mc: 43% of 1e+08 draws · 2.1e+07/s · 3 s left ·
/// 0.1234 ± 0.0003`, through `Environment.progress` (which shows it only in
/// the REPL on a terminal), cleared by `finish()`.
final class ProgressLine {
    let environment: any Environment
    let label: String
    let total: Int
    let started: UInt64
    private var last: UInt64 = 0
    private var shown = false

    init(_ session: Interpreter, label: String, total: Int) {
        environment = session.environment
        self.label = label
        self.total = total
        started = session.environment.monotonicNanoseconds()
    }

    /// Reports `done` of the draws and the estimate so far.
    func update(done: Int, _ running: Moments) {
        let now = environment.monotonicNanoseconds()
        let elapsed = Double(now &- started) * 1e-9
        guard elapsed >= 0.5, now &- last >= 200_000_000, done > 0, total > 0 else { return }
        last = now
        shown = true
        let rate = Double(done) / elapsed
        let left = Double(total - done) / Swift.max(rate, 1)
        var line = "\(label): \(Int(100 * Double(done) / Double(total)))% of \(Formatter.number(Double(total))) draws"
        line +=
            " · \(Formatter.number(rate, precision: 2))/s"
            + " · \(Formatter.number(left.rounded(.up), precision: 3)) s left"
        if running.count > 1 {
            let (mean, stderr) = (running.mean, running.standardError)
            line += " · \(Formatter.number(mean, precision: 4)) ± \(Formatter.number(stderr, precision: 2))"
        }
        environment.progress(line + "  (Ctrl-C stops)")
    }

    /// Clears the line if it was shown.
    func finish() {
        if shown { environment.progress(nil) }
    }

    /// Runs `body` with a line that `body` updates, cleared however it ends.
    static func around<T>(
        _ session: Interpreter, _ label: String, total: Int, _ body: (ProgressLine) throws(KLSError) -> T
    ) throws(KLSError) -> T {
        let line = ProgressLine(session, label: label, total: total)
        defer { line.finish() }
        return try body(line)
    }
}
