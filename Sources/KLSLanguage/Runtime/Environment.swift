import KLSDiagnostics
import KLSFormats
import KLSPlot

/// Everything outside the session that the language touches: where output and
/// warnings go, how wide the display is, the file system (`load`, `save`,
/// plots with `file=`) and the clock. The shell injects a terminal environment; tests, the fuzzer
/// and other front ends inject their own, so nothing in the language does I/O
/// of its own.
public protocol Environment: AnyObject {
    /// Writes one block of output (`print`, `help`, a text plot).
    func output(_ text: String)
    /// Reports a warning: one line, without the `warning:` prefix.
    func warn(_ message: String)
    /// Columns available for text now; read each time something is laid out,
    /// so a resized terminal is honoured.
    var displayWidth: Int { get }
    /// Opens the file at `path` for reading; the error names the path and why
    /// (no such file, permission denied, a directory).
    func openFile(_ path: String) throws(KLSError) -> any ByteSource
    /// Creates or replaces the file at `path` with what `body` writes: whole or
    /// not at all, so a failure part-way leaves any earlier file untouched.
    func createFile(_ path: String, _ body: (any ByteSink) throws(KLSError) -> Void) throws(KLSError)
    /// A monotonic clock in nanoseconds (`clock()`, the default seed).
    func monotonicNanoseconds() -> UInt64
    /// Shows `line` as a transient status line on a terminal (nil clears it):
    /// how far a long computation is. Elsewhere it shows nothing.
    func progress(_ line: String?)
    /// Whether output may use ANSI colour (a plot's series); false by default.
    var usesColor: Bool { get }
    /// Shows a picture: by default drawn in text at `displayWidth`; a front end
    /// that can show images (a notebook) renders it as it likes.
    func show(plot: PlotData, format: @escaping (Double) -> String)
    /// Shows a frame of a picture that changes while a computation runs
    /// (`live=true`), in place of the previous frame; by default nothing (a
    /// script, a pipe, `--check`: only the finished result is shown).
    func showLive(plot: PlotData, format: @escaping (Double) -> String)
    /// Ends the live picture: `keep` leaves its last frame (an interrupted run),
    /// else it is removed, and the statement's own output takes its place.
    func endLive(keep: Bool)
    /// Runs `interact`: shows its output and lets the user change the
    /// controls, if this front end can (the REPL on a terminal: keys; a
    /// notebook: widgets). Returns the values to keep as variables, or nil. By
    /// default (a script, a pipe, `--check`) the output at the starting values.
    func interact(_ interaction: Interaction) throws(KLSError) -> [Value]?
}

extension Environment {
    public func progress(_ line: String?) {}
    public func showLive(plot: PlotData, format: @escaping (Double) -> String) {}
    public func endLive(keep: Bool) {}

    public func interact(_ interaction: Interaction) throws(KLSError) -> [Value]? {
        try interaction.show(interaction.controls.map(\.start))
        return nil
    }
    public var usesColor: Bool { false }

    public func show(plot: PlotData, format: @escaping (Double) -> String) {
        output(TextPlot(width: displayWidth, color: usesColor).render(plot, format: format))
    }

    /// Writes `contents` to the file at `path`, whole or not at all.
    public func writeFile(_ path: String, contents: String) throws(KLSError) {
        try createFile(path) { sink throws(KLSError) in try sink.write(contents) }
    }
}

/// An environment that keeps everything in memory: output and warnings as
/// lines, files in a dictionary, a fixed width and a clock that ticks by one
/// millisecond per reading. For tests and for front ends that render output
/// themselves.
public final class CapturedEnvironment: Environment {
    /// Output blocks, in order.
    public private(set) var lines: [String] = []
    /// Warnings, in order.
    public private(set) var warnings: [String] = []
    /// Live frames shown (`showLive`), in order.
    public private(set) var liveFrames: [PlotData] = []
    /// How each live picture ended: true when its last frame was kept.
    public private(set) var liveEnds: [Bool] = []
    /// Files, by path: those written, and those a test puts there to be read.
    public var files: [String: [UInt8]] = [:]
    /// The width reported to layouts.
    public var displayWidth: Int
    /// Nanoseconds the clock advances at each reading (a test of live
    /// pictures makes every reading a frame's worth apart).
    public var tick: UInt64 = 1_000_000
    private var ticks: UInt64 = 0

    /// An empty environment `displayWidth` columns wide.
    public init(displayWidth: Int = 80) {
        self.displayWidth = displayWidth
    }

    public func output(_ text: String) { lines.append(text) }
    public func warn(_ message: String) { warnings.append(message) }
    public func showLive(plot: PlotData, format: @escaping (Double) -> String) { liveFrames.append(plot) }
    public func endLive(keep: Bool) { liveEnds.append(keep) }

    public func openFile(_ path: String) throws(KLSError) -> any ByteSource {
        guard let bytes = files[path] else { throw KLSError("cannot read \(path): no such file") }
        return MemoryBytes(bytes, name: path)
    }

    public func createFile(_ path: String, _ body: (any ByteSink) throws(KLSError) -> Void) throws(KLSError) {
        let sink = MemorySink()
        try body(sink)
        files[path] = sink.bytes
    }

    /// The file at `path` as UTF-8 text.
    public func text(of path: String) -> String? {
        files[path].map { String(decoding: $0, as: UTF8.self) }
    }

    public func monotonicNanoseconds() -> UInt64 {
        ticks += tick
        return ticks
    }
}
