import CReadline
import Foundation
import KLSDiagnostics
import KLSLanguage
import KLSTensor

/// `interact` in the REPL on a terminal: the controls above f's output, redrawn
/// in place as keys change them (Tab or ↑/↓ chooses a control, ←/→ moves it,
/// Enter keeps the values, Esc, q or Ctrl-C leaves).
final class TerminalInteraction {
    let interaction: Interaction
    let environment: TerminalEnvironment
    var values: [Value]
    var selected = 0
    /// Rows the last frame took.
    private var rows = 0

    init(_ interaction: Interaction, in environment: TerminalEnvironment) {
        self.interaction = interaction
        self.environment = environment
        values = interaction.controls.map(\.start)
    }

    /// Runs until Enter (the values) or leaving (nil). An interrupt of a slow
    /// f ends the statement as any interrupt does; the last frame stays.
    func run(_ keys: RawTerminal) throws(KLSError) -> [Value]? {
        defer { keys.restore() }
        try draw()
        while true {
            let key = keys.key()
            switch key {
            case .leave, .escape, .character("q"):
                if key == .leave {
                    // Ctrl-C while waiting for a key: leaving is all it asks.
                    Cancellation.reset()
                    _ = kls_take_interrupt()
                }
                return nil
            case .enter:
                return values
            default:
                apply(key)
            }
            // A burst of keys (one held down) is drawn once.
            if !keys.hasInput() { try draw() }
        }
    }

    private func apply(_ key: RawTerminal.Key) {
        let count = interaction.controls.count
        let control = interaction.controls[selected]
        switch key {
        case .tab, .down, .character("j"): selected = (selected + 1) % count
        case .backTab, .up, .character("k"): selected = (selected + count - 1) % count
        case .right, .character("l"), .character("+"): values[selected] = control.moved(values[selected], by: 1)
        case .left, .character("h"), .character("-"): values[selected] = control.moved(values[selected], by: -1)
        case .pageUp, .shiftRight: values[selected] = control.moved(values[selected], by: 10)
        case .pageDown, .shiftLeft: values[selected] = control.moved(values[selected], by: -10)
        case .home: values[selected] = control.moved(values[selected], by: Int.min / 4)
        case .end: values[selected] = control.moved(values[selected], by: Int.max / 4)
        case .character(" "):
            if case .toggle = control.kind { values[selected] = control.moved(values[selected], by: 1) }
        default: break
        }
    }

    /// f's output at the current values under the controls, over the last frame.
    private func draw() throws(KLSError) {
        var body: [String]
        do {
            body = try environment.capturing { () throws(KLSError) in try interaction.show(values) }
        } catch  where error.kind != .interrupted {
            body = [environment.console.styled("error:", .red) + " " + error.message]
        }
        var lines = header() + body
        let height = (Console.terminalHeight(1) ?? 24) - 1
        if lines.count > height { lines = Array(lines.prefix(Swift.max(1, height))) }
        let text = lines.joined(separator: "\n")
        environment.console.replace(rows: rows, with: text)
        rows = Console.rows(of: text, columns: environment.displayWidth)
    }

    /// One line per control (the chosen one marked), then the keys.
    private func header() -> [String] {
        let console = environment.console
        let nameWidth = interaction.controls.map(\.name.count).max() ?? 1
        var lines: [String] = []
        for (i, control) in interaction.controls.enumerated() {
            let name = control.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            let line = "\(name)  \(gauge(control, values[i]))"
            lines.append(i == selected ? console.styled("▸ " + line, .bold) : "  " + line)
        }
        let keys = "  Tab/↑↓ choose · ←/→ change (PgUp/PgDn ×10) · Enter keeps as variables · Esc leaves"
        lines.append(console.styled(keys, .dim))
        return lines
    }

    /// A slider as a bar with its value, a choice as its options, a toggle as [x].
    private func gauge(_ control: Control, _ value: Value) -> String {
        let formatter = Formatter.plotNumber
        switch (control.kind, value) {
        case (.slider(let low, let high, _), .number(let v)):
            let width = 24
            let at = Checked.clamped(((v - low) / (high - low) * Double(width - 1)).rounded(), to: 0...(width - 1))
            let bar = (0..<width).map { $0 == at ? "●" : "─" }.joined()
            return "\(formatter(low)) ├\(bar)┤ \(formatter(high))   \(formatter(v))"
        case (.choice(let options), .string(let s)):
            return options.map { $0 == s.description ? "[\($0)]" : " \($0) " }.joined(separator: " ")
        case (.toggle, .bool(let b)):
            return b ? "[x] true" : "[ ] false"
        default:
            return ""
        }
    }
}
