import KLSDiagnostics
import KLSFormats
import KLSTensor
import Testing

@testable import KLSLanguage

/// The language features NumPy users reach for (issue: data in, results out):
/// loops with break/continue, index assignment, record literals, ragged lists,
/// precision and formatting, and load/save through the session's environment.
@Suite struct DataLanguageTests {
    @Test func whileBreakContinue() throws {
        let source = """
            i = 0; s = 0
            while true { i += 1; if i % 2 == 0 { continue }; if i > 9 { break }; s += i }
            s
            """
        #expect(try value(source) == "25")
        #expect(
            try value("t = 0; for k in arange(10) { if k == 3 { continue }; if k == 6 { break }; t += k }; t") == "12")
        #expect(try value("g() = { k = 0; while k < 100 { k += 1; if k == 7 { break } }; k }; g()") == "7")
        #expect(failure("break")?.message == "'break' outside a loop")
        #expect(failure("for i in [1] { f = () -> continue }")?.message == "'continue' outside a loop")
        #expect(failure("while 1 + [1, 2] { }")?.message.contains("ambiguous") == true)
    }

    @Test func indexAssignmentCopiesOnlyWhenShared() throws {
        #expect(try value("x = zeros(5); for i in arange(5) { x[i] = i^2 }; x") == "[0, 1, 4, 9, 16]")
        #expect(try display("x = arange(4); y = x; x[1:3] = -1\nx\ny") == ["[0, -1, -1, 3]", "[0, 1, 2, 3]"])
        #expect(
            try value("m = zeros([2, 3]); m[:, 0] = [7, 8]; m[1] = 5; m[0, -1] += 2; m") == "[[7, 0, 2],\n [5, 5, 5]]")
        #expect(try value("l = [1, \"a\"]; l[1] = 5; l") == "[1, 5]")
        #expect(try value("f() = { t = zeros(3); t[::2] = 1; t }; f()") == "[1, 0, 1]")
        // That a filling loop reuses its buffer is checked in its own process
        // (Scripts/index-assignment.kls): the allocation count is process-wide.
        #expect(failure("x = zeros(3); x[5] = 1")?.message == "index 5 is out of bounds for axis 0 with size 3")
        #expect(
            failure("x = zeros(3); x[:2] = [1, 2, 3]")?.message.hasPrefix("cannot assign a value of shape [3]") == true)
        #expect(failure("x = 3; x[0] = 1")?.message == "cannot assign into a number by index")
        #expect(failure("r = record(a=1); r.a[0] = 1")?.message == "only a variable can be assigned into by index")
    }

    @Test func recordsAndRaggedLists() throws {
        #expect(try value("{mu: [0, 1], \"log var\": -1}") == "{mu: [0, 1], \"log var\": -1}")
        #expect(try value("r = {a: 1,\n b: 2}; r.b") == "2")
        #expect(try value("record(a=1, b=[1, 2]).b") == "[1, 2]")
        #expect(failure("{a: 1, a: 2}")?.message == "field 'a' appears twice in the record")
        #expect(try value("[[1, 2], [3]]") == "[[1, 2], [3]]")
        #expect(try value("concat([[1, 2], [3]])") == "[1, 2, 3]")
        #expect(failure("x = [[1, 2], [3]]; x + 1")?.message.hasPrefix("ragged nested list") == true)
        #expect(failure("exp([[1, 2], [3]])")?.message.hasPrefix("ragged nested list") == true)
    }

    @Test func precisionAndFormat() throws {
        #expect(try display("precision(10)\n1/3\nprecision()") == ["0.3333333333", "10"])
        #expect(try value("format(1/3, digits=3)") == "\"0.333\"")
        #expect(try value("len(str(arange(2000), full=true)) > 8000") == "true")
        #expect(try value("str(arange(2000))").contains("..."))
        #expect(failure("precision(18)")?.message.contains("from 1 to 17") == true)
        #expect(try value("pi") == "3.14159" && value("-inf") == "-inf" && value("isnan(nan)") == "1")
    }

    @Test func linearAlgebraAndStatistics() throws {
        #expect(try value("solve([[2, 1], [1, 3]], [3, 5])") == "[0.8, 1.4]")
        #expect(try value("det([[2, 1], [1, 3]])") == "5")
        #expect(try value("logmeanexp([0, log(3)])") == "0.693147")
        #expect(try value("logmeanexp([1000, 1000])") == "1000")
        #expect(try value("median([3, 1, 4, 1, 5])") == "3")
        #expect(try value("cumprod([1, 2, 3, 4])") == "[1, 2, 6, 24]")
        #expect(try value("diag(diag([1, 2]))") == "[1, 2]")
        #expect(try value("cov([1, 2, 3, 4])") == "1.66667")
    }

    @Test func saveThenLoadThroughTheEnvironment() throws {
        let environment = CapturedEnvironment()
        let session = Interpreter(seed: 1, environment: environment)
        let shown = try session.run(
            """
            x = [[1, 0.1], [1e-300, -2]]
            save("a.npy", x); save("b.csv", x); save("c.npz", mu=[1, 2], n=3);
            save("d.csv", {mu: [1, 2], s: [0.5, 0.25]}); save("e.json", {a: 1, b: [1, nan]});
            all(load("a.npy") == x)
            all(load("b.csv") == x)
            load("c.npz")
            load("d.csv").s
            """
        ).map(session.formatter.format)
        #expect(shown.suffix(4) == ["true", "true", "{mu: [1, 2], n: 3}", "[0.5, 0.25]"])
        #expect(environment.text(of: "d.csv") == "mu,s\n1,0.5\n2,0.25\n")
        #expect(environment.text(of: "e.json") == "{\n  \"a\": 1,\n  \"b\": [1, NaN]\n}\n")
        #expect(failure("load(\"nope.npy\")")?.message == "cannot read nope.npy: no such file")
        let unknown = failure("load(\"x.dat\")")?.message
        #expect(unknown?.hasPrefix("load reads .npy, .npz, .safetensors, .csv and .tsv files") == true)
        #expect(failure("save(\"x.npy\", {a: 1})")?.message == "save: value is a record, not an array")
        #expect(failure("save(\"x.csv\", zeros([2, 2, 2]))")?.message.hasPrefix("a tensor of shape [2, 2, 2]") == true)
        #expect(failure("save(\"x.json\", x -> x)")?.message == "save: value is a function, which JSON cannot hold")
    }
}

/// plot and hist arguments: series, labels, scales, density and overlays.
@Suite struct PlotArgumentTests {
    func output(_ source: String) throws -> String {
        let environment = CapturedEnvironment()
        let session = Interpreter(seed: 1, environment: environment)
        _ = try session.run(source)
        return environment.lines.joined(separator: "\n")
    }

    @Test func severalSeriesFromAListAMatrixOrABatchedTrace() throws {
        #expect(try output("plot([[1, 2, 3], [3, 2, 1]], labels=[\"up\", \"down\"])").contains("up, down"))
        #expect(try output("plot(reshape(arange(12), [6, 2]), labels=[\"a\", \"b\"])").contains("a, b"))
        let batched = "plot(kl_trace(Normal([0, 0], 1), Normal([0.5, 1], 1), 200, seed=1), labels=[\"z0\", \"z1\"])"
        #expect(try output(batched).contains("z0, z1"))
        #expect(try output("hist(randn(1000, seed=1), dist=Normal(0, 1))").contains("Normal density"))
    }

    /// A trace's exact KL travels with its data: a second kl_trace does not take
    /// it away, and new values made from the trace (even in its own buffer) drop it.
    @Test func aTraceKeepsItsExactLine() throws {
        let setup = """
            t1 = kl_trace(Normal(0, 1), Normal(1, 1), 200, seed=1)
            t2 = kl_trace(Normal(0, 1), Normal(2, 1), 200, seed=1)

            """
        #expect(try output(setup + "plot(t1)").contains("exact KL = 0.5"))
        #expect(try output(setup + "plot(t2)").contains("exact KL = 2"))
        #expect(!(try output(setup + "plot(t1 * 2)").contains("exact KL")))
        #expect(!(try output("plot(kl_trace(Normal(0, 1), Normal(1, 1), 200, seed=1) * 2)").contains("exact KL")))
        #expect(!(try output("plot(exp(kl_trace(Normal(0, 1), Normal(1, 1), 200, seed=1)))").contains("exact KL")))
    }

    @Test func badArgumentsSaySo() {
        #expect(failure("plot([1, 2], labels=[\"a\", \"b\"])")?.message == "plot: 2 labels for 1 series")
        #expect(failure("plot([1, -2], yscale=\"log\")")?.message.contains("positive") == true)
        #expect(failure("plot([1, 2], xscale=\"ln\")")?.message.contains("\"linear\" or \"log\"") == true)
        #expect(failure("hist([1, 2], dist=DiagNormal(zeros(2), 1))")?.message.contains("scalar") == true)
    }
}
