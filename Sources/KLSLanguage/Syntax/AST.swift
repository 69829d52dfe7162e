import KLSDiagnostics

/// An expression node: what it is and where it came from.
public final class Expr: Sendable {
    /// The node's kind and children.
    public let kind: ExprKind
    /// The source text the node covers, for error carets.
    public let range: SourceRange
    /// The longest path from this node to a leaf: 1 for a literal. The parser
    /// refuses trees taller than `Parser.maximumHeight`, so that compiling,
    /// running and freeing a tree never recurses deeper than the stack allows.
    public let height: Int

    /// Creates a node.
    public init(_ kind: ExprKind, _ range: SourceRange) {
        self.kind = kind
        self.range = range
        self.height = 1 + kind.childHeight
    }
}

extension ExprKind {
    /// The tallest child's height (0 for a leaf). Bodies of blocks and lambdas
    /// count too: they are compiled and freed recursively like any child.
    var childHeight: Int {
        var tallest = 0
        forEachChild { tallest = Swift.max(tallest, $0.height) }
        return tallest
    }

    /// Calls `body` on each expression directly inside this one: operands,
    /// arguments, index bounds, statements' expressions, a lambda's defaults
    /// and body. (A visitor, not an array: every node the parser makes asks
    /// for its height.)
    func forEachChild(_ body: (Expr) -> Void) {
        switch self {
        case .number, .string, .bool, .none, .name, .loopExit: break
        case .bracket(let items): items.forEach(body)
        case .unary(_, let x), .member(let x, _): body(x)
        case .binary(_, let x, let y), .compare(_, let x, let y), .logical(_, let x, let y), .matmul(let x, let y):
            body(x)
            body(y)
        case .call(let callee, let arguments):
            body(callee)
            for argument in arguments { body(argument.value) }
        case .index(let x, let components):
            body(x)
            for component in components {
                switch component {
                case .single(let e): body(e)
                case .slice(let start, let stop, let step): [start, stop, step].compactMap { $0 }.forEach(body)
                }
            }
        case .lambda(let lambda):
            lambda.parameters.compactMap(\.defaultValue).forEach(body)
            body(lambda.body)
        case .block(let statements):
            for statement in statements {
                switch statement.kind {
                case .expression(let e), .assign(_, let e), .assignIndex(_, _, let e): body(e)
                }
            }
        case .ifElse(let condition, let then, let otherwise):
            body(condition)
            body(then)
            if let otherwise { body(otherwise) }
        case .forLoop(_, let sequence, let loopBody):
            body(sequence)
            body(loopBody)
        case .whileLoop(let condition, let loopBody):
            body(condition)
            body(loopBody)
        case .recordLiteral(let fields): for field in fields { body(field.value) }
        }
    }
}

/// The expression forms of language.md §3.
public enum ExprKind: Sendable {
    case number(Double)
    case string(String)
    case bool(Bool)
    case none
    case name(String)
    /// `[a, b, c]`: a tensor when every element is numeric, else a list.
    case bracket([Expr])
    case unary(UnaryOperator, Expr)
    case binary(InfixOperator, Expr, Expr)
    /// `a < b`: kept apart from arithmetic because scalars compare to a bool.
    case compare(InfixOperator, Expr, Expr)
    /// Short-circuiting `and` / `or` (element-wise on tensors).
    case logical(isAnd: Bool, Expr, Expr)
    case matmul(Expr, Expr)
    case call(Expr, [Argument])
    case index(Expr, [IndexExpr])
    case member(Expr, String)
    case lambda(Lambda)
    /// `{ s1; s2; e }`: its value is the last statement's.
    case block([Statement])
    case ifElse(condition: Expr, then: Expr, otherwise: Expr?)
    case forLoop(variable: String, sequence: Expr, body: Expr)
    /// `while condition { body }`.
    case whileLoop(condition: Expr, body: Expr)
    /// `break` (true) or `continue` (false), inside a loop of the same function.
    case loopExit(isBreak: Bool)
    /// `{name: value, …}`: a record with the fields in order.
    case recordLiteral([(name: String, value: Expr)])
}

/// The infix arithmetic and comparison operators, as written. The syntax layer
/// names them; the compiler maps each to its tensor kernel (`BinaryOperator`).
public enum InfixOperator: String, Sendable, CaseIterable {
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case power = "^"
    case modulo = "%"
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessEqual = "<="
    case greater = ">"
    case greaterEqual = ">="
}

/// The prefix operators.
public enum UnaryOperator: String, Sendable {
    case negate = "-"
    case plus = "+"
    case not = "not"
}

/// One argument of a call: positional, or `name=value`.
public struct Argument: Sendable {
    /// The keyword, or nil for a positional argument.
    public var name: String?
    /// The argument expression.
    public var value: Expr
    /// Where the keyword itself is (`log_var` in `log_var=1`), for errors about the name.
    public var nameRange: SourceRange? = nil
}

/// One component inside `x[...]`.
public enum IndexExpr: Sendable {
    case single(Expr)
    case slice(start: Expr?, stop: Expr?, step: Expr?)
}

/// A parameter of a user function or lambda, with an optional default.
public struct ParameterSyntax: Sendable {
    /// The parameter's name.
    public var name: String
    /// The default value's expression, evaluated when the function is defined.
    public var defaultValue: Expr?
}

/// A function literal: `x -> x + 1`, `(a, b) -> a * b`, or the right side of
/// `f(x) = …` (which also has a name).
public struct Lambda: Sendable {
    /// The function's name for display and errors; nil for a lambda.
    public var name: String?
    /// The parameters in order.
    public var parameters: [ParameterSyntax]
    /// The body expression.
    public var body: Expr
}

/// A statement: an expression (displayed unless silenced) or an assignment.
public final class Statement: Sendable {
    /// The statement's form.
    public enum Kind: Sendable {
        /// `expr`; `silent` when it ended in `;`.
        case expression(Expr)
        /// `name = expr`, `name += expr`, or `f(x) = expr` (a lambda value).
        case assign(name: String, value: Expr)
        /// `name[i, j] = expr` (and `+=` and the like, whose value already reads the element).
        case assignIndex(name: String, components: [IndexExpr], value: Expr)
    }

    /// The statement's form.
    public let kind: Kind
    /// Whether a `;` ended it, which suppresses display.
    public let silent: Bool
    /// The source text of the whole statement.
    public let range: SourceRange

    /// The height of the statement's expression.
    public var height: Int {
        switch kind {
        case .expression(let e), .assign(_, let e), .assignIndex(_, _, let e): return e.height
        }
    }

    /// Creates a statement.
    public init(_ kind: Kind, silent: Bool, range: SourceRange) {
        self.kind = kind
        self.silent = silent
        self.range = range
    }
}
