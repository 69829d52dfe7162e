import Foundation
import KLSLanguage

/// Tab completion: names, keywords, builtins, commands, members after `.`, a
/// builtin's parameter names inside its call (`est` → `estimator=`), the values
/// a parameter takes (`estimator="k` → `k1`, `k2`, `k3`), and file paths inside
/// a string or after `:load`/`:save`. Candidates come from the builtin
/// registry, the command table and the live session.
public struct Completer {
    let session: Interpreter

    /// A completer over the session's variables.
    public init(session: Interpreter) {
        self.session = session
    }

    /// The characters that end the word being completed: readline's setting in
    /// the REPL, and where `complete(code:cursor:)` starts its word.
    public static let wordBreaks = " \t\n\"'()[]{},;=+*^%@<>!&|"

    /// Completion for a front end that sends the whole text and a cursor (in
    /// Unicode scalars, as Jupyter counts): the candidates and the range of
    /// `code` they replace, found as readline finds its word.
    public func complete(code: String, cursor: Int) -> (matches: [String], start: Int, end: Int) {
        let scalars = Array(code.unicodeScalars)
        let breaks = Set(Completer.wordBreaks.unicodeScalars)
        let end = Swift.max(0, Swift.min(cursor, scalars.count))
        let lineStart = scalars[..<end].lastIndex(of: "\n").map { $0 + 1 } ?? 0
        var start = end
        while start > lineStart, !breaks.contains(scalars[start - 1]) { start -= 1 }
        let text = { (range: Range<Int>) in String(String.UnicodeScalarView(scalars[range])) }
        return (complete(word: text(start..<end), line: text(lineStart..<end)).matches, start, end)
    }

    /// Candidates replacing `word` (the text readline will replace), given the
    /// line up to the cursor; `append` is the character to add after a unique
    /// match (nil for none).
    public func complete(word: String, line: String) -> (matches: [String], append: Character?) {
        let trimmed = line.drop { $0 == " " }
        if trimmed.hasPrefix(":") {
            if !trimmed.contains(" ") {
                return (Commands.names.map { ":" + $0 }.filter { $0.hasPrefix(word) }.sorted(), " ")
            }
            let name = String(trimmed.dropFirst().prefix { $0 != " " })
            switch Commands.named(name)?.completion ?? .nothing {
            case .path: return paths(word, closeQuote: false)
            case .name: return (helpNames(prefix: word), nil)
            case .nothing: return ([], nil)
            case .statement: break
            }
        }
        if word.hasPrefix("?") {
            return (helpNames(prefix: String(word.dropFirst())).map { "?" + $0 }, nil)
        }
        if insideString(line, before: word) {
            if let choices = choices(line: line, before: word) {
                let matches = choices.filter { $0.hasPrefix(word) }
                return (matches, "\"")
            }
            return paths(word, closeQuote: true)
        }
        if let dot = word.lastIndex(of: ".") {
            let base = String(word[..<dot])
            let prefix = String(word[word.index(after: dot)...])
            guard let value = session.globals[base] else { return ([], nil) }
            return (Members.names(of: value).filter { $0.hasPrefix(prefix) }.sorted().map { base + "." + $0 }, nil)
        }
        // Keep anything before the identifier being typed (`x/ab`, `-ab`).
        let head = word.lastIndex { !Completer.isIdentifier($0) }.map { String(word[...$0]) } ?? ""
        let identifier = String(word.dropFirst(head.count))
        guard identifier.allSatisfy(Completer.isIdentifier) else { return ([], nil) }
        let keywords = head.isEmpty ? keywordNames(line: line, before: word, prefix: identifier) : []
        let matches = keywords + names(prefix: identifier)
        if matches.count == 1, keywords.count == 1 { return (matches, nil) }
        let unique = matches.count == 1 ? matches[0] : nil
        let append: Character =
            unique.flatMap { BuiltinRegistry.builtin($0) } != nil && session.globals[unique ?? ""] == nil ? "(" : " "
        return (matches.map { head + $0 }, append)
    }

    /// Variables, builtins and keywords starting with `prefix`.
    func names(prefix: String) -> [String] {
        let all = Set(session.globals.assigned.map(\.0) + BuiltinRegistry.names + Keyword.allCases.map(\.rawValue))
        return all.filter { $0.hasPrefix(prefix) }.sorted()
    }

    /// What help knows: the names above and the topics (`estimators`, `k3`, …).
    func helpNames(prefix: String) -> [String] {
        Array(Set(names(prefix: prefix) + HelpTopics.names.filter { $0.hasPrefix(prefix) })).sorted()
    }

    /// The builtin whose call's parentheses enclose the end of `text`, if any
    /// (strings skipped; `[` and `{` count as brackets without a name).
    static func enclosingCall(_ text: Substring) -> String? {
        var stack: [String?] = []
        var inString = false
        var escaped = false
        var identifier = ""
        for c in text {
            if inString {
                if escaped {
                    escaped = false
                } else if c == "\\" {
                    escaped = true
                } else if c == "\"" {
                    inString = false
                }
                continue
            }
            switch c {
            case "\"": inString = true
            case "(": stack.append(identifier.isEmpty ? nil : identifier)
            case "[", "{": stack.append(nil)
            case ")", "]", "}": _ = stack.popLast()
            default: break
            }
            identifier = isIdentifier(c) ? identifier + String(c) : (c == " " ? identifier : "")
        }
        return stack.last ?? nil
    }

    /// `name=` for the parameters of the enclosing builtin call that start with `prefix`.
    func keywordNames(line: String, before word: String, prefix: String) -> [String] {
        guard let function = Completer.enclosingCall(line.dropLast(word.count)),
            let builtin = BuiltinRegistry.builtin(function)
        else { return [] }
        return builtin.parameters.filter { !$0.isVariadic && !$0.collectsKeywords && $0.name.hasPrefix(prefix) }
            .map { $0.name + "=" }
    }

    /// The values a parameter takes, when the word is a string given to it
    /// (`kl_mc(q, p, estimator="k`).
    func choices(line: String, before word: String) -> [String]? {
        var head = line.dropLast(word.count)
        guard head.last == "\"" else { return nil }
        head = head.dropLast()
        guard head.last == "=" else { return nil }
        head = head.dropLast()
        let name = String(head.reversed().prefix { Completer.isIdentifier($0) }.reversed())
        guard !name.isEmpty, let function = Completer.enclosingCall(head),
            let parameter = BuiltinRegistry.builtin(function)?.parameters.first(where: { $0.name == name }),
            !parameter.choices.isEmpty
        else { return nil }
        return parameter.choices
    }

    /// True when an unclosed `"` precedes the word.
    func insideString(_ line: String, before word: String) -> Bool {
        let head = line.dropLast(word.count)
        var open = false
        var escaped = false
        for c in head {
            if escaped {
                escaped = false
                continue
            }
            if c == "\\" { escaped = true } else if c == "\"" { open.toggle() }
        }
        return open
    }

    /// Files and folders whose path starts with `word` (`~` expanded for the
    /// lookup, kept as typed); folders end in `/` and take nothing after; a
    /// unique file inside a string gets its closing quote.
    func paths(_ word: String, closeQuote: Bool) -> (matches: [String], append: Character?) {
        let expanded =
            word.hasPrefix("~")
            ? NSString(string: word).expandingTildeInPath + (word.hasSuffix("/") && word.count > 1 ? "/" : "") : word
        let (folder, prefix): (String, String)
        if let slash = expanded.lastIndex(of: "/") {
            folder = String(expanded[...slash])
            prefix = String(expanded[expanded.index(after: slash)...])
        } else {
            (folder, prefix) = ("", expanded)
        }
        let typedFolder = word.lastIndex(of: "/").map { String(word[...$0]) } ?? ""
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder) else {
            return ([], nil)
        }
        var matches: [String] = []
        for entry in entries.sorted() where entry.hasPrefix(prefix) && (prefix.hasPrefix(".") || !entry.hasPrefix("."))
        {
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: folder + entry, isDirectory: &isFolder)
            matches.append(typedFolder + entry + (isFolder.boolValue ? "/" : ""))
        }
        let file = matches.count == 1 && !matches[0].hasSuffix("/")
        return (matches, file ? (closeQuote ? "\"" : " ") : nil)
    }

    static func isIdentifier(_ c: Character) -> Bool {
        c == "_" || (c.isASCII && (c.isLetter || c.isNumber))
    }

    /// The longest prefix shared by every match.
    public static func commonPrefix(_ matches: [String]) -> String {
        guard var prefix = matches.first else { return "" }
        for m in matches.dropFirst() {
            while !m.hasPrefix(prefix) { prefix.removeLast() }
        }
        return prefix
    }
}
