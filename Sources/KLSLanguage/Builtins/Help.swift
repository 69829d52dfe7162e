import Foundation
import KLSDiagnostics
import KLSTensor

/// The help texts, all generated from the builtin registry.
public enum Help {
    /// Help for a value (a function) or a name given as a string; `none` gives
    /// the overview.
    public static func text(for target: Value) throws(KLSError) -> String {
        switch target {
        case .none:
            return overview()
        case .string(let name):
            return try text(named: name.string)
        case .function(let f):
            switch f.body {
            case .builtin(let b): return b.help
            case .user(let u): return "\(u.name ?? "lambda")(\(u.parameterList))\n  a function defined in this session"
            }
        default:
            throw KLSError("help: give a function or its name as a string, e.g. help(\"exp\")")
        }
    }

    /// Help for a builtin by name.
    /// Help for a topic (`estimators`, `k3`, `shapes`, …), a builtin, or both
    /// when they share a name (`joint`), or a constant.
    public static func text(named name: String) throws(KLSError) -> String {
        let builtin = BuiltinRegistry.builtin(name)
        if let topic = HelpTopics.named(name) {
            let page = topic.title + "\n\n" + topic.text
            return builtin.map { page + "\n\n" + $0.help } ?? page
        }
        if let builtin { return builtin.help }
        if let c = BuiltinRegistry.constants.first(where: { $0.name == name }) { return "\(c.name)\n  \(c.summary)" }
        throw KLSError(
            "no help for '\(name)'", hint: Suggestions.hint(for: name, among: BuiltinRegistry.names + HelpTopics.names))
    }

    /// Every builtin by theme, one line each.
    public static func overview() -> String {
        var lines: [String] = ["Builtins (help(\"name\") for details and an example):"]
        for theme in Theme.allCases {
            let members = BuiltinRegistry.all.filter { $0.theme == theme }
            guard !members.isEmpty else { continue }
            lines.append("")
            lines.append("\(theme.rawValue):")
            let width = members.map(\.signature.count).max() ?? 0
            for b in members {
                lines.append(
                    "  " + b.signature.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + b.summary)
            }
        }
        lines.append("")
        lines.append("Constants: " + BuiltinRegistry.constants.map(\.name).joined(separator: ", "))
        lines.append(
            "Topics (help(\"name\"), or ?name in the REPL): " + HelpTopics.all.map(\.names[0]).joined(separator: ", "))
        return lines.joined(separator: "\n")
    }
}
