import Foundation
import KLSLanguage
import Testing

@testable import KLSShell

/// The REPL loop driven by a scripted editor: prompts, continuation, commands.
@Suite struct REPLTests {
    final class Run {
        let capture = Capture()
        let editor: ScriptedEditor
        let history: History
        let repl: REPL
        let status: Int32

        init(_ lines: [String?], historyPath: String? = nil) {
            editor = ScriptedEditor(lines)
            history = History(path: historyPath) { _ in }
            repl = REPL(shell: ShellSession(seed: 7, console: capture.console), editor: editor, history: history)
            status = repl.run(showBanner: false)
        }
    }

    @Test func promptsAndContinuation() {
        let run = Run(["x = [1,", "2]", "sum(x)"])
        #expect(run.editor.prompts == ["kls> ", "...> ", "kls> ", "kls> "])
        #expect(run.capture.out == "3\n")
        #expect(run.status == 0)
        #expect(run.editor.remembered == ["x = [1,\n2]", "sum(x)"])
    }

    @Test func aWrongStatementIsReportedAtOnce() {
        let run = Run(["x = 1 2", "x = 3", "x"])
        #expect(run.capture.err.hasPrefix("error: unexpected number 2 after the end of a statement"))
        #expect(run.capture.out == "3\n")
    }

    @Test func interruptAtThePromptDropsTheLine() {
        let run = Run(["y = (1 +", nil, "y = 4", "y"])
        #expect(run.capture.out == "4\n")
        #expect(run.editor.prompts == ["kls> ", "...> ", "kls> ", "kls> ", "kls> "])
    }

    /// Every command checks its argument; none traps (`:history -1` once did,
    /// and the line was already in the history file).
    @Test func commandArgumentsAreValidated() {
        let run = Run([":history -1", ":history x", ":quit now", ":vars x", ":load", ":seed -3", ":precision 99", "1"])
        #expect(run.capture.err.contains("usage: :history [N] (N a whole number ≥ 0)"))
        #expect(run.capture.err.contains("usage: :quit (it takes no argument)"))
        #expect(run.capture.err.contains("usage: :vars (it takes no argument)"))
        #expect(run.capture.err.contains("usage: :load FILE"))
        #expect(run.capture.err.contains("usage: :seed N"))
        #expect(run.capture.out == "1\n")
    }

    /// Every declared command is wired: none is "unknown", whatever it is given.
    @Test(arguments: Commands.all.map(\.name).filter { $0 != "quit" })
    func everyDeclaredCommandRuns(_ name: String) {
        let command = Commands.named(name)
        // A path that cannot be written or read: no command leaves a file behind.
        let argument = command?.argument == Commands.ArgumentKind.none ? "" : " /nonexistent-kls-dir/1"
        let run = Run([":\(name)\(argument)", "2"])
        #expect(!run.capture.err.contains("unknown command"), "\(run.capture.err)")
        #expect(run.capture.out.hasSuffix("2\n"))
    }

    @Test func saveDoesNotOverwriteWithoutBang() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kls-save-\(UUID().uuidString).kls")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: path))
        let refused = Run(["x = 1", ":save \(path)"])
        #expect(refused.capture.err.contains("already exists; :save! \(path) replaces it"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me\n")
        _ = Run(["x = 2", ":save! \(path)"])
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("x = 2"))
    }

    @Test func commands() {
        let run = Run([
            ":seed 3", "a = randn(2)", ":precision 3", "1/3", ":vars", ":help logsumexp", "?exp", ":lod x", ":reset",
            "a", ":quit", "never",
        ])
        #expect(run.capture.out.contains("0.333\n"))
        #expect(run.capture.out.contains("name  kind    shape  value"))
        #expect(run.capture.out.contains("logsumexp(x, axis=none, keepdims=false)"))
        #expect(run.capture.out.contains("exp(x)\n  e to the power x."))
        #expect(run.capture.err.contains("unknown command :lod (did you mean :load?)"))
        #expect(run.capture.err.contains("unknown name 'a'"))
        #expect(run.editor.prompts.count == 11)
    }

    @Test func saveWritesAReplayableScript() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kls-save-\(UUID().uuidString).kls")
            .path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let run = Run(["x = randn(3)", "bad + 1", "y = x * 2; z = undefined_thing", "y", ":save \(file)"])
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains("seed(7)\nx = randn(3)\ny = x * 2;\ny\n"))
        #expect(!text.contains("bad"))
        let replay = Capture()
        _ = ScriptRunner(session: ShellSession(seed: 99, console: replay.console)).run(source: text, file: file)
        #expect(
            replay.out == run.capture.out.components(separatedBy: "\n").filter { $0.hasPrefix("[") }.joined(
                separator: "\n") + "\n")
    }

    @Test func timeReportsSamplesPerSecond() {
        let run = Run([":time kl_mc(Normal(0, 1), Normal(1, 1), n=10000, seed=1)"])
        #expect(run.capture.out.contains("time: "))
        #expect(run.capture.out.contains("samples/s)"))
    }

    @Test func historyIsSavedDeduplicatedAndReloaded() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kls-history-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: file) }
        _ = Run(["a = 1", "a = 1", "f(x) = {", "  x + 1", "}", ":history"], historyPath: file)
        let second = Run([":history 3"], historyPath: file)
        #expect(second.history.entries == ["a = 1", "f(x) = {\n  x + 1\n}", ":history", ":history 3"])
        #expect(second.capture.out.contains("f(x) = {\n         x + 1\n       }"))
    }

    @Test func anUnwritableHistoryIsAWarningOnly() {
        var warnings: [String] = []
        let history = History(path: "/proc/no-such-dir/history") { warnings.append($0) }
        history.add("1")
        history.add("2")
        #expect(warnings.count == 1)
        #expect(warnings[0].hasPrefix("cannot write the history file"))
    }
}

@Suite struct CompleterTests {
    let session: Interpreter = {
        let s = Interpreter(seed: 1, environment: CapturedEnvironment())
        _ = try? s.run("my_value = 3\nq = Normal(0, 1)\ne = kl_mc(q, Normal(1, 1), n=10, seed=1)")
        return s
    }()

    func complete(_ word: String, _ line: String? = nil) -> [String] {
        Completer(session: session).complete(word: word, line: line ?? word).matches
    }

    @Test func parameterNamesInsideACall() {
        #expect(complete("est", "kl_mc(q, p, est") == ["estimator=", "estimate"])
        #expect(complete("n", "kl_mc(q, p, n").contains("n="))
        #expect(complete("opt", "r = minimize(f, x0, steps=10, opt") == ["optimizer="])
        // Outside the call, or in a nested bracket, names only.
        #expect(complete("est", "kl_mc(q, p); est") == ["estimate"])
        #expect(!complete("n", "kl_mc(q, [n").contains("n="))
    }

    @Test func valuesAParameterTakes() {
        #expect(complete("k", "kl_mc(q, p, estimator=\"k") == ["k1", "k2", "k3"])
        #expect(complete("", "kl_mc(q, p, estimator=\"") == ["k1", "k2", "k3", "cv", "analytic"])
        #expect(complete("s", "minimize(f, 0, optimizer=\"s") == ["sgd"])
        #expect(Completer(session: session).complete(word: "s", line: "minimize(f, 0, optimizer=\"s").append == "\"")
    }

    @Test func namesBuiltinsAndKeywords() {
        #expect(complete("my_") == ["my_value"])
        #expect(complete("logsum") == ["logsumexp"])
        #expect(complete("fo") == ["for", "format"])
        #expect(complete("x/my_") == ["x/my_value"])
        #expect(Completer(session: session).complete(word: "logsum", line: "logsum").append == "(")
    }

    @Test func membersAfterADot() {
        #expect(complete("q.me") == ["q.mean"])
        #expect(complete("e.std") == ["e.stderr"])
        #expect(complete("q.batch").contains("q.batch_shape"))
    }

    @Test func commandsAndHelp() {
        #expect(complete(":lo") == [":load"])
        #expect(complete(":h") == [":help", ":history"])
        #expect(complete("?logsum") == ["?logsumexp"])
    }

    @Test func pathsInStringsAndAfterLoad() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kls-complete-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data().write(to: folder.appendingPathComponent("lesson.kls"))
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("lessons"), withIntermediateDirectories: true)
        let prefix = folder.path + "/less"
        #expect(complete(prefix, ":load " + prefix) == [prefix + "on.kls", prefix + "ons/"])
        #expect(complete(prefix, "x = load(\"" + prefix) == [prefix + "on.kls", prefix + "ons/"])
        #expect(complete(prefix, "x = " + prefix).isEmpty)
        #expect(Completer.commonPrefix(["lesson.kls", "lessons/"]) == "lesson")
    }
}
