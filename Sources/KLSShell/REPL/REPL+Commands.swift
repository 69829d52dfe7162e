import Foundation
import KLSDiagnostics
import KLSLanguage
import KLSTensor

extension REPL {
    /// Whether the REPL goes on after a command.
    public enum Outcome: Sendable { case proceed, quit }

    /// Runs one `:command` from the declarations in `Commands`.
    func handle(_ name: String, _ argument: String) -> Outcome {
        guard let command = Commands.named(name) else {
            let hint =
                Suggestions.nearest(name, among: Commands.names).map { " (did you mean :\($0)?)" }
                ?? " (:help lists the commands)"
            console.err(console.styled("error:", .red) + " unknown command :\(name)" + hint)
            return .proceed
        }
        switch (command.argument, argument.isEmpty) {
        case (.none, false): return usage(name, "it takes no argument")
        case (.required, true): return usage(name)
        default: return command.handler(self, argument)
        }
    }

    func reset() -> Outcome {
        interpreter.reset()
        log.removeAll()
        console.out(console.styled("session reset", .dim))
        return .proceed
    }

    func reseed(_ argument: String) -> Outcome {
        guard let n = UInt64(argument), n < 1 << 53 else { return usage("seed", "N a whole number below 2^53") }
        interpreter.random.reseed(n)
        log.append("seed(\(n))")
        return .proceed
    }

    func setPrecision(_ argument: String) -> Outcome {
        guard let n = Int(argument), (1...17).contains(n) else { return usage("precision", "N from 1 to 17") }
        interpreter.formatter.precision = n
        return .proceed
    }

    func showHistory(_ argument: String) -> Outcome {
        let count = argument.isEmpty ? nil : Int(argument)
        if !argument.isEmpty && !(count.map { $0 >= 0 } ?? false) { return usage("history", "N a whole number ≥ 0") }
        let entries = history.last(count)
        for (i, entry) in zip(entries.indices, entries) {
            console.out(String(format: "%5d  ", i + 1) + entry.replacingOccurrences(of: "\n", with: "\n       "))
        }
        return .proceed
    }

    func usage(_ name: String, _ detail: String? = nil) -> Outcome {
        let command = Commands.named(name)
        console.err(
            console.styled("error:", .red) + " usage: \(command?.usage ?? name)" + (detail.map { " (\($0))" } ?? ""))
        return .proceed
    }

    func help(_ argument: String) {
        let name = argument.hasPrefix(":") ? String(argument.dropFirst()) : argument
        if name.isEmpty {
            page(wrapped(Commands.help + "\n\n" + Help.overview()))
            return
        }
        if let command = Commands.named(name) {
            console.out(wrapped("\(command.usage)\n  \(command.summary)"))
            return
        }
        if case .function(let f)? = interpreter.globals[name], case .user = f.body {
            console.out(wrapped((try? Help.text(for: .function(f))) ?? name))
            return
        }
        do {
            page(wrapped(try Help.text(named: name)))
        } catch {
            console.err(ErrorRenderer(console: console).interactive(error, source: ""))
        }
    }

    /// Long help through the pager on a terminal, else printed.
    func page(_ text: String) {
        if !Pager.show(text, console: console) { console.out(text) }
    }

    /// Help text wrapped at word boundaries to the width the terminal has now.
    func wrapped(_ text: String) -> String {
        TextWrap.wrap(text, width: interpreter.environment.displayWidth)
    }

    func variables() {
        // `_` is `ans` under its other name: listed once.
        let rows = interpreter.globals.assigned.filter { $0.0 != "_" }.map { name, value -> [String] in
            var text = interpreter.formatter.inline(value)
            if text.count > 48 { text = String(text.prefix(47)) + "…" }
            return [name, value.typeName, REPL.shape(of: value), text]
        }
        guard !rows.isEmpty else {
            console.out(console.styled("no variables yet", .dim))
            return
        }
        let table = [["name", "kind", "shape", "value"]] + rows
        let widths = (0..<4).map { c in table.map { $0[c].count }.max() ?? 0 }
        for (i, row) in table.enumerated() {
            let line = row.enumerated().map { c, cell in
                c == 3 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
            }
            .joined(separator: "  ")
            console.out(i == 0 ? console.styled(line, .dim) : line)
        }
    }

    static func shape(of value: Value) -> String {
        switch value {
        case .tensor(let t): return Shape.describe(t.shape)
        case .deferred(let d): return Shape.describe(d.shape)
        case .number, .bool: return "[]"
        case .list(let items): return "\(items.count) items"
        case .distribution(let d): return Shape.describe(d.batchShape + d.eventShape)
        default: return ""
        }
    }

    func load(_ argument: String) {
        let path = REPL.unquote(argument)
        guard !path.isEmpty else {
            _ = usage("load")
            return
        }
        let text: String
        do {
            text = try SourceFile.read(NSString(string: path).expandingTildeInPath, shownAs: path)
        } catch {
            console.err(console.styled("error:", .red) + " \(error.message)")
            return
        }
        let id = register(text) { _ in path }
        do {
            let statements = try Parser.parse(text, sourceID: id)
            try shell.run(statements) { statement, _ in self.log.append(REPL.source(of: statement, in: text)) }
        } catch {
            _ = editor.takeInterrupt()
            if error.kind == .interrupted {
                report(error, source: text)
            } else {
                console.err(ErrorRenderer(console: console).traceback(error) { self.sources[$0] })
            }
        }
    }

    func save(_ argument: String, replacing: Bool) {
        let path = REPL.unquote(argument)
        guard !path.isEmpty else {
            _ = usage("save")
            return
        }
        let fullPath = NSString(string: path).expandingTildeInPath
        if !replacing && FileManager.default.fileExists(atPath: fullPath) {
            console.err(console.styled("error:", .red) + " '\(path)' already exists; :save! \(path) replaces it")
            return
        }
        let header =
            "# Saved by kls \(KLSShellInfo.version): this session's successful statements.\nseed(\(initialSeed))\n"
        let text = header + log.map { $0 + "\n" }.joined()
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: fullPath), options: .atomic)
            console.out(console.styled("saved \(log.count) statements to \(path)", .dim))
        } catch {
            console.err(console.styled("error:", .red) + " cannot write '\(path)': \(error.localizedDescription)")
        }
    }

    static func unquote(_ s: String) -> String {
        let t = s.trimmingCharacters(in: .whitespaces)
        if t.count >= 2, t.hasPrefix("\""), t.hasSuffix("\"") { return String(t.dropFirst().dropLast()) }
        return t
    }
}
