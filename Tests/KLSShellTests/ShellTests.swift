import KLSDiagnostics
import KLSLanguage
import KLSShell
import KLSTensor
import Testing

/// A console whose output is captured.
final class Capture: @unchecked Sendable {
    var out = "", err = ""
    lazy var console = Console(color: false) { [unowned self] fd, bytes in
        if fd == 1 {
            self.out += String(decoding: bytes, as: UTF8.self)
        } else {
            self.err += String(decoding: bytes, as: UTF8.self)
        }
    }
}

@Suite struct ErrorRendererTests {
    let renderer = ErrorRenderer(console: Console(color: false))

    @Test func scriptFormatHasLocationSourceAndCaret() {
        let error = KLSError(
            "unknown name 'mu'",
            range: SourceRange(
                start: SourceLocation(line: 2, column: 5, offset: 10),
                end: SourceLocation(line: 2, column: 7, offset: 12)),
            hint: "did you mean 'mu1'?")
        let text = renderer.script(error, file: "vae.kls", source: "mu1 = 0\nz = mu + 1")
        #expect(text == "vae.kls:2:5: error: unknown name 'mu' (did you mean 'mu1'?)\n    z = mu + 1\n        ^~")
    }

    @Test func interactiveFormatShowsTheStatementAndHint() {
        let error = KLSError(
            "oops",
            range: SourceRange(
                start: SourceLocation(line: 1, column: 3, offset: 2),
                end: SourceLocation(line: 1, column: 4, offset: 3)), hint: "try this")
        #expect(renderer.interactive(error, source: "a b") == "error: oops\n    a b\n      ^\nhint: try this")
    }

    @Test func colourWrapsTheLabel() {
        let coloured = ErrorRenderer(console: Console(color: true))
        #expect(coloured.script(KLSError("x"), file: "f", source: "").contains("\u{1B}[31;1merror:\u{1B}[0m"))
    }

    @Test func recursionNotesAreCollapsed() throws {
        let capture = Capture()
        let status = ScriptRunner(session: ShellSession(seed: 1, console: capture.console))
            .run(source: "f(n) = if n == 0 { nope } else { f(n - 1) }\nf(50)", file: "r.kls")
        #expect(status == 1)
        #expect(capture.err.contains("r.kls:1:20: error: unknown name 'nope'"))
        #expect(capture.err.contains("note: in the call to f (50 nested calls)"))
        #expect(capture.err.contains("r.kls:2:1: note: in the call to f"))
    }
}

@Suite struct RunnerTests {
    @Test func scriptRunnerPrintsDisplayedValuesAndStopsAtTheFirstError() {
        let capture = Capture()
        let status = ScriptRunner(session: ShellSession(seed: 1, console: capture.console)).run(
            source: "1 + 1\nprint(\"hi\")\nx = y\n3", file: "s.kls")
        #expect(status == 1)
        #expect(capture.out == "2\nhi\n")
        #expect(capture.err.hasPrefix("s.kls:3:5: error: unknown name 'y'"))
    }

    @Test func plainRunnerReadsContinuationLines() {
        let capture = Capture()
        var lines = ["f(x) = {", "  x + 1", "}", "f(1)", "[1,", " 2]", "bad +", "1"].makeIterator()
        let status = PlainLineRunner(session: ShellSession(seed: 1, console: capture.console)).run { lines.next() }
        #expect(status == 1)
        #expect(capture.out == "2\n[1, 2]\n")
        #expect(capture.err.hasPrefix("<stdin>:7:1: error: unknown name 'bad'"))
    }

    @Test func unfinishedInputAtTheEndIsReported() {
        let capture = Capture()
        var lines = ["x = (1 +"].makeIterator()
        let status = PlainLineRunner(session: ShellSession(seed: 1, console: capture.console)).run { lines.next() }
        #expect(status == 1)
        #expect(capture.err.contains("input ended"))
    }
}

@Suite struct TracebackAndExcerptTests {
    func range(_ line: Int, _ column: Int, _ length: Int, source: Int) -> SourceRange {
        SourceRange(
            start: SourceLocation(line: line, column: column, offset: 0, source: source),
            end: SourceLocation(line: line, column: column + length, offset: length, source: source))
    }

    @Test func eachFrameShowsItsOwnText() {
        var error = KLSError("bad", range: range(1, 12, 7, source: 1))
        error.trace = [(range(3, 3, 4, source: 2), "g"), (range(1, 1, 4, source: 3), "f")]
        let sources: [Int: ErrorRenderer.SourceText] = [
            1: .init(name: "kls[1]", text: #"g = (x) -> x + "a""#),
            2: .init(name: "kls[2]", text: "f(y) = {\n  z = 2\n  g(y) * z\n}"),
            3: .init(name: "kls[3]", text: "f(1)"),
        ]
        let text = ErrorRenderer(console: Console(color: false), width: 80).traceback(error) { sources[$0] }
        #expect(
            text == """
                kls[1]:1:12: error: bad
                    g = (x) -> x + "a"
                               ^~~~~~~
                kls[2]:3:3: note: in the call to g
                      g(y) * z
                      ^~~~
                kls[3]:1:1: note: in the call to f
                    f(1)
                    ^~~~
                """)
        // A frame in a text no longer known keeps its location, without a line.
        let partial = ErrorRenderer(console: Console(color: false), width: 80).traceback(error) {
            sources[$0 == 2 ? 0 : $0]
        }
        #expect(partial.contains("\n3:3: note: in the call to g\nkls[3]"))
    }

    @Test func aLongLineIsCutToTheTerminalSoTheCaretStaysUnderItsToken() throws {
        let line = String(repeating: "a", count: 70) + " + bad + " + String(repeating: "b", count: 70)
        let error = KLSError("x", range: range(1, 74, 3, source: 0))
        let lines = ErrorRenderer(console: Console(color: false), width: 60).interactive(error, source: line)
            .split(separator: "\n")
        let shown = try #require(lines.dropFirst().first)
        let caret = try #require(lines.dropFirst(2).first)
        #expect(shown.count < 60 && shown.hasPrefix("    …") && shown.hasSuffix("…"))
        let column = try #require(caret.firstIndex(of: "^")).utf16Offset(in: caret)
        #expect(Array(shown)[column...].starts(with: "bad"))
    }

    @Test func aTabKeepsTheCaretAligned() {
        let error = KLSError("x", range: range(1, 3, 1, source: 0))
        #expect(
            ErrorRenderer(console: Console(color: false), width: 80).interactive(error, source: "\t\tq")
                == "error: x\n      q\n      ^")
    }
}
