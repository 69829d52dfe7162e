import KLSLanguage
import KLSTensor

/// Runs kls source as a script (`kls FILE`, `kls -`, `kls -e`): the whole text is
/// parsed first, so a syntax error runs nothing; then statements run in order,
/// displayed values go to stdout, and the first error stops the run.
public struct ScriptRunner {
    let session: ShellSession

    /// A runner over `session`.
    public init(session: ShellSession) {
        self.session = session
    }

    /// Runs `source`; returns the exit status (0 ok, 1 error).
    public func run(source: String, file: String) -> Int32 {
        defer { session.console.flush() }
        do {
            try session.run(source)
            return 0
        } catch {
            session.console.err(ErrorRenderer(console: session.console).script(error, file: file, source: source))
            return 1
        }
    }
}
