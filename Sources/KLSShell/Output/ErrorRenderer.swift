import KLSDiagnostics
import KLSLanguage
import KLSTensor

/// Renders errors the two ways docs/language.md §9 asks for: `FILE:LINE:COL: error: MESSAGE` for
/// scripts, and `error: MESSAGE` with the statement and a caret in the REPL.
public struct ErrorRenderer {
    let console: Console
    /// Columns of source shown around the caret; a longer line is cut with `…`
    /// on both sides so that it never wraps, which would leave the caret under
    /// other characters.
    let excerptColumns: Int

    /// A renderer writing styles through `console`. Excerpts fit `width`
    /// columns; by default, standard error's terminal as it is now, else 120
    /// columns of source.
    public init(console: Console, width: Int? = nil) {
        self.console = console
        let total = width ?? Console.terminalWidth(2) ?? 127
        // Four columns of indent, two of ellipses, and the last column left
        // empty (a character there makes some terminals wrap).
        excerptColumns = Swift.max(16, total - 7)
    }

    /// A text errors can point into: its name in locations (a file, `kls[3]`),
    /// its text, and how far its lines are shifted when it is a fragment.
    public struct SourceText {
        public var name: String
        public var text: String
        public var lineOffset: Int

        /// A named text.
        public init(name: String, text: String, lineOffset: Int = 0) {
            self.name = name
            self.text = text
            self.lineOffset = lineOffset
        }
    }

    /// The script form: a located first line, then the source line and a caret.
    /// `lineOffset` shifts lines when `source` is a fragment of a larger input.
    public func script(_ error: KLSError, file: String, source: String, lineOffset: Int = 0) -> String {
        let text = SourceText(name: file, text: source, lineOffset: lineOffset)
        return traceback(error) { _ in text }
    }

    /// `NAME:LINE:COL: error: MESSAGE`, the line and a caret, then each call the
    /// error passed through, innermost first, each with its own line: a short
    /// traceback. `sources` finds the text a range is in (`SourceLocation.source`);
    /// a range in no known text is shown without its line.
    public func traceback(_ error: KLSError, sources: (Int) -> SourceText?) -> String {
        guard let range = error.range else {
            let name = sources(0)?.name ?? "kls"
            return "\(name): \(console.styled("error:", .red)) \(error.description)"
        }
        var lines = located(range, sources, console.styled("error:", .red) + " " + error.description)
        for (call, repeats) in ErrorRenderer.collapse(error.trace).prefix(8) {
            let times = repeats > 1 ? " (\(repeats) nested calls)" : ""
            lines += located(
                call.range, sources, console.styled("note:", .dim) + " in the call to \(call.function)\(times)")
        }
        return lines.joined(separator: "\n")
    }

    /// The traceback with the hint on a dimmed line of its own after it, as the
    /// REPL and notebooks show errors (a script keeps it in the first line).
    public func tracebackWithHintBelow(_ error: KLSError, sources: (Int) -> SourceText?) -> String {
        var shown = error
        shown.hint = nil
        let text = traceback(shown, sources: sources)
        return error.hint.map { text + "\n" + console.styled("hint: \($0)", .dim) } ?? text
    }

    /// `NAME:LINE:COL: what`, then the excerpt when the text is known.
    func located(_ range: SourceRange, _ sources: (Int) -> SourceText?, _ what: String) -> [String] {
        guard let text = sources(range.start.source) else {
            return ["\(range.start.line):\(range.start.column): \(what)"]
        }
        let location = "\(text.name):\(range.start.line + text.lineOffset):\(range.start.column):"
        return ["\(location) \(what)"] + excerpt(range, in: text.text)
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

    /// The source line of `range` with `^~~~` under it (indented by four spaces).
    /// Control characters show as `�` (a binary file must not drive the terminal),
    /// and a line wider than the excerpt is cut to a window around the caret.
    func excerpt(_ range: SourceRange, in source: String) -> [String] {
        let index = range.start.line - 1
        guard index >= 0, let found = ErrorRenderer.line(index, of: source) else { return [] }
        // A tab shows as one space so that the caret's columns match the line's.
        var line = Array(
            found.map { c -> Character in
                c == "\t" ? " " : c.isASCII && (c.asciiValue ?? 32) < 32 || c == "\u{7F}" ? "�" : c
            })
        var start = range.start.column - 1
        guard start >= 0, start <= line.count else { return [] }
        var width = range.end.line == range.start.line ? range.end.column - range.start.column : line.count - start
        width = Swift.max(1, Swift.min(width, excerptColumns))
        var prefix = ""
        var suffix = ""
        if line.count > excerptColumns {
            let first = Swift.max(0, Swift.min(start - 20, line.count - excerptColumns))
            let last = Swift.min(line.count, first + excerptColumns)
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
