import ArgumentParser
import CBuildInfo
import Foundation
import KLSShell
import KLSTensor

/// The `kls` command line (language.md §8): argument parsing and wiring only.
struct KLSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kls",
        abstract: "An interactive shell for exploring KL divergence.",
        discussion: """
            With no FILE and a terminal, starts the REPL; with stdin from a pipe or file,
            reads statements line by line. Errors print FILE:LINE:COL: error: MESSAGE and
            exit 1; usage errors exit 2.
            """,
        version: versionLine)

    /// `--version`: the version, the commit kls was built from, and the kernels'
    /// vector width (the released kls picks one at start-up).
    static var versionLine: String {
        let commit = String(cString: kls_build_commit())
        let built = commit.isEmpty ? "" : "commit \(commit), "
        return "\(KLSShellInfo.version) (\(built)kernels: \(KernelTarget.name))"
    }

    @ArgumentParser.Argument(help: "A .kls script to run, or - to read the script from stdin.")
    var file: String?

    @Option(
        name: .customShort("e"), parsing: .unconditional,
        help: ArgumentHelp("Evaluate statements and print their values.", valueName: "statements"))
    var expression: String?

    @Option(help: "Seed the session's random stream (a whole number from 0 to 2^53 - 1).")
    var seed: UInt64?

    @Option(help: "Show numbers with N significant digits (1 to 17; default 6), as precision(N) does.")
    var precision: Int?

    @Flag(help: "Never use colour (also when NO_COLOR is set).")
    var noColor = false

    @Flag(help: "Replay FILE as a transcript: each statement after the prompt, then its output.")
    var echo = false

    @Flag(help: "Classroom mode: show each statement of FILE and wait for Enter (q quits to the REPL).")
    var step = false

    @Flag(help: "Check FILE: statements followed by '#=> expected' must display exactly that.")
    var check = false

    @Flag(help: "Serve a session as JSON lines on stdin/stdout, for notebooks and editors (docs/serve.md).")
    var serve = false

    func validate() throws {
        if expression != nil && file != nil {
            throw ValidationError("give either -e STATEMENTS or FILE, not both")
        }
        if [echo, step, check].filter({ $0 }).count > 1 {
            throw ValidationError("choose one of --echo, --step and --check")
        }
        if serve && (expression != nil || file != nil || echo || step || check) {
            throw ValidationError(
                "--serve reads its requests from stdin: give it no FILE, -e, --echo, --step or --check")
        }
        if (echo || step || check) && (file == nil || expression != nil) {
            throw ValidationError("--echo, --step and --check need a FILE")
        }
        if let precision, !(1...17).contains(precision) {
            throw ValidationError("--precision must be from 1 to 17, got \(precision)")
        }
        if let seed, seed >= 1 << 53 {
            throw ValidationError("--seed must be below 2^53, got \(seed)")
        }
    }

    /// `--echo` and `--step`: stepping waits only on a terminal, and on a terminal
    /// the session stays open as a REPL afterwards.
    func replay(_ source: String, file: String, session: ShellSession, console: Console) -> Int32 {
        let interactive = step && Console.isTerminal(0)
        // The editor installs the Ctrl-C handler: in class, Ctrl-C stops a long
        // statement and the lesson goes on.
        let editor: ReadlineEditor? = interactive ? ReadlineEditor() : nil
        let pause: (() -> String?)? = interactive ? { Swift.readLine(strippingNewline: true) } : nil
        let (status, _) = TranscriptRunner(session: session, pause: pause).run(source: source, file: file)
        guard let editor else { return status }
        console.out(console.styled("(end of \(file): the session stays open; :quit to leave)", .dim))
        let history = History(path: History.defaultPath) { console.err(console.styled("warning:", .yellow) + " " + $0) }
        return REPL(shell: session, editor: editor, history: history).run(showBanner: false)
    }

    /// Runs the command and returns the exit status; a failed write to standard
    /// output or error (a full disk) makes it 1.
    func execute() -> Int32 {
        let console = Console(color: Console.colorAllowed(noColorFlag: noColor) && Console.isTerminal(2))
        if let problem = MemoryLimit.configurationProblem {
            console.err(console.styled("warning:", .yellow) + " " + problem)
        }
        let status = run(console)
        console.flush()
        if let failure = Console.writeFailure {
            Console.reportWriteFailure(failure)
            return status == 0 ? 1 : status
        }
        return status
    }

    func run(_ console: Console) -> Int32 {
        if serve { return ServeSession(seed: seed, precision: precision ?? 6).run() }
        let session = ShellSession(seed: seed, console: console, precision: precision ?? 6)
        let runner = ScriptRunner(session: session)
        if let expression {
            return runner.run(source: SourceFile.normalize(expression), file: "-e")
        }
        if let file {
            let name = file == "-" ? "<stdin>" : file
            let source: String
            do {
                source = file == "-" ? try SourceFile.readStandardInput() : try SourceFile.read(file)
            } catch {
                console.err("kls: \(error.message)")
                return 2
            }
            if check {
                return CheckRunner(seed: seed, console: console, precision: precision ?? 6).run(
                    source: source, file: name)
            }
            if echo || step { return replay(source, file: name, session: session, console: console) }
            return runner.run(source: source, file: name)
        }
        if Console.isTerminal(0) {
            let history = History(path: History.defaultPath) {
                console.err(console.styled("warning:", .yellow) + " " + $0)
            }
            return REPL(shell: session, editor: ReadlineEditor(), history: history).run()
        }
        return PlainLineRunner(session: session).run()
    }
}
