import Foundation

/// Standard output and error, kept in order: stdout is flushed before anything
/// goes to stderr, so a transcript reads in the order things happened.
public final class Console: @unchecked Sendable {
    /// Whether to use ANSI colour (a terminal, no `NO_COLOR`, no `--no-color`).
    public var color: Bool

    /// Where bytes go: file descriptor 1 or 2 and the bytes. Tests capture it.
    let sink: (Int32, [UInt8]) -> Void

    /// A console writing to the process's stdout and stderr, or to `sink`.
    public init(color: Bool, sink: ((Int32, [UInt8]) -> Void)? = nil) {
        self.color = color
        self.sink = sink ?? { fd, bytes in Console.write(fd, bytes) }
    }

    /// Output waiting to be written to stdout; flushed when large, before any
    /// write to stderr, and at the end.
    private var pending: [UInt8] = []

    /// Whether a status line is showing on standard error (cleared before
    /// anything else is written).
    private var statusShown = false

    /// Shows `text` as a status line on standard error, over the previous one,
    /// when standard error is a terminal; nil clears it.
    public func status(_ text: String?) {
        guard Console.stderrIsTerminal, text != nil || statusShown else { return }
        flush()
        sink(2, Array(("\r" + (text ?? "") + "\u{1B}[K").utf8))
        statusShown = text != nil
    }

    private func clearStatus() {
        if statusShown { status(nil) }
    }

    /// Writes a line to standard output. On a terminal it appears at once.
    public func out(_ text: String) {
        clearStatus()
        pending.append(contentsOf: text.utf8)
        pending.append(10)
        if pending.count > 1 << 16 || Console.stdoutIsTerminal { flush() }
    }

    /// Writes text to standard output without a newline and flushes it (a
    /// prompt that waits for the presenter).
    public func write(_ text: String) {
        pending.append(contentsOf: text.utf8)
        flush()
    }

    /// Writes `text` and a newline to standard output in place of the last
    /// `rows` rows written (a live picture's previous frame): the cursor goes up
    /// over them and the screen below is cleared first.
    public func replace(rows: Int, with text: String?) {
        clearStatus()
        flush()
        var bytes = rows > 0 ? "\u{1B}[\(rows)A\r\u{1B}[J" : ""
        if let text { bytes += text + "\n" }
        sink(1, Array(bytes.utf8))
    }

    /// Writes a line to standard error, after flushing standard output.
    public func err(_ text: String) {
        clearStatus()
        flush()
        sink(2, Array((text + "\n").utf8))
    }

    /// Writes pending standard output.
    public func flush() {
        guard !pending.isEmpty else { return }
        sink(1, pending)
        pending.removeAll(keepingCapacity: true)
    }

    private static let stdoutIsTerminal = isTerminal(1)
    private static let stderrIsTerminal = isTerminal(2)

    /// The first failed write to standard output or error: the descriptor and
    /// errno. The command line reports it and exits 1, so `kls … > /dev/full`
    /// does not pretend to succeed.
    public nonisolated(unsafe) static var writeFailure: (fd: Int32, code: Int32)? = nil

    /// Writes all of `bytes`, retrying on short writes and EINTR; records the first
    /// failure in `writeFailure`.
    public static func write(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            guard var p = raw.baseAddress else { return }
            var left = raw.count
            while left > 0 {
                let n = Foundation.write(fd, p, left)
                if n < 0 {
                    if errno == EINTR { continue }
                    if writeFailure == nil { writeFailure = (fd, errno) }
                    return
                }
                p += n
                left -= n
            }
        }
    }

    /// Tells standard error (when it still works) which stream failed and why;
    /// a closed pipe (the reader left, as `kls … | head` does) is not news.
    public static func reportWriteFailure(_ failure: (fd: Int32, code: Int32)) {
        guard failure.code != EPIPE, failure.fd != 2 else { return }
        let message = "kls: cannot write to standard output: \(String(cString: strerror(failure.code)))\n"
        _ = message.withCString { Foundation.write(2, $0, strlen($0)) }
    }

    /// `text` in an ANSI style when colour is on.
    public func styled(_ text: String, _ style: Style) -> String {
        color ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }

    /// The ANSI styles kls uses.
    public enum Style: String {
        case red = "31;1"
        case dim = "2"
        case bold = "1"
        case yellow = "33;1"
    }

    /// True when the file descriptor is a terminal.
    public static func isTerminal(_ fd: Int32) -> Bool {
        isatty(fd) == 1
    }

    /// The width of the terminal on `fd` now (it changes when the window is
    /// resized), or nil when `fd` is not a terminal.
    public static func terminalWidth(_ fd: Int32) -> Int? {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// Rows `text` takes on a terminal `columns` wide: each line at least one,
    /// a longer one as many as it wraps to. ANSI colour codes take no cells (a
    /// coloured plot counted by characters would move the cursor too far up).
    public static func rows(of text: String, columns: Int) -> Int {
        let width = Swift.max(1, columns)
        return text.split(separator: "\n", omittingEmptySubsequences: false).reduce(0) { total, line in
            let cells = line.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression).count
            return total + Swift.max(1, (cells + width - 1) / width)
        }
    }

    /// The height of the terminal on `fd` in rows, or nil when it is not one.
    public static func terminalHeight(_ fd: Int32) -> Int? {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 else { return nil }
        return Int(size.ws_row)
    }

    /// Colour is allowed: not disabled by `NO_COLOR` (any value) or the flag.
    public static func colorAllowed(noColorFlag: Bool) -> Bool {
        !noColorFlag && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }
}
