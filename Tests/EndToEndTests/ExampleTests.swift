import Foundation
import Testing

/// Every example in `examples/` runs to completion, and passes `kls --check`.
@Suite struct ExampleTests {
    static let examples: [String] = {
        let folder = KLSProcess.root.appendingPathComponent("examples")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return files.filter { $0.hasSuffix(".kls") }.sorted()
    }()

    @Test func thereAreExamples() {
        #expect(!ExampleTests.examples.isEmpty)
    }

    @Test(arguments: ExampleTests.examples)
    func exampleRuns(_ name: String) throws {
        let path = KLSProcess.root.appendingPathComponent("examples/\(name)").path
        let result = try KLSProcess.run([path])
        #expect(!result.signaled)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        // Examples may warn on purpose (the negative-KL lesson); nothing else.
        let unexpected = result.stderr.split(separator: "\n").filter { !$0.hasPrefix("warning: ") }
        #expect(unexpected.isEmpty, "stderr: \(result.stderr)")
        #expect(!result.stdout.isEmpty)
        let check = try KLSProcess.run(["--check", path])
        #expect(check.status == 0, "\(check.stdout)")
        #expect(check.stdout.hasSuffix(" passed, 0 failed\n"))
    }
}
