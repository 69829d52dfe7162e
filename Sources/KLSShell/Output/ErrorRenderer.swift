import KLSLanguage
import KLSTensor

/// Renders errors the two ways §9 asks for: `FILE:LINE:COL: error: MESSAGE` for
/// scripts, and `error: MESSAGE` with the statement and a caret in the REPL.
public struct ErrorRenderer {
    let console: Console

    /// A renderer writing styles through `console`.
    public init(console: Console) {
        self.console = console
    }

    /// The script form: a located first line, then the source line and a caret.
    /// `lineOffset` shifts lines when `source` is a fragment of a larger input.
    public func script(_ error: KLSError, file: String, source: String, lineOffset: Int = 0) -> String {
        let message = error.hint.map { "\(error.message) (\($0))" } ?? error.message
        guard let range = error.range else {
            return "\(file): \(console.styled("error:", .red)) \(message)"
        }
        var lines = ["\(file):\(range.start.line + lineOffset):\(range.start.column): \(console.styled("error:", .red)) \(message)"]
        lines += excerpt(range, in: source)
        for (call, repeats) in ErrorRenderer.collapse(error.trace).prefix(8) {
            let times = repeats > 1 ? " (\(repeats) nested calls)" : ""
            lines.append("\(file):\(call.range.start.line + lineOffset):\(call.range.start.column): \(console.styled("note:", .dim)) in the call to \(call.function)\(times)")
            lines += excerpt(call.range, in: source)
        }
        return lines.joined(separator: "\n")
    }

    /// The REPL form: `error: MESSAGE`, the statement line and a caret under the
    /// offending columns, and the hint dimmed.
    public func interactive(_ error: KLSError, source: String) -> String {
        var lines = ["\(console.styled("error:", .red)) \(error.message)"]
        if let range = error.range { lines += excerpt(range, in: source) }
        if let hint = error.hint { lines.append(console.styled("hint: \(hint)", .dim)) }
        return lines.joined(separator: "\n")
    }

    /// Runs of the same call site (recursion) folded into one entry with a count.
    static func collapse(_ trace: [(range: SourceRange, function: String)]) -> [((range: SourceRange, function: String), Int)] {
        var runs: [((range: SourceRange, function: String), Int)] = []
        for call in trace {
            if let last = runs.last, last.0.range == call.range {
                runs[runs.count - 1].1 += 1
            } else {
                runs.append((call, 1))
            }
        }
        return runs
    }

    /// The source line of `range` with `^~~~` under it (indented by four spaces).
    func excerpt(_ range: SourceRange, in source: String) -> [String] {
        let sourceLines = source.split(separator: "\n", omittingEmptySubsequences: false)
        let index = range.start.line - 1
        guard index >= 0, index < sourceLines.count else { return [] }
        let line = String(sourceLines[index])
        guard range.start.column - 1 <= line.count else { return [] }
        let width = range.end.line == range.start.line ? Swift.max(1, range.end.column - range.start.column) : Swift.max(1, line.count - range.start.column + 1)
        let caret = String(repeating: " ", count: range.start.column - 1) + "^" + String(repeating: "~", count: Swift.max(0, width - 1))
        return ["    " + line, "    " + console.styled(caret, .red)]
    }
}
