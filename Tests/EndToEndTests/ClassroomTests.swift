import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `--echo`, `--step` without a terminal, `--check`, and the plots' files.
@Suite struct ClassroomTests {
    func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kls-\(UUID().uuidString).kls").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func echoShowsStatementsThenOutput() throws {
        let path = try write("# a comment\nx = [1,\n  2]\nsum(x)  # total\nqqqq_missing\n3\n")
        let r = try KLSProcess.run(["--echo", path])
        #expect(
            r.stdout == """
                # a comment
                kls> x = [1,
                ...>   2]
                kls> sum(x)  # total
                3
                kls> qqqq_missing
                error: unknown name 'qqqq_missing'
                    qqqq_missing
                    ^~~~~~~~~~~~
                kls> 3
                3

                """)
        #expect(r.status == 1)
    }

    @Test func stepWithoutATerminalIsEcho() throws {
        let path = try write("a = 2\na * 3\n")
        let step = try KLSProcess.run(["--step", path])
        let echo = try KLSProcess.run(["--echo", path])
        #expect(step.stdout == echo.stdout)
        #expect(step.stdout == "kls> a = 2\nkls> a * 3\n6\n")
    }

    @Test func checkPassesAndFails() throws {
        let good = try write(
            "1 + 1\n#=> 2\nx = [1, 2]; x * 2  #=> [2, 4]\n1/3\n#=> 0.3333\n"
                + "eye(2)\n#=> [[1, 0],\n#=>  [0, 1]]\nprint(\"hi\")\n#=> hi\n")
        let r = try KLSProcess.run(["--check", good])
        #expect(r.status == 0)
        #expect(r.stdout == "5 passed, 0 failed\n")
        let bad = try write("x = 2\nx + 1\n#=> 4\nx * 2\n#=> 4\n")
        let f = try KLSProcess.run(["--check", bad])
        #expect(f.status == 1)
        #expect(f.stdout == "\(bad):2: mismatch\n  expected: 4\n  actual:   3\n1 passed, 1 failed\n")
    }

    @Test func checkExpectsErrors() throws {
        let path = try write("qqqq_missing\n#=> error: unknown name 'qqqq_missing'\n")
        #expect(try KLSProcess.run(["--check", path]).stdout == "1 passed, 0 failed\n")
    }

    @Test func modesNeedAFile() throws {
        #expect(try KLSProcess.run(["--check"]).status == 2)
        #expect(try KLSProcess.run(["--echo", "--check", "x.kls"]).status == 2)
    }

    @Test func svgPlotsAreWellFormedWithAxesAndData() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kls-svg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let trace = folder.appendingPathComponent("trace.svg").path
        let histogram = folder.appendingPathComponent("hist.svg").path
        let r = try KLSProcess.run([
            "-e",
            """
            plot(kl_trace(Normal(0, 1), Normal(1, 1), 1000, seed=1), band=true, file="\(trace)", title="a < b & c")
            hist(randn(1000, seed=2), bins=10, file="\(histogram)")
            """,
        ])
        #expect(r.status == 0)
        for (path, mark) in [(trace, "class=\"data\""), (histogram, "class=\"bars\"")] {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let parser = XMLParser(data: data)
            #expect(parser.parse(), "\(path) is not well-formed XML")
            let text = String(decoding: data, as: UTF8.self)
            #expect(
                text.contains("<svg") && text.contains("class=\"axes\"") && text.contains("class=\"ticks\"")
                    && text.contains(mark))
        }
        let svg = try String(contentsOfFile: trace, encoding: .utf8)
        #expect(
            svg.contains("class=\"band\"") && svg.contains("class=\"reference\"") && svg.contains("a &lt; b &amp; c"))
    }

    @Test func textPlotsFitTheWidth() throws {
        let r = try KLSProcess.run(
            ["-e", "plot(sin(linspace(0, 6, 200)))\nhist(randn(500, seed=1))"], environment: ["COLUMNS": "60"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count > 20)
        #expect(lines.allSatisfy { $0.count <= 60 })
        #expect(r.stdout.contains("┤") && r.stdout.contains("└"))
    }
}
