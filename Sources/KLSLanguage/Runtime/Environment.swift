import KLSDiagnostics

/// Everything outside the session that the language touches: where output and
/// warnings go, how wide the display is, the file system (plots with `file=`)
/// and the clock. The shell injects a terminal environment; tests, the fuzzer
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
    /// Writes `contents` to the file at `path`, whole or not at all.
    func writeFile(_ path: String, contents: String) throws(KLSError)
    /// A monotonic clock in nanoseconds (`clock()`, the default seed).
    func monotonicNanoseconds() -> UInt64
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
    /// Files written, by path.
    public private(set) var files: [String: String] = [:]
    /// The width reported to layouts.
    public var displayWidth: Int
    private var ticks: UInt64 = 0

    /// An empty environment `displayWidth` columns wide.
    public init(displayWidth: Int = 80) {
        self.displayWidth = displayWidth
    }

    public func output(_ text: String) { lines.append(text) }
    public func warn(_ message: String) { warnings.append(message) }

    public func writeFile(_ path: String, contents: String) throws(KLSError) {
        files[path] = contents
    }

    public func monotonicNanoseconds() -> UInt64 {
        ticks += 1_000_000
        return ticks
    }
}
