import Foundation
import KLSLanguage
import KLSTensor

/// A script cut into what a transcript shows: for each group of statements that
/// end on the same line, the source lines leading up to it (comments kept) and
/// the `#=> expected` lines that follow it.
struct ScriptLayout {
    struct Group {
        /// Source lines shown before running (1-based line numbers).
        var lines: ClosedRange<Int>
        /// The statements, in order.
        var statements: [Statement]
        /// Expected display (the `#=>` lines joined), and where it was written.
        var expected: String?
        var expectedLine: Int?
    }

    let lines: [String]
    var groups: [Group] = []
    /// Source lines after the last statement (comments, blank lines).
    var trailing: Range<Int>

    init(source: String, statements: [Statement]) {
        lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var next = 1
        for statement in statements {
            let end = statement.range.end.line
            if var last = groups.last, end <= last.lines.upperBound {
                last.statements.append(statement)
                groups[groups.count - 1] = last
                continue
            }
            groups.append(
                Group(lines: next...Swift.max(next, end), statements: [statement], expected: nil, expectedLine: nil))
            next = end + 1
        }
        trailing = next..<(lines.count + 1)
        attachExpectations()
    }

    /// `#=>` on the statement's last line, or on the lines right after it.
    mutating func attachExpectations() {
        for g in groups.indices {
            let last = groups[g].lines.upperBound
            var expected: [String] = []
            // Only after the statement ends: a `#=>` inside a string literal is data.
            let end = groups[g].statements.last?.range.end
            let column = end?.line == last ? (end?.column ?? 1) - 1 : 0
            let rest = String(line(last).dropFirst(Swift.max(0, column)))
            if let inline = ScriptLayout.expectation(in: rest) { expected.append(inline) }
            var n = last + 1
            while let text = ScriptLayout.expectation(in: line(n)),
                line(n).trimmingCharacters(in: .whitespaces).hasPrefix("#=>")
            {
                expected.append(text)
                n += 1
            }
            if !expected.isEmpty {
                groups[g].expected = expected.joined(separator: "\n")
                groups[g].expectedLine = last
            }
        }
    }

    func line(_ n: Int) -> String { n >= 1 && n <= lines.count ? lines[n - 1] : "" }

    /// The text after `#=>` (one following space dropped), if the line has one.
    static func expectation(in line: String) -> String? {
        guard let range = line.range(of: "#=>") else { return nil }
        var text = String(line[range.upperBound...])
        if text.hasPrefix(" ") { text.removeFirst() }
        return text
    }
}
