import KLSDiagnostics
import KLSTensor
import Testing

@testable import KLSLanguage

@Suite struct LexerTests {
    func kinds(_ source: String) throws -> [Token.Kind] {
        try Lexer.tokenize(source).map(\.kind)
    }

    @Test func numbers() throws {
        #expect(
            try kinds("12 1.5 .5 1e6 2.5e-3 1.") == [
                .number(12), .number(1.5), .number(0.5), .number(1e6), .number(2.5e-3), .number(1), .end,
            ])
    }

    @Test func stringsWithEscapes() throws {
        #expect(try kinds(#""a\"b\\c\nd\te""#) == [.string("a\"b\\c\nd\te"), .end])
    }

    @Test func keywordsIdentifiersAndOperators() throws {
        #expect(
            try kinds("for x_1 in not -> <= == !=") == [
                .keyword(.for), .identifier("x_1"), .keyword(.in), .keyword(.not), .symbol(.arrow),
                .symbol(.lessEqual), .symbol(.equalEqual), .symbol(.notEqual), .end,
            ])
    }

    @Test func commentsAndNewlines() throws {
        #expect(try kinds("1 # comment\n2") == [.number(1), .newline, .number(2), .end])
    }

    @Test func newlinesInsideBracketsAreDropped() throws {
        #expect(
            try kinds("(1,\n2)\n[3\n]") == [
                .symbol(.leftParen), .number(1), .symbol(.comma), .number(2), .symbol(.rightParen), .newline,
                .symbol(.leftBracket), .number(3), .symbol(.rightBracket), .end,
            ])
        #expect(try kinds("{1\n2}").contains(.newline))
    }

    @Test func positionsAreLinesAndColumns() throws {
        let tokens = try Lexer.tokenize("a\n  bb")
        #expect(tokens[2].range.start.line == 2 && tokens[2].range.start.column == 3)
    }

    @Test func errors() {
        #expect(throws: KLSError.self) { try Lexer.tokenize("'single'") }
        #expect(throws: KLSError.self) { try Lexer.tokenize("\"open") }
        #expect(throws: KLSError.self) { try Lexer.tokenize("2x") }
        #expect(throws: KLSError.self) { try Lexer.tokenize("a ? b") }
    }
}
