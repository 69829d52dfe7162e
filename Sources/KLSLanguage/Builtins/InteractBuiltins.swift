import KLSDiagnostics

/// `interact`: a function of named parameters explored with sliders (language.md §7).
enum InteractBuiltins {
    static let all: [Builtin] = [
        Builtin(
            "interact",
            [
                .required("f").meaning("a function of named parameters; what it returns or draws is shown"),
                .keywords("controls").meaning(
                    "name=(low, high) a slider (name=(low, high, step, start) in full), name=[\"a\", \"b\"] a "
                        + "choice, name=true a toggle"),
            ],
            theme: .plots,
            summary: "Shows f(…) and lets controls change its parameters: keys in the REPL, sliders in a notebook.",
            example: "interact((mu, sigma) -> kl(Normal(mu, sigma), Normal(0, 1)), mu=(-3, 3), sigma=(0.1, 3, 0.1))",
            details: [
                "Each control is one of f's parameters, as ipywidgets' interact takes them: (low, high) is a",
                "slider starting in the middle, on a round step (1, 2 or 5 × 10ᵏ, 40 to 100 positions); (low,",
                "high, step) sets the step and (low, high, step, start) the start; [\"a\", \"b\"] chooses among",
                "strings; true/false is a toggle. f's other parameters keep their defaults.",
                "In the REPL on a terminal the output is redrawn in place as keys change the values: Tab or",
                "↑/↓ chooses a control, ←/→ moves it a step (PageUp/PageDown ten, Home/End to the ends), Enter",
                "keeps the values as variables (mu = …) and leaves, Esc, q or Ctrl-C leaves. In a notebook the",
                "controls are sliders and the output below them redraws as they move. A script, a pipe or",
                "--check shows the output at the starting values, so lessons stay testable.",
            ]
        ) { a, session throws(KLSError) in
            try interact(a, session)
        }
    ]

    static func interact(_ a: Arguments, _ session: Interpreter) throws(KLSError) -> Value {
        guard case .function(let f) = a["f"] else {
            throw KLSError("interact: f must be a function, got a \(a["f"].typeName)")
        }
        guard case .record(let given) = a["controls"], !given.names.isEmpty else {
            throw KLSError(
                "interact: give at least one control, e.g. interact(f, mu=(-3, 3))",
                hint: "each control names a parameter of f: name=(low, high), name=[\"a\", \"b\"] or name=true")
        }
        var controls: [Control] = []
        for (name, value) in zip(given.names, given.values) { controls.append(try Control(name: name, from: value)) }
        if let user = f.user {
            for control in controls where !user.parameters.contains(control.name) {
                throw KLSError(
                    "interact: \(f.name ?? "f") has no parameter '\(control.name)' (it takes \(user.parameterList))",
                    hint: Suggestions.hint(for: control.name, among: user.parameters))
            }
            for (i, parameter) in user.parameters.enumerated()
            where user.defaults[i] == nil && !controls.contains(where: { $0.name == parameter }) {
                throw KLSError(
                    "interact: \(f.name ?? "f")'s parameter '\(parameter)' has no control and no default",
                    hint: "add \(parameter)=(low, high), or give it a default in f")
            }
        }
        let names = controls.map(\.name)
        let interaction = Interaction(label: f.name ?? "f", controls: controls) { values throws(KLSError) in
            // Each picture is its own: its warnings are shown again.
            session.warningFilter = WarningFilter()
            let result = try session.call(f, [], keywords: Array(zip(names, values))).settled()
            if case .none = result { return }
            session.environment.output(session.formatter.format(result))
        }
        guard let kept = try session.environment.interact(interaction) else { return .none }
        var shown: [String] = []
        for (control, value) in zip(controls, kept) {
            try session.globals.set(control.name, value)
            shown.append("\(control.name) = \(session.formatter.format(value))")
        }
        session.environment.output(shown.joined(separator: ", ") + " (kept as variables)")
        return .none
    }
}
