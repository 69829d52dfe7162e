import CReadline

/// Rewrites the line readline has drawn, in colour, without moving anything:
/// the same characters over the same cells, then the cursor back where it was.
/// Readline keeps its own model of the screen (it knows nothing of colour), so
/// its redisplay stays right; the painter only works out where the line starts.
///
/// When that cannot be known for sure it draws nothing and the line stays
/// plain: control characters (shown as `^X`, two cells), a cursor exactly at
/// the right margin (terminals differ on where it then is), a line taller than
/// the screen.
enum LinePainter {
    /// The escape sequence that repaints `line` (cursor at byte `point`) after
    /// `prompt`, or nil when the line should stay as readline drew it.
    /// `cursorAt` false repaints a line already entered: the cursor is then at
    /// the start of the line below it, and no bracket is marked.
    static func repaint(
        prompt: String, line: String, point: Int, columns: Int, rows: Int, highlighter: SyntaxHighlighter,
        entered: Bool = false, suggestion: String? = nil
    ) -> String? {
        guard columns > 0, let promptWidth = width(of: visible(prompt)) else { return nil }
        let scalars = Array(line.unicodeScalars)
        let beforeCursor = String(decoding: line.utf8.prefix(Swift.max(0, point)), as: UTF8.self)
        let cursor = beforeCursor.unicodeScalars.count
        guard let lineWidth = width(of: line), let cursorWidth = width(of: beforeCursor) else { return nil }
        let end = promptWidth + lineWidth
        guard end / columns < Swift.max(1, rows - 1) else { return nil }
        let rowsUp: Int
        if entered {
            guard end % columns != 0 || end == 0 else { return nil }
            rowsUp = end / columns + 1 - promptWidth / columns
        } else {
            let at = promptWidth + cursorWidth
            guard at % columns != 0 || at == 0 else { return nil }
            rowsUp = at / columns - promptWidth / columns
        }
        guard scalars.count > 0, rowsUp >= 0 else { return nil }
        let startColumn = promptWidth % columns
        var out = "\u{1B}7"
        if rowsUp > 0 { out += "\u{1B}[\(rowsUp)A" }
        out += "\r"
        if startColumn > 0 { out += "\u{1B}[\(startColumn)C" }
        out += highlighter.highlight(line, cursor: entered ? -1 : cursor)
        // The rest of the row is cleared (an earlier suggestion), then the new
        // one drawn dim where it fits on the row; readline never knows of it.
        out += "\u{1B}[K"
        if let suggestion, end % columns != 0 {
            let room = columns - end % columns - 1
            let fits = suggestion.prefixFitting(cells: room)
            if !fits.isEmpty { out += "\u{1B}[2m" + fits + "\u{1B}[0m" }
        }
        return out + "\u{1B}8"
    }

    /// The prompt as it shows: without readline's invisible-text markers
    /// (`\001`…`\002`) and what they enclose.
    static func visible(_ prompt: String) -> String {
        var out = String.UnicodeScalarView()
        var hidden = false
        for scalar in prompt.unicodeScalars {
            if scalar == "\u{01}" {
                hidden = true
            } else if scalar == "\u{02}" {
                hidden = false
            } else if !hidden {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Terminal cells `text` takes, or nil when it holds a character whose
    /// width readline and the terminal may not agree on (control characters).
    static func width(of text: String) -> Int? {
        var total = 0
        for scalar in text.unicodeScalars {
            if scalar.value < 0x80 {
                guard scalar.value >= 0x20, scalar.value != 0x7F else { return nil }
                total += 1
                continue
            }
            let cells = kls_character_width(scalar.value)
            guard cells >= 0 else { return nil }
            total += Int(cells)
        }
        return total
    }
}

extension String {
    /// The longest prefix that takes at most `cells` terminal cells (nothing
    /// from the first character whose width is unknown).
    func prefixFitting(cells: Int) -> String {
        var used = 0
        var out = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            guard let width = LinePainter.width(of: String(scalar)), used + width <= cells else { break }
            used += width
            out.append(scalar)
        }
        return String(out)
    }
}
