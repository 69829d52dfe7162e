import ArgumentParser
import Foundation
import KLSShell

/// The `kls` command line (§8): argument parsing and wiring only.
struct KLSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kls",
        abstract: "An interactive shell for exploring KL divergence.",
        discussion: """
            With no FILE and a terminal, starts the REPL; with stdin from a pipe or file,
            reads statements line by line. Errors print FILE:LINE:COL: error: MESSAGE and
            exit 1; usage errors exit 2.
            """,
        version: KLSShellInfo.version)

    @ArgumentParser.Argument(help: "A .kls script to run, or - to read the script from stdin.")
    var file: String?

    @Option(name: .customShort("e"), parsing: .unconditional, help: ArgumentHelp("Evaluate statements and print their values.", valueName: "statements"))
    var expression: String?

    @Option(help: "Seed the session's random stream (a whole number ≥ 0).")
    var seed: UInt64?

    @Flag(help: "Never use colour (also when NO_COLOR is set).")
    var noColor = false

    func validate() throws {
        if expression != nil && file != nil {
            throw ValidationError("give either -e STATEMENTS or FILE, not both")
        }
        if let seed, seed >= 1 << 53 {
            throw ValidationError("--seed must be below 2^53, got \(seed)")
        }
    }

    /// Runs the command and returns the exit status.
    func execute() -> Int32 {
        let console = Console(color: Console.colorAllowed(noColorFlag: noColor) && Console.isTerminal(2))
        let session = ShellSession(seed: seed, console: console)
        let runner = ScriptRunner(session: session)
        if let expression {
            return runner.run(source: expression, file: "-e")
        }
        if let file {
            if file == "-" {
                let data = FileHandle.standardInput.readDataToEndOfFile()
                return runner.run(source: String(decoding: data, as: UTF8.self), file: "<stdin>")
            }
            guard let data = FileManager.default.contents(atPath: file) else {
                console.err("kls: cannot read '\(file)': \(FileManager.default.fileExists(atPath: file) ? "permission denied or a directory" : "no such file")")
                return 2
            }
            return runner.run(source: String(decoding: data, as: UTF8.self), file: file)
        }
        if Console.isTerminal(0) {
            let history = History(path: History.defaultPath) { console.err(console.styled("warning:", .yellow) + " " + $0) }
            return REPL(shell: session, editor: ReadlineEditor(), history: history).run()
        }
        return PlainLineRunner(session: session).run()
    }
}
