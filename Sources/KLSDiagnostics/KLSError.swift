/// A position in kls source text: 1-based line and column plus a 0-based
/// character offset into the statement text.
public struct SourceLocation: Sendable, Equatable, Hashable {
    /// 1-based line number.
    public var line: Int
    /// 1-based column, counted in characters.
    public var column: Int
    /// 0-based character offset from the start of the source.
    public var offset: Int
    /// Which text the location is in: the REPL numbers its entries and loaded
    /// files, so an error inside a function defined earlier can show that
    /// function's line. 0 when the runner has only one text.
    public var source: Int

    /// Creates a location.
    public init(line: Int, column: Int, offset: Int, source: Int = 0) {
        self.line = line
        self.column = column
        self.offset = offset
        self.source = source
    }
}

/// A half-open range of source text, `start..<end`.
public struct SourceRange: Sendable, Equatable, Hashable {
    /// The first character of the range.
    public var start: SourceLocation
    /// One past the last character of the range.
    public var end: SourceLocation

    /// Creates a range.
    public init(start: SourceLocation, end: SourceLocation) {
        self.start = start
        self.end = end
    }

    /// The range that covers both `self` and `other`.
    public func union(_ other: SourceRange) -> SourceRange {
        SourceRange(
            start: start.offset <= other.start.offset ? start : other.start,
            end: end.offset >= other.end.offset ? end : other.end)
    }
}

/// The one error type of kls. Every layer throws it; the language layer adds the
/// source range of the expression that failed, and the shell renders it as
/// `FILE:LINE:COL: error: MESSAGE` or with a caret under the statement.
///
/// Lower layers (tensors, distributions) do not know about source text, so they
/// throw with `range == nil` and the interpreter fills it in on the way out.
public struct KLSError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in broad strokes; the shell uses it to pick exit codes and
    /// the REPL to decide whether to read a continuation line.
    public enum Kind: Sendable, Equatable {
        /// Malformed source text.
        case syntax
        /// The statement is unfinished (open bracket, trailing operator); the REPL
        /// reads another line instead of reporting it.
        case incomplete
        /// A failure while evaluating: wrong type, shape mismatch, bad argument.
        case runtime
        /// A request over a resource limit (memory, recursion depth).
        case resource
        /// The user pressed Ctrl-C while the computation ran.
        case interrupted
        /// `break` on its way to the loop it leaves (never escapes the loop: the
        /// compiler refuses `break` outside one).
        case loopBreak
        /// `continue` on its way to the loop it continues.
        case loopContinue
    }

    /// The category of the error.
    public var kind: Kind
    /// A message written for the user, without the `error:` prefix.
    public var message: String
    /// Where in the statement the error happened, when known.
    public var range: SourceRange?
    /// An optional second line: what to try instead.
    public var hint: String?
    /// The calls the error passed through, innermost first: each the call
    /// expression and the name of the function called.
    public var trace: [(range: SourceRange, function: String)] = []

    /// Creates an error.
    public init(_ message: String, kind: Kind = .runtime, range: SourceRange? = nil, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.range = range
        self.hint = hint
    }

    /// A copy with `range` set, unless the error already points somewhere more precise.
    public func located(at range: SourceRange) -> KLSError {
        var copy = self
        if copy.range == nil { copy.range = range }
        return copy
    }

    /// The message, with the hint appended when there is one.
    public var description: String {
        hint.map { "\(message) (\($0))" } ?? message
    }
}
