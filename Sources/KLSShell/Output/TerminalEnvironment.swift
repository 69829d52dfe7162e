import Foundation
import KLSDiagnostics
import KLSFormats
import KLSLanguage
import KLSPlot

/// The environment of a session on a console: output and warnings through the
/// console, the width of the terminal (or `COLUMNS`) read at each render, files
/// written atomically, and the monotonic system clock.
public final class TerminalEnvironment: Environment {
    let console: Console
    /// A width that overrides the terminal's (`--check` pins 80 columns).
    let fixedWidth: Int?
    /// Whether warnings are shown.
    let showsWarnings: Bool

    /// An environment writing through `console`.
    public init(console: Console, fixedWidth: Int? = nil, showsWarnings: Bool = true) {
        self.console = console
        self.fixedWidth = fixedWidth
        self.showsWarnings = showsWarnings
    }

    public func output(_ text: String) {
        if captured != nil {
            captured?.append(contentsOf: text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
            return
        }
        liveRows = 0
        console.out(text)
    }

    /// What output, warnings and pictures would have shown, as lines, while
    /// `capturing` runs (an interact frame), instead of being written.
    private var captured: [String]? = nil

    /// The lines `body` shows.
    func capturing(_ body: () throws(KLSError) -> Void) throws(KLSError) -> [String] {
        let outer = captured
        captured = []
        defer { captured = outer }
        try body()
        return captured ?? []
    }

    /// `interact` with keys, in the REPL when standard input and output are a
    /// terminal; elsewhere the output at the starting values.
    public func interact(_ interaction: Interaction) throws(KLSError) -> [Value]? {
        guard showsProgress, captured == nil, Console.isTerminal(1), let keys = RawTerminal() else {
            try interaction.show(interaction.controls.map(\.start))
            return nil
        }
        return try TerminalInteraction(interaction, in: self).run(keys)
    }

    /// `warning: message`; on a terminal, wrapped at word boundaries to the
    /// width it has now, continuation lines indented (a log keeps one line).
    public func warn(_ message: String) {
        guard showsWarnings else { return }
        if captured != nil {
            captured?.append(console.styled("warning:", .yellow) + " " + message)
            return
        }
        liveRows = 0
        let line = "warning: " + message
        let wrapped = Console.isTerminal(2) ? TextWrap.wrap(line, width: displayWidth, continuation: 2) : line
        console.err(console.styled("warning:", .yellow) + wrapped.dropFirst("warning:".count))
    }

    /// `COLUMNS`, else the terminal's width, else 80.
    public var displayWidth: Int {
        if let fixedWidth { return fixedWidth }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 {
            return columns
        }
        return Console.terminalWidth(1) ?? 80
    }

    public func openFile(_ path: String) throws(KLSError) -> any ByteSource {
        try LocalFile(path: path)
    }

    /// Written to a temporary file and renamed, so a failure leaves no partial file.
    public func createFile(_ path: String, _ body: (any ByteSink) throws(KLSError) -> Void) throws(KLSError) {
        try AtomicFileWriter.create(path, body)
    }

    public func monotonicNanoseconds() -> UInt64 {
        DispatchTime.now().uptimeNanoseconds
    }

    /// Colour on a terminal, never with `NO_COLOR` or `--no-color` (the console's choice).
    public var usesColor: Bool { console.color && Console.isTerminal(1) }

    /// Whether progress lines show: in the REPL only, never for scripts, pipes,
    /// `--echo` or `--check` (the REPL turns it on).
    public var showsProgress = false

    /// On a terminal's standard error, cut to the display's width.
    public func progress(_ line: String?) {
        guard showsProgress, captured == nil else { return }
        console.status(line.map { String($0.prefix(Swift.max(10, displayWidth - 1))) })
    }

    /// Rows the live picture's last frame takes on the screen (0: none, or
    /// other output has come after it, so it is left where it is).
    private var liveRows = 0

    /// A live frame over the previous one, in the REPL on a terminal (where
    /// progress lines show) when the frame fits the screen.
    public func showLive(plot: PlotData, format: @escaping (Double) -> String) {
        guard showsProgress, captured == nil, Console.isTerminal(1) else { return }
        let columns = displayWidth
        let text = TextPlot(width: columns, color: usesColor).render(plot, format: format)
        let rows = Console.rows(of: text, columns: columns)
        guard rows < (Console.terminalHeight(1) ?? 24) - 1 else { return }
        console.replace(rows: liveRows, with: text)
        liveRows = rows
    }

    /// Removes the last frame (unless `keep`), so the statement's output takes its place.
    public func endLive(keep: Bool) {
        if !keep, liveRows > 0 { console.replace(rows: liveRows, with: nil) }
        liveRows = 0
    }
}
