import KLSDiagnostics

/// Expressions, lowest precedence first (language.md §3):
/// `->` · `or` · `and` · `not` · comparisons · `+ -` · `* / %` · `@` · unary `- +`
/// · `^` (right-associative) · postfix call, index, member.
extension Parser {
    mutating func expression() throws(KLSError) -> Expr {
        try enter()
        defer { depth -= 1 }
        if let lambda = try lambdaIfPresent() { return lambda }
        return try logical(isAnd: false)
    }

    mutating func logical(isAnd: Bool) throws(KLSError) -> Expr {
        var left = isAnd ? try notExpression() : try logical(isAnd: true)
        while check(isAnd ? .and : .or) {
            advance()
            skipNewlines()
            let right = isAnd ? try notExpression() : try logical(isAnd: true)
            left = try limitHeight(Expr(.logical(isAnd: isAnd, left, right), left.range.union(right.range)))
        }
        return left
    }

    mutating func notExpression() throws(KLSError) -> Expr {
        guard check(.not) else { return try comparison() }
        let start = advance()
        try enter()
        defer { depth -= 1 }
        let operand = try notExpression()
        return Expr(.unary(.not, operand), start.range.union(operand.range))
    }

    static let comparisons: [Symbol: InfixOperator] = [
        .equalEqual: .equal, .notEqual: .notEqual, .less: .less, .lessEqual: .lessEqual,
        .greater: .greater, .greaterEqual: .greaterEqual,
    ]

    mutating func comparison() throws(KLSError) -> Expr {
        let left = try binary(level: 0)
        guard case .symbol(let s) = peek.kind, let op = Parser.comparisons[s] else { return left }
        advance()
        skipNewlines()
        let right = try binary(level: 0)
        if case .symbol(let next) = peek.kind, Parser.comparisons[next] != nil {
            throw KLSError(
                "comparisons cannot be chained", kind: .syntax, range: peek.range,
                hint: "write (a < b) and (b < c)")
        }
        return Expr(.compare(op, left, right), left.range.union(right.range))
    }

    static let levels: [[Symbol: InfixOperator]] = [
        [.plus: .add, .minus: .subtract],
        [.star: .multiply, .slash: .divide, .percent: .modulo],
    ]

    /// Left-associative binary levels: additive, multiplicative, then `@`.
    mutating func binary(level: Int) throws(KLSError) -> Expr {
        if level == Parser.levels.count { return try matmul() }
        var left = try binary(level: level + 1)
        while case .symbol(let s) = peek.kind, let op = Parser.levels[level][s] {
            advance()
            skipNewlines()
            let right = try binary(level: level + 1)
            left = try limitHeight(Expr(.binary(op, left, right), left.range.union(right.range)))
        }
        return left
    }

    mutating func matmul() throws(KLSError) -> Expr {
        var left = try unary()
        while match(.at) {
            skipNewlines()
            let right = try unary()
            left = try limitHeight(Expr(.matmul(left, right), left.range.union(right.range)))
        }
        return left
    }

    mutating func unary() throws(KLSError) -> Expr {
        guard check(.minus) || check(.plus) else { return try power() }
        let start = advance()
        try enter()
        defer { depth -= 1 }
        let operand = try unary()
        let op: UnaryOperator = start.kind == .symbol(.minus) ? .negate : .plus
        // Fold -3 into a literal so that display and constant tensors stay simple.
        if op == .negate, case .number(let v) = operand.kind {
            return Expr(.number(-v), start.range.union(operand.range))
        }
        return Expr(.unary(op, operand), start.range.union(operand.range))
    }

    mutating func power() throws(KLSError) -> Expr {
        let base = try postfix()
        guard match(.caret) else { return base }
        skipNewlines()
        try enter()
        defer { depth -= 1 }
        let exponent = try unary()
        return Expr(.binary(.power, base, exponent), base.range.union(exponent.range))
    }

    mutating func postfix() throws(KLSError) -> Expr {
        var expr = try primary()
        while true {
            if match(.leftParen) {
                let arguments = try callArguments()
                expr = try limitHeight(Expr(.call(expr, arguments), expr.range.union(previous.range)))
            } else if match(.leftBracket) {
                let components = try indexComponents()
                expr = try limitHeight(Expr(.index(expr, components), expr.range.union(previous.range)))
            } else if check(.dot) {
                advance()
                guard case .identifier(let name) = peek.kind else {
                    throw unexpected(expecting: "a member name after '.'")
                }
                let token = advance()
                expr = try limitHeight(Expr(.member(expr, name), expr.range.union(token.range)))
            } else {
                return expr
            }
        }
    }

    mutating func callArguments() throws(KLSError) -> [Argument] {
        var arguments: [Argument] = []
        while !check(.rightParen) {
            if case .identifier(let name) = peek.kind, case .symbol(.equal) = peek(1).kind {
                let nameRange = peek.range
                advance()
                advance()
                if arguments.contains(where: { $0.name == name }) {
                    throw KLSError("keyword argument '\(name)' is repeated", kind: .syntax, range: nameRange)
                }
                arguments.append(Argument(name: name, value: try expression(), nameRange: nameRange))
            } else {
                let value = try expression()
                if arguments.contains(where: { $0.name != nil }) {
                    throw KLSError("positional argument follows keyword argument", kind: .syntax, range: value.range)
                }
                arguments.append(Argument(name: nil, value: value))
            }
            if !match(.comma) { break }
        }
        try expect(.rightParen, "',' or ')'")
        return arguments
    }

    mutating func indexComponents() throws(KLSError) -> [IndexExpr] {
        var components: [IndexExpr] = []
        while !check(.rightBracket) {
            let start = check(.colon) ? nil : try expression()
            if match(.colon) {
                let stop = check(.colon) || check(.comma) || check(.rightBracket) ? nil : try expression()
                var step: Expr? = nil
                if match(.colon) {
                    step = check(.comma) || check(.rightBracket) ? nil : try expression()
                }
                components.append(.slice(start: start, stop: stop, step: step))
            } else if let start {
                components.append(.single(start))
            }
            if !match(.comma) { break }
        }
        try expect(.rightBracket, "',' or ']'")
        return components
    }
}
