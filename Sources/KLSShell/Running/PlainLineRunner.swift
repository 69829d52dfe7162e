import KLSLanguage
import KLSTensor

/// Reads statements line by line from a non-terminal stdin (`kls < file`):
/// each complete statement runs as soon as it is read, errors are reported as
/// `<stdin>:LINE:COL: error:` and the session goes on, as a REPL would.
public struct PlainLineRunner {
    let session: ShellSession

    /// A runner over `session`.
    public init(session: ShellSession) {
        self.session = session
    }

    /// Runs until end of input; returns 1 if any statement failed, else 0.
    public func run(readLine: () -> String? = { Swift.readLine(strippingNewline: true) }) -> Int32 {
        var status: Int32 = 0
        var buffer = ""
        var lineNumber = 0
        var firstLine = 1
        while let line = readLine() {
            lineNumber += 1
            if buffer.isEmpty { firstLine = lineNumber }
            buffer += buffer.isEmpty ? line : "\n" + line
            if Parser.isIncomplete(buffer) { continue }
            if !evaluate(buffer, firstLine: firstLine) { status = 1 }
            buffer = ""
        }
        if !buffer.isEmpty, !evaluate(buffer, firstLine: firstLine) { status = 1 }
        session.console.flush()
        return status
    }

    private func evaluate(_ text: String, firstLine: Int) -> Bool {
        do {
            try session.run(text)
            return true
        } catch {
            session.console.err(
                ErrorRenderer(console: session.console).script(
                    error, file: "<stdin>", source: text, lineOffset: firstLine - 1))
            return false
        }
    }
}
