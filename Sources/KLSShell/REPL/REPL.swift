import Foundation
import KLSDiagnostics
import KLSLanguage
import KLSTensor

/// The interactive shell (language.md §8): prompts, continuation lines, statements,
/// commands, history and completion over a `LineEditor`.
public final class REPL {
    let shell: ShellSession
    let editor: LineEditor
    let history: History
    /// Statements that ran without error, as typed: what `:save` writes.
    var log: [String] = []
    /// Every entry and loaded file by its source number, for tracebacks: a
    /// function defined in one entry may fail when called from a later one.
    var sources: [Int: ErrorRenderer.SourceText] = [:]
    let initialSeed: UInt64
    var interpreter: Interpreter { shell.interpreter }
    var console: Console { shell.console }

    /// A REPL over `shell`, reading from `editor`, recording into `history`.
    public init(shell: ShellSession, editor: LineEditor, history: History) {
        self.shell = shell
        self.editor = editor
        self.history = history
        initialSeed = shell.interpreter.random.seed
        editor.completer = Completer(session: shell.interpreter)
        // Colour while typing follows the output's colour (NO_COLOR, --no-color) and
        // needs readline to be drawing on a terminal that understands escapes;
        // so do suggestions from history, which the same painter draws dim.
        if shell.console.color, Console.isTerminal(1), ProcessInfo.processInfo.environment["TERM"] != "dumb" {
            editor.highlighter = SyntaxHighlighter()
            editor.suggests = true
        }
        (shell.interpreter.environment as? TerminalEnvironment)?.showsProgress = true
        for entry in history.entries { editor.remember(entry) }
    }

    /// The first line a user sees.
    public static var banner: String {
        "kls \(KLSShellInfo.version) — KL divergence by experiment. Type :help for help, :quit to leave."
    }

    /// Reads and runs until `:quit` or Ctrl-D; returns the exit status.
    public func run(showBanner: Bool = true) -> Int32 {
        if showBanner { console.out(console.styled(REPL.banner, .dim)) }
        var buffer = ""
        _ = editor.takeInterrupt()
        while true {
            let input = editor.readLine(prompt: buffer.isEmpty ? "kls> " : "...> ")
            // Ctrl-C while this line was being typed abandoned any unfinished statement.
            if editor.takeInterrupt() { buffer = "" }
            switch input {
            case .end:
                if !buffer.isEmpty {
                    console.out("")
                    let first = buffer.split(separator: "\n").first.map(String.init) ?? buffer
                    console.err(
                        console.styled(
                            "dropped the unfinished statement (\(buffer.split(separator: "\n").count) lines, "
                                + "from \(first.prefix(40))); Ctrl-D again leaves", .dim))
                    buffer = ""
                    continue
                }
                console.flush()
                return 0
            case .interrupted:
                buffer = ""
            case .line(let typed):
                let line = REPL.strippingPrompt(typed)
                let word = line.trimmingCharacters(in: .whitespaces)
                if buffer.isEmpty, REPL.quitWords.contains(word),
                    interpreter.globals[word.replacingOccurrences(of: "()", with: "")] == nil
                {
                    console.flush()
                    return 0
                }
                if buffer.isEmpty, let command = REPL.command(in: line) {
                    // ↑ Enter should never quit by surprise: :quit is not recorded.
                    if command.name != "quit" { remember(line) }
                    if handle(command.name, command.argument) == .quit {
                        console.flush()
                        return 0
                    }
                    continue
                }
                buffer += buffer.isEmpty ? line : "\n" + line
                if Parser.isIncomplete(buffer) { continue }
                remember(buffer)
                evaluate(buffer)
                buffer = ""
            }
        }
    }

    /// What IPython, Julia and Python users type to leave; they leave here too
    /// (unless the session has a variable of that name).
    static let quitWords: Set<String> = ["exit", "quit", "exit()", "quit()"]

    /// A line without a pasted prompt: a transcript copied from a session
    /// (`kls> x = 1`, `...> + 2`) runs as typed, as Julia strips `julia> `.
    static func strippingPrompt(_ line: String) -> String {
        for prompt in ["kls> ", "...> "] where line.hasPrefix(prompt) { return String(line.dropFirst(prompt.count)) }
        return line == "kls>" || line == "...>" ? "" : line
    }

    func remember(_ entry: String) {
        if history.add(entry) { editor.remember(entry) }
    }

    /// `:name argument` or `?name`, else nil.
    static func command(in line: String) -> (name: String, argument: String)? {
        let text = line.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("?") { return ("help", String(text.dropFirst()).trimmingCharacters(in: .whitespaces)) }
        guard text.hasPrefix(":") else { return nil }
        let body = text.dropFirst()
        let name = body.prefix { !$0.isWhitespace }
        return (String(name), String(body.dropFirst(name.count)).trimmingCharacters(in: .whitespaces))
    }

    /// Runs an entry's statements, logging each one that succeeds.
    func evaluate(_ text: String, timed: Bool = false) {
        let start = DispatchTime.now().uptimeNanoseconds
        var last: Value? = nil
        let id = register(text, name: { "kls[\($0)]" })
        do {
            let statements = try Parser.parse(text, sourceID: id)
            try shell.run(statements) { statement, value in
                self.log.append(REPL.source(of: statement, in: text))
                if let value { last = value }
            }
        } catch {
            _ = editor.takeInterrupt()
            report(error, source: text)
        }
        if timed { reportTime(since: start, last) }
    }

    /// Keeps `text` for tracebacks under the next source number; `name` makes
    /// its name in locations from the number.
    func register(_ text: String, name: (Int) -> String) -> Int {
        let id = sources.count + 1
        sources[id] = ErrorRenderer.SourceText(name: name(id), text: text)
        return id
    }

    /// An error in this entry's own statements gets the caret under the entry;
    /// one raised inside a function gets a traceback: where it happened, in the
    /// function's own text, then each call down to this entry.
    func report(_ error: KLSError, source: String) {
        if error.kind == .interrupted {
            console.err(console.styled("interrupted", .yellow) + console.styled(" (the session is intact)", .dim))
            return
        }
        let renderer = ErrorRenderer(console: console)
        guard !error.trace.isEmpty else {
            console.err(renderer.interactive(error, source: source))
            return
        }
        console.err(renderer.tracebackWithHintBelow(error) { self.sources[$0] })
    }

    func reportTime(since start: UInt64, _ value: Value?) {
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        var line = "time: \(Formatter.number(seconds, precision: 4)) s"
        if case .record(let r)? = value, let n = r["n"].flatMap({ try? $0.asNumber() }), seconds > 0 {
            line += "  (\(Formatter.number(n / seconds, precision: 3)) samples/s)"
        }
        console.out(console.styled(line, .dim))
    }

    /// The text of `statement` inside `text` (ranges count Unicode scalars).
    static func source(of statement: Statement, in text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        let lo = Swift.max(0, Swift.min(statement.range.start.offset, scalars.count))
        let hi = Swift.max(lo, Swift.min(statement.range.end.offset, scalars.count))
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[lo..<hi])
        return String(view)
    }
}

/// Facts about the build the shell shows.
public enum KLSShellInfo {
    /// The version in the banner, `--version`, the serve protocol's greeting and
    /// saved sessions (CHANGELOG.md has what each version brought).
    public static let version = "0.3.0"
}
