import Foundation
import KLSLanguage
import KLSTensor

/// `kls --check FILE`: every statement followed by `#=> expected` must display
/// exactly that; numbers match when the displayed value, rounded to the digits
/// written in the expectation, reads the same. Prints each mismatch as
/// `FILE:LINE` with expected and actual, then `N passed, N failed`.
public struct CheckRunner {
    let seed: UInt64?
    let console: Console
    let precision: Int

    /// A checker writing its report to `console`, numbers shown with `precision` digits.
    public init(seed: UInt64?, console: Console, precision: Int = 6) {
        self.seed = seed
        self.console = console
        self.precision = precision
    }

    /// Runs the script; returns 0 when every expectation held, else 1.
    public func run(source: String, file: String) -> Int32 {
        let statements: [Statement]
        do {
            statements = try Parser.parse(source)
        } catch {
            console.err(ErrorRenderer(console: console).script(error, file: file, source: source))
            return 1
        }
        let layout = ScriptLayout(source: source, statements: statements)
        var shown = ""
        let capture = Console(color: false) { _, bytes in shown += String(decoding: bytes, as: UTF8.self) }
        // Expectations must not depend on the terminal the check runs in.
        let environment = TerminalEnvironment(console: capture, fixedWidth: 80, showsWarnings: false)
        let session = ShellSession(seed: seed, console: capture, environment: environment, precision: precision)
        var passed = 0
        var failed = 0
        for group in layout.groups {
            shown = ""
            var failure: String? = nil
            for statement in group.statements {
                do {
                    try session.run([statement])
                } catch {
                    failure = "error: " + error.description
                    break
                }
            }
            capture.flush()
            let actual = failure ?? String(shown.dropLast(shown.hasSuffix("\n") ? 1 : 0))
            guard let expected = group.expected else {
                if let failure {
                    failed += 1
                    console.out("\(file):\(group.lines.upperBound): unexpected \(failure)")
                }
                continue
            }
            if CheckRunner.matches(actual, expected) {
                passed += 1
            } else {
                failed += 1
                console.out("\(file):\(group.expectedLine ?? group.lines.upperBound): mismatch")
                console.out("  expected: " + expected.replacingOccurrences(of: "\n", with: "\n            "))
                console.out("  actual:   " + actual.replacingOccurrences(of: "\n", with: "\n            "))
            }
        }
        console.out("\(passed) passed, \(failed) failed")
        console.flush()
        return failed == 0 ? 0 : 1
    }

    /// Exact text, except that each number in `expected` may be written with
    /// fewer significant digits than displayed.
    static func matches(_ actual: String, _ expected: String) -> Bool {
        if actual == expected { return true }
        let a = tokens(actual)
        let e = tokens(expected)
        guard a.count == e.count else { return false }
        for (x, y) in zip(a, e) {
            switch (x, y) {
            case (.text(let s), .text(let t)):
                if s.filter({ !$0.isWhitespace }) != t.filter({ !$0.isWhitespace }) { return false }
            case (.number(let v, _), .number(let w, let digits)):
                if v == w { continue }
                let rounded = Formatter.number(v, precision: digits)
                guard let back = Double(rounded), back == w else { return false }
            default:
                return false
            }
        }
        return true
    }

    enum Token {
        case text(String)
        case number(Double, digits: Int)
    }

    /// Splits text into numbers (with their significant digits) and the rest.
    static func tokens(_ s: String) -> [Token] {
        var out: [Token] = []
        var text = ""
        let chars = Array(s)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            let startsNumber = c.isNumber || ((c == "-" || c == ".") && i + 1 < chars.count && chars[i + 1].isNumber)
            let previousIsWord = i > 0 && (chars[i - 1].isLetter || chars[i - 1] == "_")
            if startsNumber && !previousIsWord {
                var j = i + 1
                while j < chars.count,
                    chars[j].isNumber || chars[j] == "." || chars[j] == "e"
                        || ((chars[j] == "-" || chars[j] == "+") && chars[j - 1] == "e")
                { j += 1 }
                let literal = String(chars[i..<j])
                if let value = Double(literal) {
                    if !text.isEmpty {
                        out.append(.text(text))
                        text = ""
                    }
                    let mantissa = literal.split(separator: "e").first.map(String.init) ?? literal
                    let digits = mantissa.filter(\.isNumber).drop { $0 == "0" }.count
                    out.append(.number(value, digits: Swift.max(1, digits)))
                    i = j
                    continue
                }
            }
            text.append(c)
            i += 1
        }
        if !text.isEmpty { out.append(.text(text)) }
        return out
    }
}
