import KLSDiagnostics

/// The subset of Python literals an `.npy` header is written in: a dict of
/// strings, booleans, integers, tuples and lists (NumPy writes it with `repr`).
enum PythonLiteral: Equatable {
    case string(String)
    case bool(Bool)
    case integer(Int)
    case none
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    case dict([(String, PythonLiteral)])

    static func == (a: PythonLiteral, b: PythonLiteral) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.integer(let x), .integer(let y)): return x == y
        case (.none, .none): return true
        case (.tuple(let x), .tuple(let y)), (.list(let x), .list(let y)): return x == y
        case (.dict(let x), .dict(let y)): return x.map(\.0) == y.map(\.0) && x.map(\.1) == y.map(\.1)
        default: return false
        }
    }

    /// The literal as Python's `repr` would write it (for messages).
    var repr: String {
        switch self {
        case .string(let s): return "'\(s)'"
        case .bool(let b): return b ? "True" : "False"
        case .integer(let i): return String(i)
        case .none: return "None"
        case .tuple(let items): return "(" + items.map(\.repr).joined(separator: ", ") + (items.count == 1 ? ",)" : ")")
        case .list(let items): return "[" + items.map(\.repr).joined(separator: ", ") + "]"
        case .dict(let pairs): return "{" + pairs.map { "'\($0.0)': \($0.1.repr)" }.joined(separator: ", ") + "}"
        }
    }
}

/// Reads one Python literal from ASCII bytes; errors give the byte offset in the file.
struct PythonLiteralParser {
    let bytes: [UInt8]
    /// Offset of `bytes[0]` in the file, for messages.
    let fileOffset: Int
    let fileName: String
    var position = 0

    init(_ bytes: [UInt8], fileOffset: Int, fileName: String) {
        self.bytes = bytes
        self.fileOffset = fileOffset
        self.fileName = fileName
    }

    /// The literal, which must be followed only by whitespace.
    mutating func parseAll() throws(KLSError) -> PythonLiteral {
        let value = try parseValue(depth: 0)
        skipSpace()
        guard position == bytes.count else { throw failure("unexpected text after the header dict") }
        return value
    }

    func failure(_ what: String) -> KLSError {
        KLSError("\(fileName): corrupted .npy header at byte \(fileOffset + position): \(what)")
    }

    private mutating func skipSpace() {
        while position < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) { position += 1 }
    }

    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func parseValue(depth: Int) throws(KLSError) -> PythonLiteral {
        guard depth < 32 else { throw failure("nested too deeply") }
        skipSpace()
        guard let c = peek() else { throw failure("the header ends in the middle of a value") }
        switch c {
        case UInt8(ascii: "{"): return try parseDict(depth: depth)
        case UInt8(ascii: "("): return .tuple(try parseItems(until: UInt8(ascii: ")"), depth: depth))
        case UInt8(ascii: "["): return .list(try parseItems(until: UInt8(ascii: "]"), depth: depth))
        case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .integer(try parseInteger())
        default: return try parseWord()
        }
    }

    private mutating func parseDict(depth: Int) throws(KLSError) -> PythonLiteral {
        position += 1
        var pairs: [(String, PythonLiteral)] = []
        while true {
            skipSpace()
            if peek() == UInt8(ascii: "}") {
                position += 1
                return .dict(pairs)
            }
            guard case .string(let key) = try parseValue(depth: depth + 1) else {
                throw failure("a dict key is not a string")
            }
            skipSpace()
            guard peek() == UInt8(ascii: ":") else { throw failure("expected ':' after '\(key)'") }
            position += 1
            pairs.append((key, try parseValue(depth: depth + 1)))
            skipSpace()
            if peek() == UInt8(ascii: ",") {
                position += 1
            } else if peek() != UInt8(ascii: "}") {
                throw failure("expected ',' or '}' in the header dict")
            }
        }
    }

    private mutating func parseItems(until close: UInt8, depth: Int) throws(KLSError) -> [PythonLiteral] {
        position += 1
        var items: [PythonLiteral] = []
        while true {
            skipSpace()
            if peek() == close {
                position += 1
                return items
            }
            items.append(try parseValue(depth: depth + 1))
            skipSpace()
            if peek() == UInt8(ascii: ",") {
                position += 1
            } else if peek() != close {
                throw failure("expected ',' or '\(Character(Unicode.Scalar(close)))'")
            }
        }
    }

    private mutating func parseString() throws(KLSError) -> String {
        let quote = bytes[position]
        position += 1
        let start = position
        while let c = peek(), c != quote {
            guard c != UInt8(ascii: "\\") else { throw failure("escapes in header strings are not supported") }
            position += 1
        }
        guard peek() == quote else { throw failure("a string is not closed") }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        position += 1
        return text
    }

    private mutating func parseInteger() throws(KLSError) -> Int {
        let start = position
        if peek() == UInt8(ascii: "-") { position += 1 }
        while let c = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) { position += 1 }
        let digits = String(decoding: bytes[start..<position], as: UTF8.self)
        // Python 2 wrote long integers with an `L` suffix.
        if peek() == UInt8(ascii: "L") { position += 1 }
        guard let value = Int(digits) else { throw failure("'\(digits)' is not an integer that fits in 64 bits") }
        return value
    }

    private mutating func parseWord() throws(KLSError) -> PythonLiteral {
        let start = position
        while let c = peek(),
            (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
        {
            position += 1
        }
        switch String(decoding: bytes[start..<position], as: UTF8.self) {
        case "True": return .bool(true)
        case "False": return .bool(false)
        case "None": return .none
        case "": throw failure("unexpected character '\(Character(Unicode.Scalar(bytes[start])))'")
        case let word: throw failure("unexpected word '\(word)'")
        }
    }
}
