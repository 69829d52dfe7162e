import KLSDiagnostics
import Testing

/// The one conversion from a user's number to an Int, and size arithmetic.
@Suite struct CheckedTests {
    @Test(arguments: [
        (0.0, 0), (-0.0, 0), (3.0, 3), (-7.0, -7), (9_007_199_254_740_991.0, 9_007_199_254_740_991),
    ])
    func wholeNumbersConvert(_ value: Double, _ expected: Int) {
        #expect(Checked.wholeNumber(value) == expected)
    }

    @Test(arguments: [0.5, -1.5, .nan, .infinity, -.infinity, 9_007_199_254_740_992.0, 1e300, -1e19])
    func everythingElseIsRefused(_ value: Double) {
        #expect(Checked.wholeNumber(value) == nil)
    }

    @Test func clampedPositionsNeverTrap() {
        #expect(Checked.clamped(.nan, to: 0...9) == 0)
        #expect(Checked.clamped(.infinity, to: 0...9) == 9)
        #expect(Checked.clamped(-.infinity, to: -1...9) == -1)
        #expect(Checked.clamped(1e300, to: 0...9) == 9)
        #expect(Checked.clamped(4.6, to: 0...9) == 5)
    }

    @Test func productsReportOverflow() throws {
        #expect(try Checked.product([3, 4, 5], what: "x") == 60)
        #expect(try Checked.product([1 << 40, 0], what: "x") == 0)
        #expect(throws: KLSError.self) { try Checked.product([1 << 40, 1 << 40], what: "x") }
        #expect(throws: KLSError.self) { try Checked.product([2, -1], what: "x") }
        #expect(throws: KLSError.self) { try Checked.sum(Int.max, 1, what: "x") }
    }
}

@Suite struct KLSErrorTests {
    @Test func descriptionCarriesTheHint() {
        #expect(KLSError("bad", hint: "try this").description == "bad (try this)")
        #expect(KLSError("bad").description == "bad")
    }

    @Test func locatingKeepsTheMorePreciseRange() {
        let inner = SourceRange(
            start: SourceLocation(line: 1, column: 5, offset: 4), end: SourceLocation(line: 1, column: 6, offset: 5))
        let outer = SourceRange(
            start: SourceLocation(line: 1, column: 1, offset: 0), end: SourceLocation(line: 1, column: 9, offset: 8))
        #expect(KLSError("x").located(at: inner).located(at: outer).range == inner)
        #expect(inner.union(outer) == outer)
    }

    @Test func suggestionsFindTypos() {
        #expect(Suggestions.nearest("sigmoidd", among: ["sigmoid", "softplus"]) == "sigmoid")
        #expect(Suggestions.nearest("axs", among: ["axis", "keepdims"]) == "axis")
        #expect(Suggestions.nearest("zzzzzz", among: ["axis"]) == nil)
    }
}

/// Wrapping prose at word boundaries: help tables keep their columns, warnings
/// indent their continuation lines, and nothing is lost.
@Suite struct TextWrapTests {
    @Test func wrapsAtWordsAndKeepsEveryWord() {
        let text = "the mean of r over the draws is far from one so k1 and k3 disagree here"
        let wrapped = TextWrap.wrap(text, width: 24)
        for line in wrapped.split(separator: "\n") { #expect(line.count <= 24, "\(line)") }
        #expect(wrapped.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ") == text)
    }

    @Test func tablesHangUnderTheirSecondColumn() {
        let row = "  zeros(shape)    A tensor of zeros; shape is a number or a list."
        #expect(
            TextWrap.wrap(row, width: 40)
                == "  zeros(shape)    A tensor of zeros;\n" + "                  shape is a number or a\n"
                + "                  list."
        )
    }

    @Test func continuationIndentAndShortLines() {
        #expect(
            TextWrap.wrap("warning: one two three four five six", width: 20, continuation: 2)
                == "warning: one two\n  three four five\n  six")
        #expect(TextWrap.wrap("short\n\n  kept as is", width: 40) == "short\n\n  kept as is")
        // A word longer than the width stays whole.
        #expect(
            TextWrap.wrap("a " + String(repeating: "x", count: 30) + " b", width: 20).contains(
                String(repeating: "x", count: 30)))
    }
}
