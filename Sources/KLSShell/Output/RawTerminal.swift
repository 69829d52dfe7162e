import Foundation

/// Standard input as single keys (no echo, no line buffering) while an
/// `interact` runs in the REPL; the terminal's settings come back on `restore`.
/// Signals stay on, so Ctrl-C still interrupts a slow computation.
final class RawTerminal {
    /// A key, as the explorer reads it.
    enum Key: Equatable {
        case up, down, left, right, tab, backTab, enter, escape, home, end, pageUp, pageDown
        case shiftLeft, shiftRight
        case character(Character)
        /// Ctrl-C (the read was interrupted), Ctrl-D or the end of input.
        case leave
    }

    private var saved = termios()
    private var restored = false

    /// Raw keys on standard input, or nil when it is not a terminal.
    init?() {
        guard isatty(0) == 1, tcgetattr(0, &saved) == 0 else { return nil }
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(0, TCSANOW, &raw) == 0 else { return nil }
    }

    /// The terminal as it was.
    func restore() {
        guard !restored else { return }
        restored = true
        _ = tcsetattr(0, TCSANOW, &saved)
    }

    deinit { restore() }

    /// Whether a key is waiting (so a burst of keys redraws once).
    func hasInput(within milliseconds: Int32 = 0) -> Bool {
        var descriptor = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, milliseconds) > 0
    }

    private func byte() -> UInt8? {
        var b: UInt8 = 0
        return read(0, &b, 1) == 1 ? b : nil
    }

    /// The next key; `.leave` on Ctrl-C (a signal interrupts the read), Ctrl-D
    /// or the end of input. A lone Esc is told from a sequence by a 40 ms wait.
    func key() -> Key {
        guard let first = byte() else { return .leave }
        switch first {
        case 3, 4: return .leave
        case 9: return .tab
        case 10, 13: return .enter
        case 27: break
        default:
            return .character(Character(Unicode.Scalar(first)))
        }
        guard hasInput(within: 40), let introducer = byte() else { return .escape }
        guard introducer == UInt8(ascii: "[") || introducer == UInt8(ascii: "O") else { return .escape }
        var parameters = ""
        while let b = byte() {
            if (0x40...0x7E).contains(b) { return RawTerminal.decode(parameters, final: Character(Unicode.Scalar(b))) }
            parameters.append(Character(Unicode.Scalar(b)))
            if parameters.count > 8 { break }
        }
        return .escape
    }

    /// CSI and SS3 sequences: arrows (with Shift as `1;2`), Home/End, PageUp/PageDown, Shift-Tab.
    static func decode(_ parameters: String, final: Character) -> Key {
        let shifted = parameters.hasSuffix(";2")
        switch final {
        case "A": return .up
        case "B": return .down
        case "C": return shifted ? .shiftRight : .right
        case "D": return shifted ? .shiftLeft : .left
        case "H": return .home
        case "F": return .end
        case "Z": return .backTab
        case "~":
            switch parameters {
            case "1", "7": return .home
            case "4", "8": return .end
            case "5": return .pageUp
            case "6": return .pageDown
            default: return .escape
            }
        default: return .escape
        }
    }
}
