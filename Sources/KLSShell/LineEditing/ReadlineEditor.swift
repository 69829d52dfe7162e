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

    /// Sets readline up and installs the Ctrl-C handler (flag-only), which also
    /// asks running computations to stop.
    public init(freshPrompt: String = "kls> ") {
        kls_readline_setup(ReadlineBridge.complete)
        kls_set_fresh_prompt(freshPrompt)
        kls_install_sigint { Cancellation.request() }
    }

    /// Ctrl-C while reading clears the line in place (see the C signal hook);
    /// the REPL learns of it through `takeInterrupt` when the next line returns.
    public func readLine(prompt: String) -> LineInput {
        guard let raw = readline(prompt) else { return .end }
        defer { free(raw) }
        return .line(String(cString: raw))
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
