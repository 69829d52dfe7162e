/// Wrapping prose at word boundaries for the width a terminal has now: help,
/// warnings and hints. Each line keeps its own leading spaces, and its
/// continuation lines are indented to where its text starts — or, for a line
/// laid out as `name   summary` (two or more spaces), to where the summary
/// starts — so tables of builtins stay tables. A word longer than the width
/// stays whole on a line of its own.
public enum TextWrap {
    /// `text` wrapped to `width` columns; `continuation` overrides the indent
    /// of continuation lines (a warning's lines under its first).
    public static func wrap(_ text: String, width: Int, continuation: Int? = nil) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { wrapLine(String($0), width: width, continuation: continuation) }
            .joined(separator: "\n")
    }

    static func wrapLine(_ line: String, width: Int, continuation: Int?) -> String {
        guard line.count > width, width >= 20 else { return line }
        let indent = Swift.min(continuation ?? hangingIndent(line), width * 2 / 3)
        let hanging = String(repeating: " ", count: indent)
        let leading = line.prefix { $0 == " " }.count
        var words = line.dropFirst(leading).split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        var lines: [String] = []
        var current = String(repeating: " ", count: leading) + (words.isEmpty ? "" : words.removeFirst())
        for piece in words {
            // Keep going while the line fits, or while it holds no word yet beyond its indent.
            if current.count + 1 + piece.count <= width || current.count <= indent {
                current += " " + piece
            } else {
                lines.append(current)
                current = hanging + piece
            }
        }
        lines.append(current)
        return lines.map { String($0.reversed().drop { $0 == " " }.reversed()) }.joined(separator: "\n")
    }

    /// Where continuation lines start: after the first gap of two or more
    /// spaces past the line's indent (a table's second column), else at the
    /// line's own indent.
    static func hangingIndent(_ line: String) -> Int {
        let characters = Array(line)
        let leading = characters.prefix { $0 == " " }.count
        var i = leading
        while i + 1 < characters.count {
            if characters[i] == " " && characters[i + 1] == " " {
                var j = i
                while j < characters.count && characters[j] == " " { j += 1 }
                return j < characters.count ? j : leading
            }
            i += 1
        }
        return leading
    }
}
