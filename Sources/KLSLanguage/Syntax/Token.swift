import KLSDiagnostics

/// A lexical token with the source range it came from.
public struct Token: Sendable, Equatable {
    /// What kind of token this is, with its payload.
    public enum Kind: Sendable, Equatable {
        case number(Double)
        case string(String)
        case identifier(String)
        case keyword(Keyword)
        case symbol(Symbol)
        case newline
        case end
    }

    /// The token's kind.
    public var kind: Kind
    /// Where the token is in the source.
    public var range: SourceRange

    /// Creates a token.
    public init(_ kind: Kind, _ range: SourceRange) {
        self.kind = kind
        self.range = range
    }
}

/// The reserved words of language.md §1.
public enum Keyword: String, Sendable, CaseIterable {
    case `for`, `in`, `if`, `else`, `true`, `false`, `none`, `and`, `or`, `not`, `while`, `break`, `continue`
}

/// Operators and punctuation, longest spellings first where they share a prefix.
public enum Symbol: String, Sendable, CaseIterable {
    case arrow = "->"
    case equalEqual = "=="
    case notEqual = "!="
    case lessEqual = "<="
    case greaterEqual = ">="
    case plusEqual = "+="
    case minusEqual = "-="
    case starEqual = "*="
    case slashEqual = "/="
    case plus = "+"
    case minus = "-"
    case star = "*"
    case slash = "/"
    case percent = "%"
    case caret = "^"
    case at = "@"
    case less = "<"
    case greater = ">"
    case equal = "="
    case leftParen = "("
    case rightParen = ")"
    case leftBracket = "["
    case rightBracket = "]"
    case leftBrace = "{"
    case rightBrace = "}"
    case comma = ","
    case semicolon = ";"
    case colon = ":"
    case dot = "."

    /// True for the operators that, at the end of a line, continue the statement.
    public var continuesLine: Bool {
        switch self {
        case .arrow, .equalEqual, .notEqual, .lessEqual, .greaterEqual, .plusEqual, .minusEqual, .starEqual,
            .slashEqual, .plus, .minus, .star, .slash, .percent, .caret, .at, .less, .greater, .equal, .comma:
            return true
        default:
            return false
        }
    }
}

extension Token.Kind {
    /// The token as it would be written, for error messages.
    public var display: String {
        switch self {
        case .number(let v): return "number \(Formatter.number(v))"
        case .string: return "string"
        case .identifier(let name): return "'\(name)'"
        case .keyword(let k): return "'\(k.rawValue)'"
        case .symbol(let s): return "'\(s.rawValue)'"
        case .newline: return "end of line"
        case .end: return "end of input"
        }
    }
}
