import KLSLanguage

/// Colours a line of kls as it is typed: keywords, builtins, numbers, strings
/// and comments, and the bracket that pairs with the one at the cursor.
///
/// It reads characters, not tokens: a line being typed is usually not a whole
/// statement (an open string, a half-written number), and colouring must never
/// fail. What counts as a keyword or a builtin comes from the language's own
/// tables.
public struct SyntaxHighlighter: Sendable {
    /// A colour, as the parameter of an SGR escape.
    enum Style: String, Sendable {
        case keyword = "35"
        case builtin = "34"
        case number = "36"
        case string = "32"
        case comment = "90"
        case matchingBracket = "1;4"
    }

    let keywords: Set<String>
    let builtins: Set<String>
    let constants: Set<String>

    /// A highlighter that knows the language's keywords, builtins and constants.
    public init() {
        keywords = Set(Keyword.allCases.map(\.rawValue))
        builtins = Set(BuiltinRegistry.all.map(\.name))
        constants = Set(BuiltinRegistry.constants.map(\.name))
    }

    /// `line` with ANSI colours; `cursor` (a scalar offset) picks the bracket
    /// pair to mark. Every character of `line` is kept, in order, so the text
    /// takes the same columns as the plain line.
    public func highlight(_ line: String, cursor: Int) -> String {
        let scalars = Array(line.unicodeScalars)
        let styles = self.styles(scalars, cursor: cursor)
        var out = ""
        var current: Style? = nil
        for (scalar, style) in zip(scalars, styles) {
            if style != current {
                out += current == nil ? "" : "\u{1B}[0m"
                if let style { out += "\u{1B}[\(style.rawValue)m" }
                current = style
            }
            out.unicodeScalars.append(scalar)
        }
        if current != nil { out += "\u{1B}[0m" }
        return out
    }

    /// The style of each scalar (nil: plain).
    func styles(_ s: [Unicode.Scalar], cursor: Int) -> [Style?] {
        var styles = [Style?](repeating: nil, count: s.count)
        var open: [Int] = []
        var pairs: [Int: Int] = [:]
        var i = 0
        while i < s.count {
            let start = i
            let c = s[i]
            if c == "#" {
                i = s.count
                for j in start..<i { styles[j] = .comment }
            } else if c == "\"" {
                i = SyntaxHighlighter.stringEnd(s, from: i)
                for j in start..<i { styles[j] = .string }
            } else if Lexer.isDigit(c) || (c == "." && i + 1 < s.count && Lexer.isDigit(s[i + 1])) {
                i = SyntaxHighlighter.numberEnd(s, from: i)
                for j in start..<i { styles[j] = .number }
            } else if Lexer.isIdentifierStart(c) {
                while i < s.count, Lexer.isIdentifierStart(s[i]) || Lexer.isDigit(s[i]) { i += 1 }
                let word = String(String.UnicodeScalarView(s[start..<i]))
                let style: Style? =
                    keywords.contains(word)
                    ? .keyword : builtins.contains(word) ? .builtin : constants.contains(word) ? .number : nil
                for j in start..<i { styles[j] = style }
            } else {
                if "([{".unicodeScalars.contains(c) { open.append(i) }
                if let opener = SyntaxHighlighter.opener(of: c), let last = open.last, s[last] == opener {
                    open.removeLast()
                    pairs[last] = i
                    pairs[i] = last
                }
                i += 1
            }
        }
        if let at = SyntaxHighlighter.bracket(near: cursor, in: s, pairs: pairs), let partner = pairs[at] {
            styles[at] = .matchingBracket
            styles[partner] = .matchingBracket
        }
        return styles
    }

    /// The bracket whose pair to mark: the one under the cursor, else a closing
    /// bracket just before it (where the cursor is after typing it).
    static func bracket(near cursor: Int, in s: [Unicode.Scalar], pairs: [Int: Int]) -> Int? {
        if cursor < s.count, pairs[cursor] != nil { return cursor }
        if cursor > 0, cursor <= s.count, opener(of: s[cursor - 1]) != nil, pairs[cursor - 1] != nil {
            return cursor - 1
        }
        return nil
    }

    static func opener(of c: Unicode.Scalar) -> Unicode.Scalar? {
        switch c {
        case ")": return "("
        case "]": return "["
        case "}": return "{"
        default: return nil
        }
    }

    /// One past a string's closing quote (or the end of an unfinished string).
    static func stringEnd(_ s: [Unicode.Scalar], from start: Int) -> Int {
        var i = start + 1
        while i < s.count {
            if s[i] == "\\" {
                i += 2
                continue
            }
            if s[i] == "\"" { return i + 1 }
            i += 1
        }
        return s.count
    }

    /// One past a number such as `12`, `.5`, `1e-3`, `2.5E+10`.
    static func numberEnd(_ s: [Unicode.Scalar], from start: Int) -> Int {
        var i = start
        while i < s.count, Lexer.isDigit(s[i]) || s[i] == "." { i += 1 }
        if i < s.count, s[i] == "e" || s[i] == "E" {
            var j = i + 1
            if j < s.count, s[j] == "+" || s[j] == "-" { j += 1 }
            if j < s.count, Lexer.isDigit(s[j]) {
                i = j
                while i < s.count, Lexer.isDigit(s[i]) { i += 1 }
            }
        }
        return i
    }
}
