import Foundation
import Testing

/// Each `Scripts/NAME.kls` runs under the built binary; its stdout must equal
/// `NAME.out`. When `NAME.err` exists the run must fail with exit 1 and print
/// exactly that on stderr; otherwise it must succeed silently on stderr.
@Suite struct ScriptTests {
    static let names: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: KLSProcess.scripts.path)) ?? []
        return files.filter { $0.hasSuffix(".kls") }.map { String($0.dropLast(4)) }.sorted()
    }()

    @Test func thereAreScripts() {
        #expect(ScriptTests.names.count >= 4)
    }

    @Test(arguments: ScriptTests.names)
    func script(_ name: String) throws {
        let result = try KLSProcess.run(["\(name).kls"])
        let expectedOut = try String(
            contentsOf: KLSProcess.scripts.appendingPathComponent("\(name).out"), encoding: .utf8)
        let errURL = KLSProcess.scripts.appendingPathComponent("\(name).err")
        #expect(!result.signaled)
        #expect(result.stdout == expectedOut)
        if let expectedErr = try? String(contentsOf: errURL, encoding: .utf8) {
            #expect(result.status == 1)
            #expect(result.stderr == expectedErr)
        } else {
            #expect(result.status == 0)
            #expect(result.stderr == "")
        }
    }
}
