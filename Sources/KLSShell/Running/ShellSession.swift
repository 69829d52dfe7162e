import KLSDiagnostics
import KLSLanguage
import KLSTensor

/// An interpreter session wired to a console: runs statements and shows what
/// they display. Script runners and the REPL all go through it.
public final class ShellSession {
    /// The interpreter holding the session's variables and settings.
    public let interpreter: Interpreter
    /// Where displayed values and errors go.
    public let console: Console

    /// A session whose `print` output and warnings go to `console`, in a terminal
    /// environment unless another is given.
    public init(seed: UInt64?, console: Console, environment: (any Environment)? = nil, precision: Int = 6) {
        self.console = console
        interpreter = Interpreter(seed: seed, environment: environment ?? TerminalEnvironment(console: console))
        interpreter.defaultPrecision = precision
        interpreter.formatter.precision = precision
    }

    /// Parses `text` and runs its statements in order, displaying each value that
    /// is not silenced. Stops at the first error, which it throws.
    public func run(_ text: String) throws(KLSError) {
        try run(try Parser.parse(text))
    }

    /// Runs parsed statements in order, displaying values; throws the first error.
    /// `succeeded` hears of each statement that ran, with its displayed value.
    public func run(_ statements: [Statement], succeeded: (Statement, Value?) -> Void = { _, _ in }) throws(KLSError) {
        for statement in statements {
            Cancellation.reset()
            let value = try interpreter.execute(statement)
            if let value { console.out(interpreter.formatter.format(value)) }
            succeeded(statement, value)
        }
    }
}
