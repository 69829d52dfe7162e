import Foundation

/// The REPL's `:commands`, each declared once: name, usage, help, what it takes,
/// how its argument completes, and its handler. The REPL dispatches on this
/// table, `:help` lists it and Tab completes from it, so a command cannot be
/// declared and left unwired.
public enum Commands {
    /// Whether a command takes an argument; the REPL refuses the others.
    public enum ArgumentKind: Sendable {
        case none, optional, required
    }

    /// What Tab offers for a command's argument.
    public enum Completion: Sendable {
        /// Nothing.
        case nothing
        /// File paths.
        case path
        /// Variables, builtins and keywords (for help topics).
        case name
        /// The argument is a statement: complete it as one.
        case statement
    }

    /// One command.
    public struct Command: Sendable {
        public let name: String
        public let usage: String
        public let summary: String
        /// Whether the command takes an argument.
        public let argument: ArgumentKind
        /// What Tab offers after the name.
        public let completion: Completion
        /// Other names it answers to (`:q` for `:quit`), not listed or completed.
        public var aliases: [String] = []
        /// Runs the command with its (trimmed) argument.
        let handler: @Sendable (REPL, String) -> REPL.Outcome
    }

    public static let all: [Command] = [
        Command(
            name: "help", usage: ":help [name]",
            summary: "help for a builtin or command (also ?name); alone, everything",
            argument: .optional, completion: .name,
            handler: proceeding { repl, argument in repl.help(argument) }
        ),
        Command(
            name: "vars", usage: ":vars", summary: "the session's variables: name, kind, shape and value",
            argument: .none, completion: .nothing,
            handler: proceeding { repl, _ in repl.variables() }
        ),
        Command(
            name: "reset", usage: ":reset", summary: "forget every variable and setting",
            argument: .none, completion: .nothing
        ) { repl, _ in repl.reset() },
        Command(
            name: "load", usage: ":load FILE", summary: "run a .kls script in this session",
            argument: .required, completion: .path,
            handler: proceeding { repl, argument in repl.load(argument) }
        ),
        Command(
            name: "save", usage: ":save FILE",
            summary: "write this session's successful statements as a replayable .kls script (a new file)",
            argument: .required, completion: .path,
            handler: proceeding { repl, argument in repl.save(argument, replacing: false) }
        ),
        Command(
            name: "save!", usage: ":save! FILE", summary: "like :save, replacing the file if it exists",
            argument: .required, completion: .path,
            handler: proceeding { repl, argument in repl.save(argument, replacing: true) }
        ),
        Command(
            name: "time", usage: ":time STATEMENT",
            summary: "run a statement and show the wall time (and samples/s for Monte Carlo)",
            argument: .required, completion: .statement,
            handler: proceeding { repl, argument in repl.evaluate(argument, timed: true) }
        ),
        Command(
            name: "seed", usage: ":seed N", summary: "restart the session's random stream at seed N",
            argument: .required, completion: .nothing
        ) { repl, argument in repl.reseed(argument) },
        Command(
            name: "precision", usage: ":precision N", summary: "show numbers with N significant digits (default 6)",
            argument: .required, completion: .nothing
        ) { repl, argument in repl.setPrecision(argument) },
        Command(
            name: "history", usage: ":history [N]", summary: "the last N entries of the history (all without N)",
            argument: .optional, completion: .nothing
        ) { repl, argument in repl.showHistory(argument) },
        Command(
            name: "quit", usage: ":quit", summary: "leave kls (also :q, exit, quit, and Ctrl-D on an empty line)",
            argument: .none, completion: .nothing, aliases: ["q", "exit"]
        ) { _, _ in .quit },
    ]

    /// A handler for a command after which the REPL always goes on.
    static func proceeding(_ body: @escaping @Sendable (REPL, String) -> Void)
        -> @Sendable (REPL, String) -> REPL.Outcome
    {
        { repl, argument in
            body(repl, argument)
            return .proceed
        }
    }

    /// Command names without the colon.
    public static var names: [String] { all.map(\.name) }

    /// The command called `name`.
    public static func named(_ name: String) -> Command? {
        all.first { $0.name == name || $0.aliases.contains(name) }
    }

    /// The list `:help` prints before the builtins.
    public static var help: String {
        let width = all.map(\.usage.count).max() ?? 0
        let rows = all.map { "  " + $0.usage.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.summary }
        return (["Commands:"] + rows).joined(separator: "\n")
    }
}
