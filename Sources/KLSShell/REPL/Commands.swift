import Foundation

/// The REPL's `:commands` (§8), declared once: the REPL dispatches on them,
/// `:help` lists them and Tab completes them.
public enum Commands {
    /// Whether a command takes an argument.
    public enum ArgumentKind: Sendable {
        case none, optional, required
    }

    /// A command's name, usage line and one-line help.
    public struct Command: Sendable {
        public let name: String
        public let usage: String
        public let summary: String
        /// Whether the command takes an argument; the REPL refuses the others.
        public let argument: ArgumentKind
    }

    public static let all: [Command] = [
        Command(
            name: "help", usage: ":help [name]",
            summary: "help for a builtin or command (also ?name); alone, everything", argument: .optional),
        Command(
            name: "vars", usage: ":vars", summary: "the session's variables: name, kind, shape and value",
            argument: .none),
        Command(name: "reset", usage: ":reset", summary: "forget every variable and setting", argument: .none),
        Command(name: "load", usage: ":load FILE", summary: "run a .kls script in this session", argument: .required),
        Command(
            name: "save", usage: ":save FILE",
            summary: "write this session's successful statements as a replayable .kls script "
                + "(:save! FILE replaces an existing file)", argument: .required),
        Command(
            name: "time", usage: ":time STATEMENT",
            summary: "run a statement and show the wall time (and samples/s for Monte Carlo)", argument: .required),
        Command(
            name: "seed", usage: ":seed N", summary: "restart the session's random stream at seed N",
            argument: .required),
        Command(
            name: "precision", usage: ":precision N",
            summary: "show numbers with N significant digits (default 6)", argument: .required),
        Command(
            name: "history", usage: ":history [N]", summary: "the last N entries of the history (all without N)",
            argument: .optional),
        Command(name: "quit", usage: ":quit", summary: "leave kls (Ctrl-D on an empty line too)", argument: .none),
    ]

    /// Command names without the colon.
    public static var names: [String] { all.map(\.name) }

    /// The command called `name`.
    public static func named(_ name: String) -> Command? { all.first { $0.name == name } }

    /// The list `:help` prints before the builtins.
    public static var help: String {
        let width = all.map(\.usage.count).max() ?? 0
        return
            (["Commands:"]
            + all.map { "  " + $0.usage.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.summary })
            .joined(separator: "\n")
    }
}
