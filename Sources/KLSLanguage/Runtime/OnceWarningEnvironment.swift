import KLSDiagnostics
import KLSFormats
import KLSPlot

/// An environment that passes everything on to `base` but shows each warning
/// once, however often it recurs with other numbers in it: inside a loop of
/// estimates — `minimize`'s steps, a `for` over seeds — the same diagnosis would
/// otherwise fill the screen at every step. The interpreter runs each statement
/// in one. `shown` counts the warnings passed on, `repeats` what was held back.
final class OnceWarningEnvironment: Environment {
    let base: any Environment
    private(set) var shown = 0
    private(set) var repeats = 0
    private var seen: Set<String> = []

    init(base: any Environment) {
        self.base = base
    }

    func warn(_ message: String) {
        let key = String(message.filter { !("0"..."9").contains($0) })
        if seen.insert(key).inserted {
            shown += 1
            base.warn(message)
        } else {
            repeats += 1
        }
    }

    func output(_ text: String) { base.output(text) }
    var displayWidth: Int { base.displayWidth }
    func openFile(_ path: String) throws(KLSError) -> any ByteSource { try base.openFile(path) }
    func createFile(_ path: String, _ body: (any ByteSink) throws(KLSError) -> Void) throws(KLSError) {
        try base.createFile(path, body)
    }
    func monotonicNanoseconds() -> UInt64 { base.monotonicNanoseconds() }
    func progress(_ line: String?) { base.progress(line) }
    var usesColor: Bool { base.usesColor }
    func show(plot: PlotData, format: @escaping (Double) -> String) { base.show(plot: plot, format: format) }
}
