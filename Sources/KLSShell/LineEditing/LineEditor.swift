/// What reading one line produced.
public enum LineInput: Equatable, Sendable {
    /// A line of text, without its newline.
    case line(String)
    /// Ctrl-C at the prompt: the line was abandoned.
    case interrupted
    /// End of input (Ctrl-D on an empty line).
    case end
}

/// Reads lines for the REPL. The readline editor serves terminals; a scripted
/// editor drives the same REPL in tests. Only `ReadlineEditor` touches C.
public protocol LineEditor: AnyObject {
    /// Shows `prompt` and reads one line.
    func readLine(prompt: String) -> LineInput
    /// Adds an entry to the editor's in-memory history (for ↑ and Ctrl-R).
    func remember(_ entry: String)
    /// The completion source, consulted on Tab.
    var completer: Completer? { get set }
    /// Colours the line while it is typed; nil leaves it plain.
    var highlighter: SyntaxHighlighter? { get set }
    /// Whether history suggests the rest of a line, dim after the cursor.
    var suggests: Bool { get set }
    /// True when Ctrl-C arrived since the last call (and clears it).
    func takeInterrupt() -> Bool
}

/// A line editor fed from a list, for tests: each element is what the user
/// "typed"; `nil` stands for Ctrl-C at the prompt.
public final class ScriptedEditor: LineEditor {
    var lines: [String?]
    /// The prompts shown, in order.
    public private(set) var prompts: [String] = []
    /// Entries remembered for history.
    public private(set) var remembered: [String] = []
    public var completer: Completer?
    public var highlighter: SyntaxHighlighter?
    public var suggests = false

    /// An editor that will "type" `lines`.
    public init(_ lines: [String?]) {
        self.lines = lines
    }

    public func readLine(prompt: String) -> LineInput {
        prompts.append(prompt)
        guard !lines.isEmpty else { return .end }
        guard let line = lines.removeFirst() else { return .interrupted }
        return .line(line)
    }

    public func remember(_ entry: String) {
        remembered.append(entry)
    }

    public func takeInterrupt() -> Bool { false }
}
