import KLSDiagnostics

/// Primary expressions: literals, names, brackets, blocks, `if`, `for`, lambdas.
extension Parser {
    mutating func primary() throws(KLSError) -> Expr {
        let token = peek
        switch token.kind {
        case .number(let v):
            advance()
            return Expr(.number(v), token.range)
        case .string(let s):
            advance()
            return Expr(.string(s), token.range)
        case .identifier(let name):
            advance()
            return Expr(.name(name), token.range)
        case .keyword(.true), .keyword(.false):
            advance()
            return Expr(.bool(token.kind == .keyword(.true)), token.range)
        case .keyword(.none):
            advance()
            return Expr(.none, token.range)
        case .keyword(.if):
            return try ifExpression()
        case .keyword(.for):
            return try forExpression()
        case .keyword(.while):
            let start = advance()
            let condition = try expression()
            skipNewlines()
            let body = try block()
            return Expr(.whileLoop(condition: condition, body: body), start.range.union(body.range))
        case .keyword(.break), .keyword(.continue):
            advance()
            return Expr(.loopExit(isBreak: token.kind == .keyword(.break)), token.range)
        case .symbol(.leftParen):
            advance()
            let inner = try expression()
            guard match(.comma) else {
                let close = try expect(.rightParen, "')'")
                return Expr(inner.kind, token.range.union(close.range))
            }
            // `(a, b)` is `[a, b]`, as a Python tuple reads: interact(f, mu=(-3, 3)).
            var elements = [inner]
            while !check(.rightParen) {
                elements.append(try expression())
                if !match(.comma) { break }
            }
            let close = try expect(.rightParen, "',' or ')'")
            return Expr(.bracket(elements), token.range.union(close.range))
        case .symbol(.leftBracket):
            advance()
            var elements: [Expr] = []
            while !check(.rightBracket) {
                elements.append(try expression())
                if !match(.comma) { break }
            }
            let close = try expect(.rightBracket, "',' or ']'")
            return Expr(.bracket(elements), token.range.union(close.range))
        case .symbol(.leftBrace):
            if case .identifier = peek(1).kind, case .symbol(.colon) = peek(2).kind { return try recordLiteral() }
            if case .string = peek(1).kind, case .symbol(.colon) = peek(2).kind { return try recordLiteral() }
            return try block()
        default:
            throw unexpected(expecting: "an expression")
        }
    }

    /// `{a: 1, "b c": x}`: field names are names or strings, each given once.
    mutating func recordLiteral() throws(KLSError) -> Expr {
        let open = advance()
        var fields: [(name: String, value: Expr)] = []
        while true {
            skipNewlines()
            if check(.rightBrace) { break }
            let nameToken = advance()
            let name: String
            switch nameToken.kind {
            case .identifier(let n), .string(let n): name = n
            case .end: throw KLSError("'{' is not closed", kind: .incomplete, range: open.range)
            default:
                throw KLSError(
                    "expected a field name, found \(nameToken.kind.display)", kind: .syntax, range: nameToken.range)
            }
            guard !fields.contains(where: { $0.name == name }) else {
                throw KLSError("field '\(name)' appears twice in the record", kind: .syntax, range: nameToken.range)
            }
            try expect(.colon, "':' after the field name")
            skipNewlines()
            fields.append((name, try expression()))
            skipNewlines()
            if !match(.comma) { break }
        }
        skipNewlines()
        let close = try expect(.rightBrace, "',' or '}'")
        return Expr(.recordLiteral(fields), open.range.union(close.range))
    }

    mutating func ifExpression() throws(KLSError) -> Expr {
        let start = advance()
        let condition = try expression()
        skipNewlines()
        let then = try block()
        var otherwise: Expr? = nil
        // `else` may start the next line when more input follows (scripts).
        var lookahead = 0
        while peek(lookahead).kind == .newline { lookahead += 1 }
        if case .keyword(.else) = peek(lookahead).kind {
            for _ in 0...lookahead { advance() }
            skipNewlines()
            otherwise = check(.if) ? try ifExpression() : try block()
        }
        let end = otherwise?.range ?? then.range
        return Expr(.ifElse(condition: condition, then: then, otherwise: otherwise), start.range.union(end))
    }

    mutating func forExpression() throws(KLSError) -> Expr {
        let start = advance()
        guard case .identifier(let variable) = peek.kind else {
            throw unexpected(expecting: "a loop variable name after 'for'")
        }
        advance()
        guard check(.in) else { throw unexpected(expecting: "'in'") }
        advance()
        let sequence = try expression()
        skipNewlines()
        let body = try block()
        return Expr(.forLoop(variable: variable, sequence: sequence, body: body), start.range.union(body.range))
    }

    /// `x -> body` or `(a, b=1) -> body`, recognised by looking past the
    /// parameter list for `->`.
    mutating func lambdaIfPresent() throws(KLSError) -> Expr? {
        let start = peek
        var parameters: [ParameterSyntax] = []
        if case .identifier(let name) = peek.kind, case .symbol(.arrow) = peek(1).kind {
            advance()
            parameters = [ParameterSyntax(name: name, defaultValue: nil)]
        } else if check(.leftParen), let close = matchingParen(), case .symbol(.arrow) = peek(close + 1).kind {
            advance()
            while !check(.rightParen) {
                guard case .identifier(let name) = peek.kind else { throw unexpected(expecting: "a parameter name") }
                advance()
                let defaultValue = match(.equal) ? try expression() : nil
                if defaultValue == nil && parameters.contains(where: { $0.defaultValue != nil }) {
                    throw KLSError(
                        "parameter '\(name)' without a default follows one with a default", kind: .syntax,
                        range: previous.range)
                }
                parameters.append(ParameterSyntax(name: name, defaultValue: defaultValue))
                if !match(.comma) { break }
            }
            try expect(.rightParen, "')'")
        } else {
            return nil
        }
        try expect(.arrow, "'->'")
        skipNewlines()
        try checkUnique(parameters, range: start.range)
        let body = try expression()
        return Expr(.lambda(Lambda(name: nil, parameters: parameters, body: body)), start.range.union(body.range))
    }

    /// The offset of the `)` matching the `(` at hand, if the input holds one.
    func matchingParen() -> Int? {
        var level = 0
        var offset = 0
        while true {
            switch peek(offset).kind {
            case .symbol(.leftParen), .symbol(.leftBracket), .symbol(.leftBrace): level += 1
            case .symbol(.rightParen), .symbol(.rightBracket), .symbol(.rightBrace):
                level -= 1
                if level == 0 { return offset }
            case .end: return nil
            default: break
            }
            offset += 1
        }
    }
}
