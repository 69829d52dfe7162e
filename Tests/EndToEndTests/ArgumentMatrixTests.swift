import Foundation
import KLSLanguage
import Testing

/// Every builtin, every parameter, called with each awkward value of a catalogue
/// must end in a value or a clear `FILE:LINE:COL: error:` — never a signal, a
/// sanitizer report or a hang. Driven by the builtin registry, so a new builtin
/// is covered without touching this file.
///
/// One kls process per builtin reads all of its calls on stdin (the plain line
/// runner reports each error and goes on), under a small memory limit.
@Suite struct ArgumentMatrixTests {
    /// Values that have broken numerical code before: non-finite, negative, huge,
    /// empty, the wrong kind.
    static let awkwardValues = [
        "0/0", "1/0", "-1/0", "-1", "0", "-0", "1e300", "2^53 + 1", "1e18", "\"s\"", "none", "[]", "zeros([0])",
        "zeros([3, 0])", "[1, [2, 3]]", "Normal(0, 1)", "x -> x", "[[1, 2], [3, 4]]", "true",
    ]

    /// A plausible value for each parameter name, so that the other arguments of
    /// a call get past their own checks and the awkward one is reached.
    static let plausible: [String: String] = [
        "q": "Normal(0, 1)", "p": "Normal(1, 2)", "dist": "Normal(0, 1)", "components": "[Normal(0, 1), Normal(1, 1)]",
        "weights": "[1, 2]", "f": "x -> x", "cov": "[[1, 0.5], [0.5, 2]]", "mean": "[0, 0]", "probs": "[1, 2]",
        "n": "10", "shape": "[2, 2]", "estimator": "\"k3\"", "file": "none", "title": "\"t\"", "msg": "\"m\"",
        "name": "\"x\"", "condition": "[1, 0]", "tensors": "[[1, 2], [3, 4]]", "xs": "[1, 2]", "value": "1",
        "samples": "none", "seed": "1", "axis": "none", "axes": "none", "k": "1", "d": "2", "bins": "5",
    ]

    static var builtins: [Builtin] { BuiltinRegistry.all }

    /// `name(a=…, b=…)` with `target` set to `value` (positional for a variadic).
    static func call(_ builtin: Builtin, target: Parameter, value: String) -> String {
        var arguments: [String] = []
        for parameter in builtin.parameters {
            if parameter.name == target.name {
                arguments.append(parameter.isVariadic ? value : "\(parameter.name)=\(value)")
            } else if parameter.defaultValue == nil {
                arguments.append("\(parameter.name)=\(plausible[parameter.name] ?? "[0.5, 2]")")
            }
        }
        if target.isVariadic, let first = arguments.firstIndex(of: value), first > 0 {
            arguments.insert(arguments.remove(at: first), at: arguments.count)
        }
        return "\(builtin.name)(\(arguments.joined(separator: ", ")))"
    }

    /// The calls really reach each parameter with each value.
    @Test func callsSetTheTargetParameter() throws {
        let builtin = try #require(BuiltinRegistry.builtin("kl_mc"))
        let n = try #require(builtin.parameters.first { $0.name == "n" })
        #expect(
            ArgumentMatrixTests.call(builtin, target: n, value: "0/0") == "kl_mc(q=Normal(0, 1), p=Normal(1, 2), n=0/0)"
        )
    }

    @Test(arguments: ArgumentMatrixTests.builtins.map(\.name))
    func awkwardArguments(_ name: String) throws {
        let builtin = try #require(BuiltinRegistry.builtin(name))
        var lines: [String] = []
        for parameter in builtin.parameters {
            for value in ArgumentMatrixTests.awkwardValues {
                lines.append(ArgumentMatrixTests.call(builtin, target: parameter, value: value))
            }
        }
        if builtin.parameters.isEmpty { lines.append("\(name)()") }
        let result = try KLSProcess.run(
            [], stdin: lines.joined(separator: "\n") + "\n",
            environment: ["KLS_MAX_MEMORY": "64M", "COLUMNS": "60"], timeout: 120)
        #expect(!result.timedOut, "\(name): no answer within 120 s; stderr ends: \(result.stderr.suffix(400))")
        #expect(!result.signaled, "\(name): kls died of a signal; stderr ends: \(result.stderr.suffix(800))")
        #expect(result.status == 0 || result.status == 1, "\(name): exit status \(result.status)")
        #expect(!result.stderr.contains("AddressSanitizer"), "\(name): \(result.stderr.prefix(2000))")
        for line in result.stderr.split(separator: "\n") where line.contains("error:") {
            #expect(line.hasPrefix("<stdin>:"), "\(name): an error without a location: \(line)")
        }
    }
}
