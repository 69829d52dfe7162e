import Dispatch
import KLSDiagnostics
import KLSTensor

/// Printing, checking, higher-order functions and help (language.md §4, "Misc").
enum CoreBuiltins {
    static let all: [Builtin] = [
        Builtin(
            "print",
            [.variadic("values").meaning("the values to show, separated by spaces"), .optional("full", .bool(false))],
            theme: .misc,
            summary: "Prints the values separated by spaces (strings without quotes); full=true shows every element.",
            example: "print(\"mean:\", mean([1, 2]))"
        ) { a, session throws(KLSError) in
            let formatter = try displayFormatter(a, session)
            session.environment.output(a.rest("values").map(formatter.plain).joined(separator: " "))
            return .none
        },
        Builtin(
            "str", [.required("x").meaning("any value"), .optional("full", .bool(false))], theme: .misc,
            summary: "The value as it would display, as a string; full=true keeps every element.",
            example: "\"n = \" + str(3)"
        ) { a, session throws(KLSError) in
            .string(try Text(try displayFormatter(a, session).plain(a["x"])))
        },
        Builtin(
            "format",
            [
                .required("x").meaning("any value"),
                .optional("digits", .number(6)).meaning("significant digits for numbers, 1 to 17"),
                .optional("full", .bool(false)),
            ],
            theme: .misc, summary: "The value as a string with `digits` significant digits (1 to 17).",
            example: "format(pi, digits=12)"
        ) { a, session throws(KLSError) in
            var formatter = try displayFormatter(a, session)
            formatter.precision = try significantDigits(a, "digits")
            return .string(try Text(formatter.plain(a["x"])))
        },
        Builtin(
            "precision",
            [
                .optional("digits").meaning(
                    "significant digits shown from now on, 1 to 17; none: only report the current setting")
            ], theme: .misc,
            summary:
                "Shows numbers with `digits` significant digits from now on (1 to 17); precision() tells the current.",
            example: "precision(10); pi",
            details: ["Works in scripts and pipes as in the REPL (:precision N); `kls --precision N` sets the start."]
        ) { a, session throws(KLSError) in
            if a.isNone("digits") { return .number(Double(session.formatter.precision)) }
            session.formatter.precision = try significantDigits(a, "digits")
            return .none
        },
        Builtin(
            "warnings",
            [
                .optional("mode", .none, choices: WarningMode.allCases.map(\.rawValue)).meaning(
                    "what warnings do from now on; none: only report the current mode")
            ], theme: .misc,
            summary: "What warnings do from now on: shown once per call site and statement (default), always, "
                + "as errors, or not at all.",
            example: "warnings(\"always\"); warnings()",
            details: [
                "default: a warning repeated by the same call within one statement (kl_mc in a loop, each step of",
                "minimize) is shown once, and the statement ends with \"… and 1,999 more like it\", as Python's",
                "warnings module shows a warning once per location. always: every time. error: a warning stops",
                "the statement as an error at the call (a note that Ctrl-C stopped minimize or fit early does",
                "not). ignore: none shown. Results keep their diagnostic fields (pareto_k, mean_r) whatever the",
                "mode. warnings() returns the current mode; :reset returns to default.",
            ]
        ) { a, session throws(KLSError) in
            if a.isNone("mode") { return .string(Text(small: session.warningMode.rawValue)) }
            let name = try a.string("mode")
            guard let mode = WarningMode(rawValue: name) else {
                throw KLSError(
                    "warnings: mode must be \"default\", \"always\", \"error\" or \"ignore\", got \"\(name)\"",
                    hint: Suggestions.hint(for: name, among: WarningMode.allCases.map(\.rawValue)))
            }
            session.warningMode = mode
            return .none
        },
        Builtin(
            "record", [.keywords("fields").meaning("name=value pairs, in order")], theme: .misc,
            summary: "A record of the named fields, in order; read them as r.name.",
            example: "r = record(mu=0, sigma=1); r.sigma"
        ) { a, _ throws(KLSError) in
            guard case .record(let fields) = a["fields"] else { return .record(Record([])) }
            return .record(Record(Array(zip(fields.names, fields.values))))
        },
        Builtin(
            "type", [.required("x").meaning("any value")], theme: .misc,
            summary: "The kind of a value: number, tensor, list, …", example: "type([1, 2])"
        ) { a, _ throws(KLSError) in
            .string(Text(small: a["x"].typeName))
        },
        Builtin(
            "assert",
            [
                .required("condition").meaning("a value that must be true (or non-zero everywhere)"),
                .optional("msg", .string("")).meaning("the message of the error raised otherwise"),
            ], theme: .misc,
            summary: "Fails with msg unless condition is true.", example: "assert(1 + 1 == 2, \"arithmetic\")"
        ) { a, _ throws(KLSError) in
            let ok = try a.read("condition") { v, what throws(KLSError) in try v.asBool(what) }
            if !ok {
                let message = try a.string("msg")
                throw KLSError(message.isEmpty ? "assertion failed" : "assertion failed: \(message)")
            }
            return .none
        },
        Builtin(
            "assert_close",
            [
                .required("a").meaning("the value computed"),
                .required("b").meaning("the value expected, broadcast against a"), .optional("rtol", .number(1e-9)),
                .optional("atol", .number(0)),
            ],
            theme: .misc, summary: "Fails unless |a − b| ≤ atol + rtol·|b| everywhere, naming the worst element.",
            example: "assert_close(exp(log(2)), 2)"
        ) { a, session throws(KLSError) in
            try assertClose(
                try a.tensor("a"), try a.tensor("b"), rtol: try a.number("rtol"), atol: try a.number("atol"),
                session.formatter)
            return .none
        },
        Builtin(
            "map",
            [
                .required("f").meaning("a function of one argument"),
                .required("xs").meaning("a list, or a tensor (mapped along its first axis)"),
            ], theme: .misc,
            summary: "f applied to each item of a list or each row of a tensor; a tensor when the results stack.",
            example: "map(x -> x^2, [1, 2, 3])"
        ) { a, session throws(KLSError) in
            guard case .function(let f) = a["f"] else {
                throw KLSError("map: f must be a function, got \(a["f"].typeName)")
            }
            var results: [Value] = []
            for item in try items(a, "xs") {
                try Cancellation.check()
                // A list holds computed values (see `Value.deferred`).
                results.append(try session.call(f, [item]).settled())
            }
            if results.isEmpty { return .list([]) }
            if let stacked = try Value.stackIfNumeric(results, raggedIsList: true) { return .tensor(stacked) }
            return .list(try List(results))
        },
        Builtin(
            "clock", [], theme: .misc,
            summary: "Seconds on a monotonic clock, for timing: t = clock(); …; clock() - t.",
            example: "t = clock(); sum(randn(1e6)); clock() - t"
        ) { _, session throws(KLSError) in
            .number(Double(session.environment.monotonicNanoseconds()) * 1e-9)
        },
        Builtin(
            "allocations", [], theme: .misc,
            summary: "Tensor buffers allocated so far (to see which expressions reuse temporaries).",
            example: "a = allocations(); y = exp(randn(1e6)) * 2 + 1; allocations() - a"
        ) { _, _ throws(KLSError) in
            .number(Double(TensorStorage.allocationCount))
        },
        Builtin(
            "help",
            [
                .optional("name").meaning(
                    "a function or a name as a string (\"kl_mc\", \"estimators\"); none: everything")
            ], theme: .misc,
            summary: "Help for a builtin or function (help(exp) or help(\"exp\")); no argument lists everything.",
            example: "help(\"logsumexp\")"
        ) { a, session throws(KLSError) in
            session.environment.output(
                TextWrap.wrap(try Help.text(for: a["name"]), width: session.environment.displayWidth))
            return .none
        },
    ]

    /// Items of a list, or rows of a tensor.
    static func items(_ a: Arguments, _ name: String) throws(KLSError) -> [Value] {
        switch a[name] {
        case .list(let list): return list.items
        case .tensor(let t) where t.rank >= 1:
            return try Value.rows(of: t).map(Value.from)
        case let v:
            throw KLSError("\(a.function): \(name) must be a list or tensor, got \(v.typeName)")
        }
    }

    /// NumPy's `isclose` semantics: inf equals inf of the same sign, nan is never close.
    static func assertClose(_ x: Tensor, _ y: Tensor, rtol: Double, atol: Double, _ formatter: Formatter)
        throws(KLSError)
    {
        let shape = try Shape.broadcast(x.shape, y.shape)
        let a = try x.broadcast(to: shape)
        let b = try y.broadcast(to: shape)
        var failures = 0
        var worst: (index: Int, excess: Double)? = nil
        for i in 0..<a.count {
            let p = a[flat: i]
            let q = b[flat: i]
            if p == q { continue }
            // Equal infinities returned above; an infinity against anything else
            // (where rtol·|inf| would make any gap "close") and nan never are close.
            let difference = Swift.abs(p - q)
            let tolerance = atol + rtol * Swift.abs(q)
            if p.isFinite && q.isFinite && difference <= tolerance { continue }
            failures += 1
            let excess = difference.isFinite && tolerance.isFinite ? difference - tolerance : .infinity
            if excess > (worst?.excess ?? -.infinity) { worst = (i, excess) }
        }
        guard let worst else { return }
        let location = shape.isEmpty ? "" : " at index \(Shape.describe(Shape.unravel(worst.index, shape)))"
        let p = a[flat: worst.index]
        let q = b[flat: worst.index]
        let values = "a = \(Formatter.number(p, precision: 10)), b = \(Formatter.number(q, precision: 10))"
        let gap = Messages.assertCloseGap(p, q, tolerance: atol + rtol * Swift.abs(q))
        let count = a.count == 1 ? "" : " (\(failures) of \(a.count) elements differ)"
        throw KLSError("assert_close failed\(location): \(values), \(gap)\(count)")
    }

    /// The session's formatter, with summaries off when `full=true`.
    private static func displayFormatter(_ a: Arguments, _ session: Interpreter) throws(KLSError) -> Formatter {
        var formatter = session.formatter
        if try a.bool("full") { formatter.threshold = Int.max }
        return formatter
    }

    private static func significantDigits(_ a: Arguments, _ name: String) throws(KLSError) -> Int {
        try a.read(name) { v, what throws(KLSError) in
            let digits = try v.asInteger(what, atLeast: 1)
            guard digits <= 17 else {
                throw KLSError("\(what) must be from 1 to 17 (a double has 17 significant digits), got \(digits)")
            }
            return digits
        }
    }
}
