import CReadline
import Foundation
import KLSTensor

/// GNU readline: editing, ↑/↓ history searched by the typed prefix, Ctrl-R
/// search, bracket matching, Tab completion. The C callbacks reach Swift
/// through the one `ReadlineBridge` object.
public final class ReadlineEditor: LineEditor {
    public var completer: Completer? {
        get { ReadlineBridge.shared.completer }
        set { ReadlineBridge.shared.completer = newValue }
    }

    /// Colours the line while it is typed (nil: plain).
    public var highlighter: SyntaxHighlighter? {
        get { ReadlineBridge.shared.highlighter }
        set {
            ReadlineBridge.shared.highlighter = newValue
            kls_set_painter(newValue == nil ? nil : ReadlineBridge.paint)
        }
    }

    /// Whether the rest of a statement from history shows dim after the cursor
    /// (→ or End takes it). Drawn by the painter, so only with a highlighter.
    public var suggests: Bool {
        get { ReadlineBridge.shared.suggests }
        set {
            ReadlineBridge.shared.suggests = newValue
            kls_set_suggester(newValue ? ReadlineBridge.suggest : nil)
        }
    }

    /// Sets readline up and installs the Ctrl-C handler (flag-only), which also
    /// asks running computations to stop.
    public init(freshPrompt: String = "kls> ") {
        kls_readline_setup(ReadlineBridge.complete, Completer.wordBreaks)
        kls_set_fresh_prompt(freshPrompt)
        kls_install_sigint { Cancellation.request() }
    }

    /// Ctrl-C while reading clears the line in place (see the C signal hook);
    /// the REPL learns of it through `takeInterrupt` when the next line returns.
    public func readLine(prompt: String) -> LineInput {
        guard let raw = readline(prompt) else { return .end }
        defer { free(raw) }
        let line = String(cString: raw)
        repaintEntered(line, prompt: prompt)
        return .line(line)
    }

    /// Redraws an entered line without its bracket mark: readline does not
    /// redisplay on Enter, so the mark would stay in the scrollback.
    func repaintEntered(_ line: String, prompt: String) {
        guard let highlighter,
            let text = LinePainter.repaint(
                prompt: prompt, line: line, point: line.utf8.count, columns: Int(kls_screen_columns()), rows: 1 << 20,
                highlighter: highlighter, entered: true)
        else { return }
        kls_write_display(text)
    }

    public func remember(_ entry: String) {
        add_history(entry)
    }

    public func takeInterrupt() -> Bool {
        kls_take_interrupt() != 0
    }
}

/// The Swift state readline's C callbacks reach. Readline runs on one thread.
final class ReadlineBridge: @unchecked Sendable {
    static let shared = ReadlineBridge()
    var completer: Completer?
    var highlighter: SyntaxHighlighter?
    var suggests = false
    /// The screen width at the last redisplay (0 before the first).
    var paintedColumns: Int32 = 0

    /// readline's redisplay, then the line again in colour.
    static let paint: kls_painter = { prompt, line, point, columns, rows in
        // The redisplay that follows a resize is drawn where the terminal's
        // reflow left the line, which readline does not know: no paint then,
        // and the next keystroke paints over readline's fresh drawing.
        let bridge = ReadlineBridge.shared
        defer { bridge.paintedColumns = columns }
        guard columns == bridge.paintedColumns || bridge.paintedColumns == 0 else { return }
        guard let prompt, let line, let highlighter = bridge.highlighter else { return }
        let typed = String(cString: line)
        let atEnd = Int(point) == typed.utf8.count
        guard
            let text = LinePainter.repaint(
                prompt: String(cString: prompt), line: typed, point: Int(point), columns: Int(columns),
                rows: Int(rows), highlighter: highlighter,
                suggestion: bridge.suggests && atEnd ? ReadlineBridge.suggestion(for: typed) : nil)
        else { return }
        kls_write_display(text)
    }

    /// The suggestion for `line` from readline's history, newest first.
    static func suggestion(for line: String) -> String? {
        let entries = sequence(state: 0) { back -> String? in
            defer { back += 1 }
            return kls_history_back(Int32(back)).map { String(cString: $0) }
        }
        return Autosuggestion.suggestion(for: line, entries: entries)
    }

    /// readline's → and End at the end of a line: the suggestion to insert.
    static let suggest: kls_suggester = { line in
        guard let line, let rest = suggestion(for: String(cString: line)) else { return nil }
        return strdup(rest)
    }

    /// readline's attempted-completion function.
    static let complete: kls_completer = { text, start, end in
        guard let text, let completer = ReadlineBridge.shared.completer else { return nil }
        let word = String(cString: text)
        let buffer = String(cString: kls_line_buffer())
        let point = Int(kls_line_point())
        let line = String(buffer.utf8.prefix(point)) ?? buffer
        let result = completer.complete(word: word, line: line)
        kls_completion_options(result.append.map { Int32($0.asciiValue ?? 0) } ?? 0)
        guard !result.matches.isEmpty else { return nil }
        let matches = kls_match_array(Int32(result.matches.count))
        kls_match_set(matches, 0, Completer.commonPrefix(result.matches))
        for (i, match) in result.matches.enumerated() { kls_match_set(matches, Int32(i + 1), match) }
        return matches
    }
}
