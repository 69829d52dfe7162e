import Testing

/// The command line of §8: modes, flags and exit codes.
@Suite struct CommandLineTests {
    @Test func evaluatesExpressions() throws {
        let r = try KLSProcess.run(["-e", "x = 2; x * 3"])
        #expect(r.status == 0)
        #expect(r.stdout == "6\n")
    }

    @Test func trailingSemicolonSilences() throws {
        let r = try KLSProcess.run(["-e", "1 + 1;"])
        #expect(r.stdout == "")
    }

    @Test func scriptFromStandardInput() throws {
        let r = try KLSProcess.run(["-"], stdin: "a = 3\na^2\nb = oops\n")
        #expect(r.status == 1)
        #expect(r.stdout == "9\n")
        #expect(r.stderr.hasPrefix("<stdin>:3:5: error: unknown name 'oops'"))
    }

    @Test func plainModeReadsLineByLineAndContinuesAfterErrors() throws {
        let r = try KLSProcess.run([], stdin: "x = [1,\n  2]\nbad_name\nsum(x)\nf(a) = {\n  a + 1\n}\nf(1)\n")
        #expect(r.status == 1)
        #expect(r.stdout == "3\n2\n")
        #expect(r.stderr.hasPrefix("<stdin>:3:1: error: unknown name 'bad_name'"))
    }

    @Test func plainModeSucceedsWithoutErrors() throws {
        let r = try KLSProcess.run([], stdin: "1 + 1\n")
        #expect(r.status == 0)
        #expect(r.stdout == "2\n")
    }

    @Test func seedFlagMakesRunsRepeatable() throws {
        let a = try KLSProcess.run(["--seed", "7", "-e", "randn(3)"])
        let b = try KLSProcess.run(["--seed", "7", "-e", "randn(3)"])
        let c = try KLSProcess.run(["--seed", "8", "-e", "randn(3)"])
        #expect(a.stdout == b.stdout)
        #expect(a.stdout != c.stdout)
    }

    @Test func versionAndHelp() throws {
        let v = try KLSProcess.run(["--version"])
        #expect(v.status == 0)
        #expect(v.stdout.first?.isNumber == true)
        let h = try KLSProcess.run(["--help"])
        #expect(h.status == 0)
        #expect(h.stdout.contains("USAGE"))
        #expect(h.stdout.contains("--seed"))
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(try KLSProcess.run(["--bogus"]).status == 2)
        #expect(try KLSProcess.run(["--seed", "x"]).status == 2)
        #expect(try KLSProcess.run(["a.kls", "-e", "1"]).status == 2)
        let missing = try KLSProcess.run(["no-such-file.kls"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no such file"))
    }

    @Test func scriptErrorsShowFileLineAndColumn() throws {
        let r = try KLSProcess.run(["-e", "x = 1\ny = x +\n  undefined_name"])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("-e:3:3: error: unknown name 'undefined_name'"))
    }

    @Test func aBadMemoryLimitIsNamed() throws {
        for bad in ["abc", "-1", "0"] {
            let r = try KLSProcess.run(["-e", "1"], environment: ["KLS_MAX_MEMORY": bad])
            #expect(r.stdout == "1\n")
            #expect(r.stderr.contains("warning: KLS_MAX_MEMORY=\"\(bad)\" is not a positive size"))
        }
    }

    /// The session total counts: two tensors of 0.6 MiB do not fit under 1 MiB.
    @Test func memoryLimitBoundsTheSession() throws {
        let r = try KLSProcess.run(["-e", "a = zeros(80000); b = zeros(80000)"], environment: ["KLS_MAX_MEMORY": "1M"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("already in use"), "\(r.stderr)")
        // Strings count too: a 32 MiB string leaves no room for a 69 MiB tensor under 100 MiB.
        let strings = try KLSProcess.run(
            ["-e", "s = \"ab\"; for i in arange(24) { s = s + s }; x = zeros(9e6)"],
            environment: ["KLS_MAX_MEMORY": "100M"])
        #expect(strings.stderr.contains("(32 MiB already in use)"), "\(strings.stderr)")
        let freed = try KLSProcess.run(
            ["-e", "s = \"ab\"; for i in arange(24) { s = s + s }; s = 1; size(zeros(9e6))"],
            environment: ["KLS_MAX_MEMORY": "100M"])
        #expect(freed.stdout == "9e+06\n", "\(freed.stderr)")
    }

    @Test func closedStandardInputIsAnError() throws {
        let r = try KLSProcess.run(["-c", "exec \"$0\" - <&-", KLSProcess.binary], shell: true)
        #expect(!r.signaled)
        #expect(r.status == 2)
        #expect(r.stderr.contains("cannot read standard input"))
    }

    @Test func aFullDiskIsAnError() throws {
        let r = try KLSProcess.run(["-c", "exec \"$0\" -e 'print(1)' > /dev/full", KLSProcess.binary], shell: true)
        #expect(r.status == 1)
        #expect(r.stderr.contains("cannot write to standard output: No space left on device"))
    }

    /// Windows line endings, a byte-order mark and `#=>` inside a string.
    @Test func scriptsFromOtherEditors() throws {
        let source = "\u{FEFF}x = 1\r\nprint(\"#=> not an expectation\")\r\nx + 1 #=> 2\r\n"
        let check = try KLSProcess.run(["--check", "-"], stdin: source)
        #expect(check.stdout.hasSuffix("1 passed, 0 failed\n"), "\(check.stdout) \(check.stderr)")
        let echo = try KLSProcess.run(["--echo", "-"], stdin: source)
        #expect(!echo.stdout.contains("\r"))
        #expect(echo.stdout.contains("kls> x + 1"))
    }

    @Test func binaryFilesAreRefusedAndDirectoriesNamed() throws {
        let binary = try KLSProcess.run([KLSProcess.binary])
        #expect(binary.status == 2)
        #expect(binary.stderr.contains("is not a text file"))
        let directory = try KLSProcess.run(["/tmp"])
        #expect(directory.stderr.contains("it is a directory"))
    }

    @Test func standardInputByName() throws {
        let r = try KLSProcess.run(["/dev/stdin"], stdin: "print(5)\n")
        #expect(r.stdout == "5\n", "\(r.stderr)")
    }

    @Test func memoryLimitComesFromTheEnvironment() throws {
        let r = try KLSProcess.run(["-e", "zeros(1e6)"], environment: ["KLS_MAX_MEMORY": "1M"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("over the memory limit of 1 MiB"))
        let ok = try KLSProcess.run(["-e", "size(zeros(1e5))"], environment: ["KLS_MAX_MEMORY": "1M"])
        #expect(ok.stdout == "100000\n")
    }
}
