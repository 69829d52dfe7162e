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
        var sources: [Int: ErrorRenderer.SourceText] = [:]
        func evaluate(_ text: String, firstLine: Int) -> Bool {
            let id = sources.count + 1
            sources[id] = ErrorRenderer.SourceText(name: "<stdin>", text: text, lineOffset: firstLine - 1)
            return self.evaluate(text, id: id, sources: sources)
        }
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

    /// Runs one statement (source number `id`); an error inside a function
    /// read earlier shows that function's line too.
    private func evaluate(_ text: String, id: Int, sources: [Int: ErrorRenderer.SourceText]) -> Bool {
        do {
            try session.run(try Parser.parse(text, sourceID: id))
            return true
        } catch {
            session.console.err(ErrorRenderer(console: session.console).traceback(error) { sources[$0] })
            return false
        }
    }
}
