import Foundation
import Testing

/// Every example in `examples/` runs to completion, and passes `kls --check`. They
/// run as the README shows, `kls examples/NAME.kls` from the repository root
/// (examples read their data files by that path), but in a scratch folder where
/// `examples` links to the real one, so the files they save land there.
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
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("kls-example-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createSymbolicLink(
            at: scratch.appendingPathComponent("examples"),
            withDestinationURL: KLSProcess.root.appendingPathComponent("examples"))
        let path = "examples/\(name)"
        let result = try KLSProcess.run([path], workingDirectory: scratch)
        #expect(!result.signaled)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        // Examples may warn on purpose (the negative-KL lesson); nothing else.
        let unexpected = result.stderr.split(separator: "\n").filter { !$0.hasPrefix("warning: ") }
        #expect(unexpected.isEmpty, "stderr: \(result.stderr)")
        #expect(!result.stdout.isEmpty)
        let check = try KLSProcess.run(["--check", path], workingDirectory: scratch)
        #expect(check.status == 0, "\(check.stdout)")
        #expect(check.stdout.hasSuffix(" passed, 0 failed\n"))
    }
}
