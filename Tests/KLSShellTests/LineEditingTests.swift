import Foundation
import Testing

@testable import KLSShell

/// The colours of a line being typed, and where the painter puts them.
@Suite struct SyntaxHighlighterTests {
    let highlighter = SyntaxHighlighter()

    func styles(_ line: String, cursor: Int = -1) -> [SyntaxHighlighter.Style?] {
        highlighter.styles(Array(line.unicodeScalars), cursor: cursor)
    }

    @Test func keywordsBuiltinsNumbersStringsAndComments() {
        let s = styles(#"for v in exp([1e-3, .5]) { "a\"b" } # c"#)
        #expect(s[0] == .keyword)  // for
        #expect(s[4] == nil)  // v: a plain name
        #expect(s[9] == .builtin)  // exp
        #expect(s[14...17].allSatisfy { $0 == .number })  // 1e-3
        #expect(s[20...21].allSatisfy { $0 == .number })  // .5
        #expect(s[27...32].allSatisfy { $0 == .string })  // "a\"b" with its escaped quote
        #expect(s[36...].allSatisfy { $0 == .comment })
    }

    @Test func unfinishedInputNeverFails() {
        #expect(styles(#"x = "open"#)[4...].allSatisfy { $0 == .string })
        #expect(styles("1e") == [.number, nil])  // the e may yet start a name
        #expect(styles(")]}(").allSatisfy { $0 == nil })
    }

    @Test func theBracketAtOrBeforeTheCursorAndItsPartnerAreMarked() {
        let line = "f(g(1), [2])"
        #expect(styles(line, cursor: 12)[1] == .matchingBracket)  // after the last ')'
        #expect(styles(line, cursor: 12)[11] == .matchingBracket)
        #expect(styles(line, cursor: 3)[3] == .matchingBracket)  // on g's '('
        #expect(styles(line, cursor: 3)[5] == .matchingBracket)
        #expect(styles(line, cursor: 6)[3] == .matchingBracket)  // just after g(1)'s ')'
        #expect(!styles(line, cursor: 2).contains(.matchingBracket))  // on 'g'
        #expect(!styles("f(1]", cursor: 4).contains(.matchingBracket))  // mismatched
    }

    @Test func highlightingKeepsEveryCharacter() {
        let line = #"kl_mc(q, p, estimator="k3") # μ"#
        let coloured = highlighter.highlight(line, cursor: 0)
        let stripped = coloured.replacing(/\x1B\[[0-9;]*m/, with: "")
        #expect(stripped == line)
    }
}

@Suite struct LinePainterTests {
    let highlighter = SyntaxHighlighter()

    @Test func movesToTheLineStartAndBack() throws {
        // "kls> " + 30 characters on a 20-column screen: rows 0 and 1 and 2.
        let line = String(repeating: "a", count: 30)
        let cursorAtEnd = try #require(
            LinePainter.repaint(prompt: "kls> ", line: line, point: 30, columns: 20, rows: 24, highlighter: highlighter)
        )
        #expect(cursorAtEnd.hasPrefix("\u{1B}7\u{1B}[1A\r\u{1B}[5C"))
        #expect(cursorAtEnd.hasSuffix("\u{1B}8"))
        let cursorAtStart = try #require(
            LinePainter.repaint(prompt: "kls> ", line: line, point: 0, columns: 20, rows: 24, highlighter: highlighter))
        #expect(cursorAtStart.hasPrefix("\u{1B}7\r\u{1B}[5C"))
        // After Enter the cursor is on the row below the line's last.
        let entered = try #require(
            LinePainter.repaint(
                prompt: "kls> ", line: line, point: 30, columns: 20, rows: 24, highlighter: highlighter,
                entered: true))
        #expect(entered.hasPrefix("\u{1B}7\u{1B}[2A\r\u{1B}[5C"))
    }

    @Test func leavesTheLinePlainWhenItsLayoutIsUncertain() {
        let paint = { (line: String, point: Int) in
            LinePainter.repaint(
                prompt: "kls> ", line: line, point: point, columns: 20, rows: 5, highlighter: highlighter)
        }
        #expect(paint("a\tb", 3) == nil)  // a tab: readline expands it
        #expect(paint(String(repeating: "a", count: 15), 15) == nil)  // cursor at the margin
        #expect(paint(String(repeating: "a", count: 100), 1) == nil)  // taller than the screen
        #expect(paint("", 0) == nil)
    }

    @Test func widthsOfPromptsAndWideCharacters() {
        // Readline sets the character type from LANG when it starts; so does this test.
        setlocale(LC_CTYPE, "C.UTF-8")
        #expect(LinePainter.visible("\u{01}\u{1B}[32m\u{02}kls> \u{01}\u{1B}[0m\u{02}") == "kls> ")
        #expect(LinePainter.width(of: "μσ") == 2)
        #expect(LinePainter.width(of: "中") == 2)
        #expect(LinePainter.width(of: "a\u{7}") == nil)
    }
}

@Suite struct AutosuggestionTests {
    let history = ["x = 1", "kl(Normal(0, 1), Normal(1, 2))", "kl_mc(q, p, n=10)\nmore", "kl(Normal(0, 1), p)"]

    /// As IPython's AutoSuggestFromHistory: the newest entry that starts with
    /// the line, only its first line, nothing for a blank line.
    @Test func theNewestEntryStartingWithTheLineSuggestsItsRest() {
        let newestFirst = history.reversed()
        #expect(Autosuggestion.suggestion(for: "kl(N", entries: newestFirst) == "ormal(0, 1), p)")
        #expect(Autosuggestion.suggestion(for: "kl(Normal(0, 1), N", entries: newestFirst) == "ormal(1, 2))")
        #expect(Autosuggestion.suggestion(for: "kl_", entries: newestFirst) == "mc(q, p, n=10)")
        #expect(Autosuggestion.suggestion(for: "x = 1", entries: newestFirst) == nil)
        #expect(Autosuggestion.suggestion(for: "y", entries: newestFirst) == nil)
        #expect(Autosuggestion.suggestion(for: "  ", entries: newestFirst) == nil)
        #expect(Autosuggestion.suggestion(for: "", entries: newestFirst) == nil)
    }

    @Test func thePainterDrawsItDimWhereItFitsAndClearsTheRest() throws {
        let highlighter = SyntaxHighlighter()
        let painted = try #require(
            LinePainter.repaint(
                prompt: "kls> ", line: "kl(N", point: 4, columns: 20, rows: 24, highlighter: highlighter,
                suggestion: "ormal(0, 1), Normal(1, 2))"))
        // 5 + 4 cells used on a 20-column row: 10 more fit before the margin.
        #expect(painted.contains("\u{1B}[K\u{1B}[2mormal(0, 1\u{1B}[0m\u{1B}8"))
        let none = try #require(
            LinePainter.repaint(
                prompt: "kls> ", line: "kl(N", point: 4, columns: 20, rows: 24, highlighter: highlighter))
        #expect(none.hasSuffix("\u{1B}[K\u{1B}8"))
    }
}

@Suite struct ConsoleRowsTests {
    /// A frame redrawn in place moves the cursor up by the rows it took: colour
    /// codes take no cells, a long line takes as many rows as it wraps to.
    @Test func rowsCountCellsNotEscapes() {
        let coloured = "\u{1B}[38;5;25m⠁\u{1B}[0m" + String(repeating: "─", count: 9)
        #expect(Console.rows(of: coloured, columns: 10) == 1)
        #expect(Console.rows(of: coloured + "─", columns: 10) == 2)
        #expect(Console.rows(of: "a\n\nb", columns: 10) == 3)
        #expect(Console.rows(of: "", columns: 0) == 1)
    }
}
