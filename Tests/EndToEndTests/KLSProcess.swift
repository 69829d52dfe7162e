import Foundation

/// Runs the built `kls` binary and captures what it did.
struct KLSProcess {
    /// The outcome of one run.
    struct Result {
        var status: Int32
        /// True when the process died of a signal (a crash or trap).
        var signaled: Bool
        var stdout: String
        var stderr: String
        /// True when the run was stopped for exceeding its timeout.
        var timedOut = false
    }

    /// The package root, from this file's location.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `KLS_BINARY` when set (scripts/test sets it), else the debug build.
    static var binary: String {
        ProcessInfo.processInfo.environment["KLS_BINARY"] ?? root.appendingPathComponent(".build/debug/kls").path
    }

    /// The folder of end-to-end scripts.
    static let scripts = root.appendingPathComponent("Tests/EndToEndTests/Scripts")

    /// Runs kls with `arguments`, feeding `stdin`, with extra environment variables.
    /// A run longer than `timeout` seconds is killed and reported as timed out.
    /// With `shell`, the arguments go to /bin/sh instead (for redirections). The
    /// working directory is `Scripts` unless `workingDirectory` is given.
    static func run(
        _ arguments: [String], stdin: String = "", environment: [String: String] = [:],
        timeout: Double = 600, shell: Bool = false, workingDirectory: URL? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: shell ? "/bin/sh" : binary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = nil
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kls-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in")
        let output = directory.appendingPathComponent("out")
        let errors = directory.appendingPathComponent("err")
        try Data(stdin.utf8).write(to: input)
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.standardInput = try FileHandle(forReadingFrom: input)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        process.currentDirectoryURL = workingDirectory ?? scripts
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        let timedOut = exited.wait(timeout: .now() + timeout) == .timedOut
        if timedOut {
            process.terminate()
            process.waitUntilExit()
        }
        return Result(
            status: process.terminationStatus,
            signaled: process.terminationReason == .uncaughtSignal && !timedOut,
            stdout: String(decoding: try Data(contentsOf: output), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errors), as: UTF8.self), timedOut: timedOut)
    }
}
