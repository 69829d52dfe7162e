import Foundation
import KLSDiagnostics
import KLSTensor
import Testing

@testable import KLSLanguage

@Suite struct BuiltinRegistryTests {
    /// Every builtin of docs/language.md §4 exists.
    @Test(arguments: [
        "zeros", "ones", "full", "linspace", "arange", "eye", "reshape", "transpose", "concat", "stack", "shape",
        "size", "len",
        "exp", "log", "log1p", "expm1", "sqrt", "abs", "square", "sin", "cos", "tanh", "sigmoid", "softplus", "lgamma",
        "digamma", "erf", "floor", "round", "sign", "clip", "pow", "maximum", "minimum", "where", "isnan", "isfinite",
        "sum", "mean", "var", "std", "min", "max", "prod", "logsumexp", "argmin", "argmax", "all", "any", "cumsum",
        "cummean",
        "dot", "seed", "randn", "rand", "print", "str", "assert", "assert_close", "map", "help",
    ])
    func languageBuiltinIsRegistered(_ name: String) {
        #expect(BuiltinRegistry.builtin(name) != nil)
    }

    /// The language reference names every builtin with its signature, so a new
    /// builtin cannot go undocumented.
    @Test(arguments: BuiltinRegistry.all.map(\.name))
    func builtinIsDocumented(_ name: String) throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/language.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let builtin = try #require(BuiltinRegistry.builtin(name))
        #expect(text.contains(builtin.signature), "docs/language.md does not show \(builtin.signature)")
    }

    /// Each builtin's help example runs as written.
    @Test(arguments: BuiltinRegistry.all.map(\.name))
    func exampleRuns(_ name: String) throws {
        let builtin = try #require(BuiltinRegistry.builtin(name))
        #expect(!builtin.summary.isEmpty)
        #expect(builtin.example.contains(name))
        #expect(failure(builtin.example) == nil, "\(builtin.example) fails: \(failure(builtin.example)?.message ?? "")")
    }

    /// Every parameter of every builtin is explained in its help, by its own
    /// meaning or its name's shared one; enumerated values are listed.
    @Test(arguments: BuiltinRegistry.all.map(\.name))
    func everyParameterIsExplained(_ name: String) throws {
        let builtin = try #require(BuiltinRegistry.builtin(name))
        for parameter in builtin.parameters {
            let explanation = try #require(parameter.explanation, "\(name): \(parameter.name) is not explained")
            #expect(builtin.help.contains(explanation), "\(name): \(parameter.name)")
            for choice in parameter.choices { #expect(explanation.contains("\"\(choice)\""), "\(name)") }
        }
    }

    @Test func reductionsTakeAxisAndKeepdims() throws {
        for name in ["sum", "mean", "var", "std", "min", "max", "prod", "logsumexp", "argmin", "argmax", "all", "any"] {
            let parameters = try #require(BuiltinRegistry.builtin(name)).parameters.map(\.name)
            #expect(parameters.contains("axis") && parameters.contains("keepdims"), "\(name)")
        }
    }

    @Test func helpNamesTheSignature() throws {
        let text = try Help.text(named: "logsumexp")
        #expect(text.hasPrefix("logsumexp(x, axis=none, keepdims=false)"))
        #expect(text.contains("example:"))
        #expect(Help.overview().contains("Reductions and scans:"))
        #expect(throws: KLSError.self) { try Help.text(named: "logsumexpp") }
    }

    @Test func suggestionsFindTypos() {
        #expect(Suggestions.nearest("sigmiod", among: BuiltinRegistry.names) == "sigmoid")
        #expect(Suggestions.nearest("lgama", among: BuiltinRegistry.names) == "lgamma")
        #expect(Suggestions.nearest("zzzzzz", among: BuiltinRegistry.names) == nil)
    }
}

/// The help topics: each name resolves, pages say what they teach, and a topic
/// sharing a builtin's name shows both.
@Suite struct HelpTopicTests {
    @Test func everyTopicNameResolvesToItsPage() throws {
        for topic in HelpTopics.all {
            for name in topic.names {
                #expect(try Help.text(named: name).hasPrefix(topic.title), "\(name)")
            }
        }
        #expect(Set(HelpTopics.names).count == HelpTopics.names.count, "a name belongs to two topics")
    }

    @Test func pagesTeachWhatTheirNamesPromise() throws {
        #expect(try Help.text(named: "k3").contains("k3 = (r − 1) − log r"))
        #expect(try Help.text(named: "joint").contains("joint(layers=...)"))
        #expect(Help.overview().contains("Topics (help(\"name\"), or ?name in the REPL): estimators"))
    }

    @Test func unknownNamesSuggestTopicsToo() {
        #expect(failure("help(\"estimatrs\")")?.hint?.contains("estimators") == true)
    }
}
