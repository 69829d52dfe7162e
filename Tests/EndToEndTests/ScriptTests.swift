import Foundation
import Testing

/// Each `Scripts/NAME.kls` runs under the built binary; its stdout must equal
/// `NAME.out`. When `NAME.err` exists the run must fail with exit 1 and print
/// exactly that on stderr; when `NAME.warn` exists it must succeed and print
/// each of its lines among its warnings; otherwise it must succeed silently.
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
        let warnURL = KLSProcess.scripts.appendingPathComponent("\(name).warn")
        if let expectedErr = try? String(contentsOf: errURL, encoding: .utf8) {
            #expect(result.status == 1)
            #expect(result.stderr == expectedErr)
        } else if let warnings = try? String(contentsOf: warnURL, encoding: .utf8) {
            // A run that must warn: each line of NAME.warn appears in what it printed on stderr.
            #expect(result.status == 0)
            for line in warnings.split(separator: "\n") {
                #expect(result.stderr.contains(line), "\(name): no warning \"\(line)\"")
            }
        } else {
            #expect(result.status == 0)
            #expect(result.stderr == "")
        }
    }
}
