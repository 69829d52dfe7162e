import Foundation
import KLSDiagnostics
import KLSLanguage
import KLSTensor

extension ServeSession {
    /// Runs a cell: each statement's displayed value is a `result`, output and
    /// pictures stream as they come, an error is an `error` message (with the
    /// cell's own line, or a traceback into the cells that defined functions).
    /// `name` is the cell's name in error locations (a notebook's `In[3]`);
    /// by default `kls[N]`, N counting the cells run.
    func execute(_ code: String, name: String?, id: Any) {
        executionCount += 1
        let count = executionCount
        sources[count] = ErrorRenderer.SourceText(name: name ?? "kls[\(count)]", text: code)
        let trimmed = code.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("?"), !trimmed.contains("\n") {
            let name = String(trimmed.dropFirst()).trimmingCharacters(in: .whitespaces)
            do {
                environment.output(TextWrap.wrap(try help(name), width: environment.displayWidth))
                done(id, "ok", ["execution_count": count])
            } catch {
                report(error, count: count, id: id)
            }
            return
        }
        do {
            // The reader cleared any earlier stop when it handed this request over; an
            // interrupt between two statements stops the cell.
            for statement in try Parser.parse(code, sourceID: count) {
                try Cancellation.check()
                if let value = try interpreter.execute(statement) {
                    environment.send("result", ["text": interpreter.formatter.format(value)])
                }
            }
            done(id, "ok", ["execution_count": count])
        } catch {
            report(error, count: count, id: id)
        }
    }

    /// The `error` message and the `done` that ends the request.
    func report(_ error: KLSError, count: Int, id: Any) {
        if error.kind == .interrupted {
            done(id, "interrupted", ["execution_count": count, "message": "interrupted (the session is intact)"])
            return
        }
        var fields: [String: Any] = ["message": error.message]
        if let hint = error.hint { fields["hint"] = hint }
        if let range = error.range {
            fields["line"] = range.start.line
            fields["column"] = range.start.column
            fields["end_line"] = range.end.line
            fields["end_column"] = range.end.column
            fields["cell"] = range.start.source
        }
        fields["rendered"] = ErrorRenderer(console: Console(color: false), width: 100).tracebackWithHintBelow(error) {
            self.sources[$0]
        }
        environment.send("error", fields)
        done(id, "error", ["execution_count": count])
    }

    func complete(_ code: String, cursor: Int, id: Any) {
        let result = Completer(session: interpreter).complete(code: code, cursor: cursor)
        done(id, "ok", ["matches": result.matches, "cursor_start": result.start, "cursor_end": result.end])
    }

    /// Help for the name at the cursor, or else for the function whose call
    /// the cursor is in (`kl_mc(q, |` → kl_mc).
    func inspect(_ code: String, cursor: Int, id: Any) {
        guard let name = ServeSession.name(in: code, at: cursor), let text = try? help(name) else {
            done(id, "ok", ["found": false])
            return
        }
        done(id, "ok", ["found": true, "name": name, "text": text])
    }

    /// Help for a builtin, topic or constant, or what a variable holds.
    func help(_ name: String) throws(KLSError) -> String {
        if let value = interpreter.globals[name] {
            if case .function = value { return try Help.text(for: value) }
            return "\(name): \(value.typeName)\n" + interpreter.formatter.format(value)
        }
        return try Help.text(named: name)
    }

    /// `complete`, `incomplete` (an open bracket, a trailing operator: more
    /// lines would finish it) or `invalid`.
    func isComplete(_ code: String, id: Any) {
        let state: String
        do {
            _ = try Parser.parse(code)
            state = "complete"
        } catch {
            state = error.kind == .incomplete ? "incomplete" : "invalid"
        }
        done(id, "ok", ["state": state])
    }

    /// The identifier around `cursor`, else the callee of the innermost open
    /// call before it.
    static func name(in code: String, at cursor: Int) -> String? {
        let scalars = Array(code.unicodeScalars)
        let isWord = { (c: Unicode.Scalar) in Lexer.isIdentifierStart(c) || Lexer.isDigit(c) }
        let at = Swift.max(0, Swift.min(cursor, scalars.count))
        var start = at
        var end = at
        while start > 0, isWord(scalars[start - 1]) { start -= 1 }
        while end < scalars.count, isWord(scalars[end]) { end += 1 }
        if start < end, Lexer.isIdentifierStart(scalars[start]) {
            return String(String.UnicodeScalarView(scalars[start..<end]))
        }
        var depth = 0
        var i = at - 1
        while i >= 0 {
            if scalars[i] == ")" { depth += 1 }
            if scalars[i] == "(" {
                if depth == 0 { return name(in: code, at: i) }
                depth -= 1
            }
            i -= 1
        }
        return nil
    }

    /// `interact_update`: interaction `interaction`'s output at `values` (a
    /// notebook's sliders moved), tagged as its first output was; a control not
    /// named keeps its start. An error of f is an `error` message, as a cell's.
    func interactUpdate(_ request: [String: Any], id: Any) throws(KLSError) {
        guard let raw = request["interaction"] as? NSNumber, let number = Int(exactly: raw.doubleValue) else {
            throw KLSError("this request needs a whole number \"interaction\"")
        }
        guard let interaction = environment.interactions[number] else { throw environment.unknownInteraction(number) }
        let given = request["values"] as? [String: Any] ?? [:]
        var values: [Value] = []
        for control in interaction.controls {
            guard let value = given[control.name] else {
                values.append(control.start)
                continue
            }
            values.append(try control.accepting(ServeSession.value(value)))
        }
        do {
            try environment.show(interaction: number, values)
            done(id, "ok", [:])
        } catch {
            if error.kind == .interrupted { return done(id, "interrupted", [:]) }
            var fields: [String: Any] = ["message": error.message, "interaction": number]
            if let hint = error.hint { fields["hint"] = hint }
            fields["rendered"] = ErrorRenderer(console: Console(color: false), width: 100).tracebackWithHintBelow(error)
            {
                self.sources[$0]
            }
            environment.send("error", fields)
            done(id, "error", [:])
        }
    }

    /// A JSON value as a kls value: a bool, a number or a string.
    static func value(_ json: Any) throws(KLSError) -> Value {
        if let number = json as? NSNumber {
            // JSON's true and false arrive as NSNumber too, of C type char ("c");
            // JSON's numbers are integers or doubles.
            if String(cString: number.objCType) == "c" { return .bool(number.boolValue) }
            return .number(number.doubleValue)
        }
        if let text = json as? String { return .string(Text(small: text)) }
        throw KLSError("a control's value must be a number, a string or a bool")
    }
}
