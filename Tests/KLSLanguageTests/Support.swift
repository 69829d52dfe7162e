import KLSDiagnostics
import KLSLanguage
import KLSTensor

/// Runs source in a fresh session and returns the displayed values as text.
func display(_ source: String, seed: UInt64 = 1) throws -> [String] {
    let session = Interpreter(seed: seed, environment: CapturedEnvironment())
    return try session.run(source).map(session.formatter.format)
}

/// The single displayed value of `source`.
func value(_ source: String) throws -> String {
    try display(source).last ?? "<nothing>"
}

/// The error `source` raises, or nil.
func failure(_ source: String) -> KLSError? {
    do {
        _ = try display(source)
        return nil
    } catch {
        return error as? KLSError
    }
}

/// The values of the last tensor `source` shows, run with `workers` threads ([] if it shows none).
func lastTensor(_ source: String, workers: Int) throws -> [Double] {
    try Parallel.withWorkers(workers) {
        let shown = try Interpreter(seed: 1, environment: CapturedEnvironment()).run(source)
        guard case .tensor(let t)? = shown.last else { return [] }
        return t.values
    }
}
