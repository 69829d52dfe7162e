import Foundation
import KLSLanguage
import KLSTensor

/// `kls --echo FILE` and `kls --step FILE`: a replay that reads like a live
/// session. Each statement appears after the prompt as if typed (comments
/// kept, `...> ` on continuation lines), then its output. Errors show as in the
/// REPL and the replay goes on; the exit status is 1 if any statement failed.
///
/// Stepping (classroom mode) waits for Enter before each statement; `q` stops
/// the replay. On a terminal the session then stays open as a REPL.
public struct TranscriptRunner {
    let session: ShellSession
    /// Reads the presenter's key press; nil when not stepping.
    let pause: (() -> String?)?

    /// A replay over `session`; with `pause`, one that waits before each statement.
    public init(session: ShellSession, pause: (() -> String?)? = nil) {
        self.session = session
        self.pause = pause
    }

    /// Replays `source`. Returns the exit status and whether the presenter quit early.
    public func run(source: String, file: String) -> (status: Int32, quit: Bool) {
        let console = session.console
        let statements: [Statement]
        do {
            statements = try Parser.parse(source)
        } catch {
            console.err(ErrorRenderer(console: console).script(error, file: file, source: source))
            return (1, false)
        }
        let layout = ScriptLayout(source: source, statements: statements)
        // Stepping in class on a terminal is as live as the REPL: progress lines,
        // live pictures and interact's keys (a replay with --echo stays a transcript).
        if pause != nil, Console.isTerminal(0), Console.isTerminal(1) {
            (session.interpreter.environment as? TerminalEnvironment)?.showsProgress = true
        }
        var status: Int32 = 0
        for group in layout.groups {
            let shown = Array(group.lines).filter { !ScriptLayout.isExpectation(layout.line($0)) }
            let text = shown.map { layout.line($0) }
            // Lines before the statement (comments, blank lines) print as they are.
            let firstCode = shown.firstIndex { $0 >= group.statements[0].range.start.line } ?? 0
            for line in text[..<firstCode] { console.out(line.isEmpty ? "" : console.styled(line, .dim)) }
            let code = text[firstCode...].enumerated().map { ($0.offset == 0 ? "kls> " : "...> ") + $0.element }
            if let pause {
                console.write(code.joined(separator: "\n"))
                guard let key = pause(), key.trimmingCharacters(in: .whitespaces).lowercased() != "q" else {
                    console.out("")
                    return (status, true)
                }
            } else {
                console.out(code.joined(separator: "\n"))
            }
            do {
                try session.run(group.statements)
            } catch {
                status = 1
                console.out(ErrorRenderer(console: console).interactive(error, source: source))
            }
        }
        for n in layout.trailing where !layout.line(n).isEmpty && !ScriptLayout.isExpectation(layout.line(n)) {
            console.out(console.styled(layout.line(n), .dim))
        }
        console.flush()
        return (status, false)
    }
}

extension ScriptLayout {
    /// A line holding only a `#=>` expectation (shown by --check, not replayed).
    static func isExpectation(_ line: String) -> Bool {
        line.trimmingCharacters(in: .whitespaces).hasPrefix("#=>")
    }
}
