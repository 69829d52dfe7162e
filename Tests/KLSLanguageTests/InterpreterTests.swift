import KLSDiagnostics
import KLSTensor
import Testing

@testable import KLSLanguage

@Suite struct InterpreterTests {
    /// k3 with q much narrower than p warns at every seed.
    static let warned = "kl_mc(Normal(0, 0.3), Normal(0, 1), n=1000, seed=s, estimator=\"k3\")"

    @Test func aWarningRecurringAtOneCallSiteIsShownOnceAndSummarised() throws {
        let environment = CapturedEnvironment()
        let session = Interpreter(seed: 1, environment: environment)
        // Draws far from q: kl_mc says so (and what follows from it) at every call.
        try session.run(
            "z = 5 + randn(1000, seed=1)\nfor s in arange(2000) { kl_mc(Normal(0, 1), Normal(1, 1), samples=z) }")
        let first = environment.warnings
        #expect(first.count == 4)
        #expect(first.dropLast().allSatisfy { $0.hasPrefix("kl_mc: ") })
        #expect(first.last == "… and 5,997 more like them")
        try session.run("kl_mc(Normal(0, 1), Normal(1, 1), samples=z)\nkl_mc(Normal(0, 1), Normal(1, 1), samples=z)")
        // Each new statement shows its warnings again.
        #expect(Array(environment.warnings.dropFirst(4)) == Array(first.prefix(3) + first.prefix(3)))
        try session.run("for s in arange(3) { \(Self.warned) }")
        #expect(environment.warnings.last?.hasPrefix("… and ") == true)
        #expect(environment.warnings.last?.hasSuffix(" more like it") == true)
    }

    @Test func twoCallSitesInOneStatementEachShowTheirWarning() throws {
        let environment = CapturedEnvironment()
        let session = Interpreter(seed: 1, environment: environment)
        try session.run("for s in arange(3) { a = \(Self.warned); b = \(Self.warned) }")
        let shown = environment.warnings.filter { $0.hasPrefix("kl_mc: ") }
        let summaries = environment.warnings.filter { $0.hasPrefix("… and ") }
        #expect(shown.count == 2 * Set(shown).count)
        // Each site's repeats are counted on their own line, which names the call.
        #expect(summaries.count == 2)
        #expect(summaries[0].hasSuffix("from 1:26") && summaries[1].hasSuffix("from 1:99"))
    }

    @Test func warningsChoosesAlwaysErrorOrIgnore() throws {
        let environment = CapturedEnvironment()
        let session = Interpreter(seed: 1, environment: environment)
        try session.run("warnings(\"always\")\nfor s in arange(3) { \(Self.warned) }")
        let always = environment.warnings
        #expect(always.count >= 3 && always.count % 3 == 0 && always.allSatisfy { $0.hasPrefix("kl_mc: ") })
        try session.run("warnings(\"ignore\")\ns = 1\nr = \(Self.warned)")
        #expect(environment.warnings.count == always.count)
        // The record still carries the diagnosis.
        #expect(try session.run("r.pareto_k > 0.5").first.map { session.formatter.format($0) } == "true")
        try session.run("warnings(\"error\")")
        #expect(try session.run("warnings()").first.map { session.formatter.format($0) } == "\"error\"")
        #expect(throws: KLSError.self) { try session.run(Self.warned) }
        do {
            try session.run("z = \(Self.warned)")
        } catch {
            #expect(error.message.hasPrefix("kl_mc: "))
            #expect(error.range?.start.column == 5)
        }
        #expect(throws: KLSError.self) { try session.run("warnings(\"loud\")") }
        session.reset()
        #expect(session.warningMode == .default)
    }

    @Test func loopsAndConditionalsShareTheEnclosingScope() throws {
        #expect(try value("for i in [1, 2] { inner = i }\ninner") == "2")
        #expect(try value("if true { made = 3 }\nmade") == "3")
        #expect(try value("i = 100\nfor i in [1, 2] { }\ni") == "2")
    }

    @Test func functionsHaveLocalScopeAndReadGlobals() throws {
        #expect(try value("k = 10\nf(x) = { k2 = x + k; k2 }\nf(1)") == "11")
        #expect(failure("f(x) = { local = x }\nf(1)\nlocal")?.message == "unknown name 'local'")
        #expect(try value("a = 1\nf() = { a = 5; a }\nf()\na") == "1")
    }

    @Test func closuresCaptureTheirDefiningFrame() throws {
        #expect(try value("adder(n) = x -> x + n\nadd2 = adder(2)\nadd3 = adder(3)\nadd2(1) + add3(1)") == "7")
        #expect(try value("counter(start) = { step = 2; v -> v + start + step }\ncounter(10)(1)") == "13")
    }

    @Test func recursionAndItsLimit() throws {
        #expect(try value("fib(n) = if n < 2 { n } else { fib(n - 1) + fib(n - 2) }\nfib(15)") == "610")
        let error = failure("f(n) = f(n + 1)\nf(0)")
        #expect(error?.kind == .resource)
        #expect(error?.message.contains("recursion too deep") == true)
    }

    /// Each operand is compiled once: compiled twice per level, 60 levels of
    /// `^` would take 2^60 steps (this test would never end).
    @Test func nestedOperatorsCompileInLinearTime() throws {
        for op in ["^", "*", "+"] {
            let nested = String(repeating: "1 \(op) (", count: 60) + "1" + String(repeating: ")", count: 60)
            #expect(try value(nested) == (op == "+" ? "61" : "1"))
        }
    }

    @Test func ansHoldsTheLastDisplayedValue() throws {
        #expect(try value("2 + 3\nx = 7\nans * 2") == "10")
        #expect(try value("4\nprint(1)\nans") == "4")
    }

    @Test func bracketLiteralsAreTensorsOrLists() throws {
        #expect(try value("type([1, 2])") == "\"tensor\"")
        #expect(try value("type([1, \"a\"])") == "\"list\"")
        #expect(try value("type([exp, 1])") == "\"list\"")
        #expect(try value("x = [1, 2]; y = [3, 4, 5]; type([x, y])") == "\"list\"")
        #expect(try value("type([[1, 2], [3]])") == "\"list\"")
        #expect(failure("sum([[1, 2], [3]])")?.message.contains("ragged") == true)
        #expect(try value("shape([[1, 2], [3, 4], [5, 6]])") == "[3, 2]")
    }

    @Test func comparisonsOfScalarsAreBoolsAndOfTensorsAreMasks() throws {
        #expect(try value("2 > 1") == "true")
        #expect(try value("[1, 2] > 1") == "[0, 1]")
        #expect(try value("\"a\" == \"a\"") == "true")
        #expect(try value("none == none") == "true")
        #expect(try value("[1, 2] > 0 and [1, 0] > 0") == "[1, 0]")
    }

    @Test func shortCircuit() throws {
        #expect(try value("false and undefined_name") == "false")
        #expect(try value("true or undefined_name") == "true")
    }

    @Test func stringsAndLists() throws {
        #expect(try value("\"ab\" + \"cd\"") == "\"abcd\"")
        #expect(try value("[1, \"a\"] + [none]") == "[1, \"a\", none]")
        #expect(try value("\"hello\"[1:3]") == "\"el\"")
        #expect(try value("[1, \"a\", 3][-1]") == "3")
    }

    @Test func compoundAssignment() throws {
        #expect(try value("x = 2; x += 3; x *= 2; x -= 1; x /= 3; x") == "3")
    }

    @Test func mapStacksOrLists() throws {
        #expect(try value("map(x -> x * 2, [1, 2])") == "[2, 4]")
        #expect(try value("map(r -> sum(r), [[1, 2], [3, 4]])") == "[3, 7]")
        #expect(try value("map(x -> str(x), [1, 2])") == "[\"1\", \"2\"]")
    }

    /// seed(n) restarts the stream within one session: the draws after it repeat,
    /// and another seed gives other draws.
    @Test func seedMakesTheSessionStreamRepeatable() throws {
        let script = "seed(3); a = randn(2); randn(5); seed(3); b = randn(2); seed(4); c = randn(2); "
        #expect(try value(script + "all(a == b)") == "true")
        #expect(try value(script + "any(a != c)") == "true")
        #expect(try value("a = randn(3); b = randn(3); any(a != b)") == "true")
        #expect(try value("all(randn(4, seed=9) == randn(4, seed=9))") == "true")
    }

    /// A record's fields by name, for names a member cannot spell (a state dict's `enc.0.weight`).
    @Test func recordsIndexByFieldName() throws {
        #expect(try value("w = record(a=1); w[\"a\"] + 1") == "2")
        #expect(failure("w = record(a=1); w[\"b\"]")?.message == "a record has no member 'b'")
        #expect(failure("w = record(a=1); w[0]")?.message.hasPrefix("a record is indexed by a field name") == true)
        #expect(failure("w = record(a=1); w[\"a\", \"b\"]")?.message.hasPrefix("a record takes one index") == true)
    }

    @Test func errorsCarryTheOffendingRange() {
        let error = failure("x = 1\ny = x + [1, 2] @ [1, 2, 3]")
        #expect(error?.range?.start.line == 2)
        #expect(error?.range?.start.column == 9)
    }

    /// A joint's estimate is the same to the bit with one worker or several,
    /// and whether its draws come in one call or many (n spans several of the
    /// engine's calls, and ends inside a chunk).
    @Test func jointEstimatesDoNotDependOnTheWorkers() throws {
        let source = """
            q = joint(z1=DiagNormal([0.2, -0.1, 0.3], logvar=[-0.5, 0, 0.2]),
                      z2=(z1) -> DiagNormal(tanh(z1 @ [[0.5, 0.1], [0.2, -0.3], [0.1, 0.4]]), 0.8))
            p = joint(z1=StdNormal(3), z2=(z1) -> DiagNormal(0.5 * z1[:, 0:2], 1))
            r = kl_mc(q, p, n=40001, seed=3, estimator="k3")
            [r.value, r.stderr]
            """
        let one = try lastTensor(source, workers: 1)
        #expect(one.count == 2)
        #expect(try lastTensor(source, workers: 2) == one)
        #expect(try lastTensor(source, workers: 5) == one)
    }
}
