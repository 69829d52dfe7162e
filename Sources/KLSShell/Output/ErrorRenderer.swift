import KLSDiagnostics
import KLSLanguage
import KLSTensor

/// Renders errors the two ways docs/language.md §9 asks for: `FILE:LINE:COL: error: MESSAGE` for
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
        let message = error.description
        guard let range = error.range else {
            return "\(file): \(console.styled("error:", .red)) \(message)"
        }
        let location = "\(file):\(range.start.line + lineOffset):\(range.start.column):"
        var lines = ["\(location) \(console.styled("error:", .red)) \(message)"]
        lines += excerpt(range, in: source)
        for (call, repeats) in ErrorRenderer.collapse(error.trace).prefix(8) {
            let times = repeats > 1 ? " (\(repeats) nested calls)" : ""
            let location = "\(file):\(call.range.start.line + lineOffset):\(call.range.start.column):"
            lines.append("\(location) \(console.styled("note:", .dim)) in the call to \(call.function)\(times)")
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
    static func collapse(_ trace: [(range: SourceRange, function: String)]) -> [(
        (range: SourceRange, function: String), Int
    )] {
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

    /// Columns of source shown around the caret; a longer line is cut with `…`.
    static let excerptColumns = 120

    /// The source line of `range` with `^~~~` under it (indented by four spaces).
    /// Control characters show as `�` (a binary file must not drive the terminal),
    /// and a long line is cut to a window around the caret.
    func excerpt(_ range: SourceRange, in source: String) -> [String] {
        let index = range.start.line - 1
        guard index >= 0, let found = ErrorRenderer.line(index, of: source) else { return [] }
        var line = Array(found.map { $0.isASCII && ($0.asciiValue ?? 32) < 32 || $0 == "\u{7F}" ? "�" : $0 })
        var start = range.start.column - 1
        guard start >= 0, start <= line.count else { return [] }
        var width = range.end.line == range.start.line ? range.end.column - range.start.column : line.count - start
        width = Swift.max(1, Swift.min(width, ErrorRenderer.excerptColumns))
        var prefix = ""
        var suffix = ""
        if line.count > ErrorRenderer.excerptColumns {
            let first = Swift.max(0, Swift.min(start - 20, line.count - ErrorRenderer.excerptColumns))
            let last = Swift.min(line.count, first + ErrorRenderer.excerptColumns)
            prefix = first > 0 ? "…" : ""
            suffix = last < line.count ? "…" : ""
            line = Array(line[first..<last])
            start = start - first + prefix.count
            width = Swift.min(width, line.count + prefix.count - start + 1)
        }
        let caret = String(repeating: " ", count: start) + "^" + String(repeating: "~", count: Swift.max(0, width - 1))
        return ["    " + prefix + String(line) + suffix, "    " + console.styled(caret, .red)]
    }

    /// Line `index` (0-based) of `source`, found without splitting the whole text.
    static func line(_ index: Int, of source: String) -> Substring? {
        var current = 0
        var lineStart = source.startIndex
        var position = source.startIndex
        while position < source.endIndex {
            if source[position] == "\n" {
                if current == index { return source[lineStart..<position] }
                current += 1
                lineStart = source.index(after: position)
            }
            position = source.index(after: position)
        }
        return current == index ? source[lineStart...] : nil
    }
}
