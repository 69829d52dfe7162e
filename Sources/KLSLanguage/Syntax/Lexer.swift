import KLSDiagnostics

/// Turns source text into tokens (language.md §1).
///
/// Newlines are significant only where a statement can end: inside `(` or `[`
/// they are dropped, and after an operator or `,` the parser skips them. Inside
/// `{` they separate statements.
public struct Lexer {
    private let scalars: [Unicode.Scalar]
    private var position = 0
    private var line = 1
    private var column = 1
    private var brackets: [Symbol] = []
    private let sourceID: Int

    /// A lexer over `source`; `firstLine` offsets line numbers (for statements
    /// taken from the middle of a file); `sourceID` names the text in every
    /// location (see `SourceLocation.source`).
    public init(_ source: String, firstLine: Int = 1, sourceID: Int = 0) {
        scalars = Array(source.unicodeScalars)
        line = firstLine
        self.sourceID = sourceID
        // A UTF-8 byte-order mark, as some editors write, is not part of the program.
        if scalars.first == "\u{FEFF}" { position = 1 }
    }

    /// All tokens, ending with `.end`.
    public static func tokenize(_ source: String, sourceID: Int = 0) throws(KLSError) -> [Token] {
        var lexer = Lexer(source, sourceID: sourceID)
        var tokens: [Token] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private var location: SourceLocation {
        SourceLocation(line: line, column: column, offset: position, source: sourceID)
    }

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        position + ahead < scalars.count ? scalars[position + ahead] : nil
    }

    private mutating func advance() {
        if scalars[position] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        position += 1
    }

    /// The next token.
    public mutating func next() throws(KLSError) -> Token {
        skipSpaceAndComments()
        let start = location
        guard let c = peek() else {
            return Token(.end, SourceRange(start: start, end: start))
        }
        if c == "\n" {
            advance()
            return Token(.newline, SourceRange(start: start, end: location))
        }
        if Lexer.isDigit(c) || (c == "." && peek(1).map(Lexer.isDigit) == true) {
            return try number(from: start)
        }
        if Lexer.isIdentifierStart(c) {
            var name = ""
            while let d = peek(), Lexer.isIdentifierStart(d) || Lexer.isDigit(d) {
                name.unicodeScalars.append(d)
                advance()
            }
            let range = SourceRange(start: start, end: location)
            if let keyword = Keyword(rawValue: name) { return Token(.keyword(keyword), range) }
            return Token(.identifier(name), range)
        }
        if c == "\"" { return try string(from: start) }
        return try symbol(from: start)
    }

    private mutating func skipSpaceAndComments() {
        while let c = peek() {
            if c == " " || c == "\t" || c == "\r" {
                advance()
            } else if c == "#" {
                while let d = peek(), d != "\n" { advance() }
            } else if c == "\n", let open = brackets.last, open != .leftBrace {
                advance()
            } else if c == "\\", peek(1) == "\n" {
                advance()
                advance()
            } else {
                return
            }
        }
    }

    private mutating func number(from start: SourceLocation) throws(KLSError) -> Token {
        var text = ""
        func digits(_ lexer: inout Lexer) {
            while let d = lexer.peek(), Lexer.isDigit(d) || d == "_" {
                if d != "_" { text.unicodeScalars.append(d) }
                lexer.advance()
            }
        }
        digits(&self)
        // `1.` is a number unless a member name follows (`1.T` is not).
        if peek() == ".", !(peek(1).map(Lexer.isIdentifierStart) ?? false) {
            text.append(".")
            advance()
            digits(&self)
        }
        if let e = peek(), e == "e" || e == "E" {
            let sign = peek(1)
            let hasSign = sign == "+" || sign == "-"
            if let d = peek(hasSign ? 2 : 1), Lexer.isDigit(d) {
                text.append("e")
                advance()
                if hasSign, let s = sign {
                    text.unicodeScalars.append(s)
                    advance()
                }
                digits(&self)
            }
        }
        let range = SourceRange(start: start, end: location)
        if let d = peek(), Lexer.isIdentifierStart(d) {
            throw KLSError(
                "malformed number: '\(text)' followed by '\(d)'", kind: .syntax,
                range: SourceRange(start: start, end: start), hint: "write 2 * x, not 2x")
        }
        guard let value = Double(text) else {
            throw KLSError("malformed number '\(text)'", kind: .syntax, range: range)
        }
        return Token(.number(value), range)
    }

    private mutating func string(from start: SourceLocation) throws(KLSError) -> Token {
        advance()
        var text = ""
        while let c = peek() {
            if c == "\"" {
                advance()
                return Token(.string(text), SourceRange(start: start, end: location))
            }
            if c == "\n" { break }
            if c == "\\" {
                let escapeStart = location
                advance()
                guard let e = peek(), e != "\n" else { break }
                switch e {
                case "n": text.append("\n")
                case "t": text.append("\t")
                case "\"": text.append("\"")
                case "\\": text.append("\\")
                default:
                    throw KLSError(
                        "unknown escape '\\\(e)' in string", kind: .syntax,
                        range: SourceRange(start: escapeStart, end: location),
                        hint: "the escapes are \\\" \\\\ \\n \\t")
                }
                advance()
                continue
            }
            text.unicodeScalars.append(c)
            advance()
        }
        throw KLSError(
            "unterminated string", kind: .syntax, range: SourceRange(start: start, end: location),
            hint: "close it with \" on the same line")
    }

    private mutating func symbol(from start: SourceLocation) throws(KLSError) -> Token {
        for length in [2, 1] {
            guard position + length <= scalars.count else { continue }
            var text = ""
            for i in 0..<length { text.unicodeScalars.append(scalars[position + i]) }
            guard let symbol = Symbol(rawValue: text) else { continue }
            for _ in 0..<length { advance() }
            try track(symbol, at: start)
            return Token(.symbol(symbol), SourceRange(start: start, end: location))
        }
        let c = scalars[position]
        advance()
        let hint: String? =
            switch c {
            case "'": "strings use double quotes"
            case "&", "|": "use 'and' / 'or'"
            case "!": "use 'not'"
            default: nil
            }
        // Invisible characters are named by code point, never echoed raw.
        let invisible =
            c.properties.isWhitespace || c.value < 32 || c.value == 0x7F
            || c.properties.generalCategory == .format || c.properties.generalCategory == .control
        let code = String(c.value, radix: 16, uppercase: true)
        let shown = invisible ? "U+" + String(repeating: "0", count: Swift.max(0, 4 - code.count)) + code : "'\(c)'"
        throw KLSError(
            "unexpected character \(shown)", kind: .syntax, range: SourceRange(start: start, end: location), hint: hint)
    }

    /// Keeps the stack of open brackets, which decides whether a newline counts.
    private mutating func track(_ symbol: Symbol, at start: SourceLocation) throws(KLSError) {
        switch symbol {
        case .leftParen, .leftBracket, .leftBrace:
            brackets.append(symbol)
        case .rightParen, .rightBracket, .rightBrace:
            let expected: Symbol =
                symbol == .rightParen ? .leftParen : (symbol == .rightBracket ? .leftBracket : .leftBrace)
            if brackets.last == expected {
                brackets.removeLast()
            } else {
                let range = SourceRange(
                    start: start,
                    end: SourceLocation(
                        line: start.line, column: start.column + 1, offset: start.offset + 1, source: sourceID))
                throw KLSError(
                    brackets.isEmpty
                        ? "unmatched '\(symbol.rawValue)'"
                        : "'\(symbol.rawValue)' does not match the open '\(brackets.last?.rawValue ?? "")'",
                    kind: .syntax, range: range)
            }
        default:
            break
        }
    }

    public static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }

    public static func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
    }
}
