import Foundation
import KLSLanguage
import KLSTensor

/// Runs kls source as a script (`kls FILE`, `kls -`, `kls -e`): the whole text is
/// parsed first, so a syntax error runs nothing; then statements run in order,
/// displayed values go to stdout, and the first error stops the run.
public struct ScriptRunner {
    let session: Interpreter
    let console: Console

    /// A runner over a session, writing through `console`.
    public init(session: Interpreter, console: Console) {
        self.session = session
        self.console = console
    }

    /// Runs `source`; returns the exit status (0 ok, 1 error).
    public func run(source: String, file: String) -> Int32 {
        let renderer = ErrorRenderer(console: console)
        do {
            let statements = try Parser.parse(source)
            for statement in statements {
                Cancellation.reset()
                if let value = try session.execute(statement) {
                    console.out(session.formatter.format(value))
                }
            }
            console.flush()
            return 0
        } catch {
            console.err(renderer.script(error, file: file, source: source))
            return 1
        }
    }
}

/// Reads statements line by line from a non-terminal stdin (`kls < file`):
/// each complete statement runs as soon as it is read, errors are reported as
/// `<stdin>:LINE:COL: error:` and the session goes on, as a REPL would.
public struct PlainLineRunner {
    let session: Interpreter
    let console: Console

    /// A runner over a session, writing through `console`.
    public init(session: Interpreter, console: Console) {
        self.session = session
        self.console = console
    }

    /// Runs until end of input; returns 1 if any statement failed, else 0.
    public func run(readLine: () -> String? = { Swift.readLine(strippingNewline: true) }) -> Int32 {
        let renderer = ErrorRenderer(console: console)
        var status: Int32 = 0
        var buffer = ""
        var lineNumber = 0
        var firstLine = 1
        while let line = readLine() {
            lineNumber += 1
            if buffer.isEmpty { firstLine = lineNumber }
            buffer += buffer.isEmpty ? line : "\n" + line
            if Parser.isIncomplete(buffer) { continue }
            if !evaluate(buffer, firstLine: firstLine, renderer) { status = 1 }
            buffer = ""
        }
        if !buffer.isEmpty, !evaluate(buffer, firstLine: firstLine, renderer) { status = 1 }
        console.flush()
        return status
    }

    private func evaluate(_ text: String, firstLine: Int, _ renderer: ErrorRenderer) -> Bool {
        do {
            for statement in try Parser.parse(text) {
                Cancellation.reset()
                if let value = try session.execute(statement) { console.out(session.formatter.format(value)) }
            }
            return true
        } catch {
            console.err(renderer.script(error, file: "<stdin>", source: text, lineOffset: firstLine - 1))
            return false
        }
    }
}
