import KLSDiagnostics

/// A recursive-descent parser for language.md §1 and language.md §3.
///
/// When input runs out where more is required (an open bracket, a trailing
/// operator, `f(x) =`), the error has kind `.incomplete`, which is how the REPL
/// knows to read a continuation line instead of reporting a mistake.
public struct Parser {
    var tokens: [Token]
    var current = 0
    var depth = 0

    /// The deepest nesting of brackets and operators accepted; deeper input is a
    /// clear error rather than a stack overflow.
    public static let maximumDepth = 256

    /// The tallest expression tree accepted. Left-nested chains (`1 + 1 + … + 1`,
    /// `f()()()`, `x.a.b.c`) are parsed by loops, not recursion, but compiling,
    /// evaluating and freeing them recurses once per level: measured at about
    /// 2.5 KB of stack a level in a debug build, so 10,000 levels stay far inside
    /// the interpreter thread's 1 GiB stack (and inside 64 MiB).
    public static let maximumHeight = 10_000

    /// Parses a whole program or REPL entry; `sourceID` marks every range in it.
    public static func parse(_ source: String, sourceID: Int = 0) throws(KLSError) -> [Statement] {
        var parser = Parser(tokens: try Lexer.tokenize(source, sourceID: sourceID))
        return try parser.program()
    }

    /// True when `source` is a prefix of a statement that more lines could finish.
    public static func isIncomplete(_ source: String) -> Bool {
        do {
            _ = try parse(source)
            return false
        } catch {
            return error.kind == .incomplete
        }
    }

    init(tokens: [Token]) {
        self.tokens = tokens
    }

    mutating func program() throws(KLSError) -> [Statement] {
        var statements: [Statement] = []
        while true {
            skipSeparators()
            if peek.kind == .end { return statements }
            statements.append(try statement(inBlock: false))
        }
    }

    // MARK: Statements

    mutating func statement(inBlock: Bool) throws(KLSError) -> Statement {
        let start = peek.range
        let target = try expression()
        var kind = Statement.Kind.expression(target)
        if case .symbol(let s) = peek.kind, [.equal, .plusEqual, .minusEqual, .starEqual, .slashEqual].contains(s) {
            let operatorToken = advance()
            skipNewlines()
            let value = try expression()
            kind = try assignment(target, s, value, at: operatorToken.range)
        }
        var silent = false
        switch peek.kind {
        case .symbol(.semicolon):
            advance()
            silent = true
        case .newline, .end:
            break
        case .symbol(.rightBrace) where inBlock:
            break
        default:
            throw KLSError(
                "unexpected \(peek.kind.display) after the end of a statement", kind: .syntax, range: peek.range,
                hint: "separate statements with a newline or ';'")
        }
        return Statement(kind, silent: silent, range: start.union(previous.range))
    }

    /// Turns `lhs = rhs` into an assignment or a function definition.
    func assignment(_ target: Expr, _ op: Symbol, _ value: Expr, at range: SourceRange) throws(KLSError)
        -> Statement.Kind
    {
        switch target.kind {
        case .name(let name):
            // `g = (x) -> …` names the lambda g, for help and tracebacks (as
            // JavaScript names an assigned arrow function).
            if op == .equal, case .lambda(var lambda) = value.kind, lambda.name == nil {
                lambda.name = name
                return .assign(name: name, value: Expr(.lambda(lambda), value.range))
            }
            guard op != .equal else { return .assign(name: name, value: value) }
            let binary: InfixOperator =
                op == .plusEqual ? .add : op == .minusEqual ? .subtract : op == .starEqual ? .multiply : .divide
            return .assign(name: name, value: Expr(.binary(binary, target, value), target.range.union(value.range)))
        case .call(let callee, let arguments):
            guard op == .equal, case .name(let name) = callee.kind else { break }
            var parameters: [ParameterSyntax] = []
            for argument in arguments {
                if let keyword = argument.name {
                    parameters.append(ParameterSyntax(name: keyword, defaultValue: argument.value))
                } else if case .name(let p) = argument.value.kind {
                    guard parameters.allSatisfy({ $0.defaultValue == nil }) else {
                        throw KLSError(
                            "parameter '\(p)' without a default follows one with a default", kind: .syntax,
                            range: argument.value.range)
                    }
                    parameters.append(ParameterSyntax(name: p, defaultValue: nil))
                } else {
                    throw KLSError(
                        "a function parameter must be a name", kind: .syntax, range: argument.value.range,
                        hint: "define functions as f(x, y) = x + y")
                }
            }
            try checkUnique(parameters, range: target.range)
            return .assign(
                name: name,
                value: Expr(
                    .lambda(Lambda(name: name, parameters: parameters, body: value)), target.range.union(value.range)))
        case .index(let base, let components):
            guard case .name(let name) = base.kind else {
                throw KLSError(
                    "only a variable can be assigned into by index", kind: .syntax, range: base.range,
                    hint: "assign the value to a name first: y = …; y[0] = v")
            }
            guard op != .equal else { return .assignIndex(name: name, components: components, value: value) }
            let binary: InfixOperator =
                op == .plusEqual ? .add : op == .minusEqual ? .subtract : op == .starEqual ? .multiply : .divide
            return .assignIndex(
                name: name, components: components,
                value: Expr(.binary(binary, target, value), target.range.union(value.range)))
        default:
            break
        }
        throw KLSError(
            "cannot assign to this expression", kind: .syntax, range: target.range,
            hint: "the left of '=' must be a name or f(x, ...)")
    }

    func checkUnique(_ parameters: [ParameterSyntax], range: SourceRange) throws(KLSError) {
        var seen = Set<String>()
        for p in parameters where !seen.insert(p.name).inserted {
            throw KLSError("parameter '\(p.name)' appears twice", kind: .syntax, range: range)
        }
    }

    /// `{ statements }`, the body of functions, `if` and `for`.
    mutating func block() throws(KLSError) -> Expr {
        let open = try expect(.leftBrace, "'{'")
        var statements: [Statement] = []
        while true {
            skipSeparators()
            if case .symbol(.rightBrace) = peek.kind { break }
            if peek.kind == .end {
                throw KLSError("'{' is not closed", kind: .incomplete, range: open.range)
            }
            statements.append(try statement(inBlock: true))
        }
        let close = advance()
        return Expr(.block(statements), open.range.union(close.range))
    }

    // MARK: Token helpers

    var peek: Token { tokens[current] }
    var previous: Token { tokens[Swift.max(current - 1, 0)] }

    func peek(_ ahead: Int) -> Token {
        tokens[Swift.min(current + ahead, tokens.count - 1)]
    }

    @discardableResult
    mutating func advance() -> Token {
        let token = tokens[current]
        if token.kind != .end { current += 1 }
        return token
    }

    func check(_ symbol: Symbol) -> Bool {
        if case .symbol(symbol) = peek.kind { return true }
        return false
    }

    func check(_ keyword: Keyword) -> Bool {
        if case .keyword(keyword) = peek.kind { return true }
        return false
    }

    mutating func match(_ symbol: Symbol) -> Bool {
        guard check(symbol) else { return false }
        advance()
        return true
    }

    @discardableResult
    mutating func expect(_ symbol: Symbol, _ what: String) throws(KLSError) -> Token {
        if check(symbol) { return advance() }
        throw unexpected(expecting: what)
    }

    /// An error for the token at hand; `.incomplete` when input simply ran out.
    func unexpected(expecting what: String) -> KLSError {
        if peek.kind == .end {
            return KLSError("expected \(what), but the input ended", kind: .incomplete, range: peek.range)
        }
        return KLSError("expected \(what), found \(peek.kind.display)", kind: .syntax, range: peek.range)
    }

    mutating func skipNewlines() {
        while peek.kind == .newline { advance() }
    }

    mutating func skipSeparators() {
        while peek.kind == .newline || check(.semicolon) { advance() }
    }

    /// Guards recursion so that absurdly deep input fails cleanly.
    /// `node`, unless it makes the tree taller than `maximumHeight`.
    func limitHeight(_ node: Expr) throws(KLSError) -> Expr {
        guard node.height > Parser.maximumHeight else { return node }
        throw KLSError(
            "expression nested too deeply (over \(Parser.maximumHeight) levels)", kind: .syntax,
            range: node.range, hint: "split it into smaller statements, or sum a list: sum([a, b, c])")
    }

    mutating func enter() throws(KLSError) {
        depth += 1
        if depth > Parser.maximumDepth {
            throw KLSError(
                "expression nested too deeply (over \(Parser.maximumDepth) levels)", kind: .syntax, range: peek.range,
                hint: "split it into smaller statements")
        }
    }
}
