import Foundation
import KLSLanguage
import KLSTensor

/// The fuzzing target: arbitrary bytes run through the lexer, parser and
/// interpreter exactly as a script would be, with small resource limits. Any
/// signal, sanitizer report or timeout is a bug; an error is a success.
///
/// Limits: 64 MiB of live values (`KLS_MAX_MEMORY`'s ledger), and an input
/// still running after `FuzzLimits.seconds` is cancelled as Ctrl-C would
/// cancel it. Each input runs on a thread with the same 1 GiB stack the kls
/// executable gives its interpreter, so depth limits are tested as shipped.
enum FuzzLimits {
    static let memoryBytes = 64 << 20
    static let seconds = 1.0
    static let stackBytes = 1 << 30
}

/// One input, run on its own large-stack thread.
final class FuzzRun: @unchecked Sendable {
    let source: String
    let finished = DispatchSemaphore(value: 0)

    init(source: String) {
        self.source = source
    }

    func run() {
        // Everything stays in memory: plots with file= write no files.
        let session = Interpreter(seed: 1, environment: CapturedEnvironment(displayWidth: 60))
        do {
            // The watchdog's cancellation must reach every later statement too, so
            // the flag is cleared once per input, not per statement.
            for statement in try Parser.parse(source) {
                if let value = try session.execute(statement) {
                    // Display is part of what users see: it must not trap either.
                    _ = session.formatter.format(value)
                }
            }
        } catch {
            // Every error must point into the source (`FILE:LINE:COL: error:`); one
            // that does not is a bug the fuzzer should report like a crash.
            if error.range == nil && error.kind != .interrupted {
                FileHandle.standardError.write(Data("error without a location: \(error.description)\n".utf8))
                abort()
            }
        }
        finished.signal()
    }
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    MemoryLimit.setLimit(bytes: FuzzLimits.memoryBytes)
    if let path = ProcessInfo.processInfo.environment["KLS_FUZZ_DICTIONARY"] {
        let entries = FuzzVocabulary.words.map(FuzzVocabulary.dictionaryEntry)
        try? (entries.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        exit(0)
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    Cancellation.reset()
    let work = FuzzRun(source: source)
    let thread = Thread { work.run() }
    thread.stackSize = FuzzLimits.stackBytes
    thread.start()
    if work.finished.wait(timeout: .now() + FuzzLimits.seconds) == .timedOut {
        Cancellation.request()
        work.finished.wait()
    }
    return 0
}

/// The words of the language for libFuzzer's dictionary: keywords, symbols,
/// builtin names and their parameter names, read from the declarations.
enum FuzzVocabulary {
    static var words: [String] {
        var words = Set(Keyword.allCases.map(\.rawValue))
        words.formUnion(Symbol.allCases.map(\.rawValue))
        words.formUnion(["\"", "#", "#=>", "\n"])
        for builtin in BuiltinRegistry.all {
            words.insert(builtin.name + "(")
            for parameter in builtin.parameters { words.insert(parameter.name + "=") }
        }
        words.formUnion(["nan", "1/0", "1e308", "2^53", "zeros([3, 0])", ".shape", ".T", "[::-1]", "\"k3\""])
        return words.sorted()
    }

    /// `word` in libFuzzer's dictionary syntax: quoted, with `\\`, `\"` and
    /// `\xNN` escapes for bytes that are not printable ASCII.
    static func dictionaryEntry(_ word: String) -> String {
        var entry = "\""
        for byte in word.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): entry += "\\\\"
            case UInt8(ascii: "\""): entry += "\\\""
            case 32..<127: entry.unicodeScalars.append(Unicode.Scalar(byte))
            default: entry += "\\x" + String(format: "%02X", byte)
            }
        }
        return entry + "\""
    }
}

/// libFuzzer's entry point when a program has a `main` of its own.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's `main` to `<module>_main`; with
/// `-parse-as-library` there is no Swift `main`, so this one hands over to
/// libFuzzer's driver (its own `main` is then not linked).
@_cdecl("FuzzKLS_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in fuzzerTestOneInput(data, size) }
}
