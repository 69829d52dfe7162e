import Foundation
import KLSDiagnostics
import Synchronization

/// The guard that keeps a typo like `zeros(1e12)` or a doubling loop from
/// exhausting the machine: the session's live tensors, strings and lists together
/// stay under `KLS_MAX_MEMORY`, and every request is checked before it allocates.
///
/// Tensor buffers are charged when allocated and released when freed
/// (`TensorStorage`); strings and lists above a small size carry a `MemoryCharge`.
public enum MemoryLimit {
    /// The default limit, 2 GiB.
    public static let defaultBytes = 2 << 30

    /// The limit read from `KLS_MAX_MEMORY`, and a sentence saying why the variable
    /// was ignored when it is set but is not a size.
    static let configured: (bytes: Int, problem: String?) = {
        guard let text = ProcessInfo.processInfo.environment["KLS_MAX_MEMORY"] else { return (defaultBytes, nil) }
        if let bytes = parse(text) { return (bytes, nil) }
        let problem =
            "KLS_MAX_MEMORY=\"\(text)\" is not a positive size (bytes, or with K, M or G); "
            + "using the default of \(describe(bytes: defaultBytes))"
        return (defaultBytes, problem)
    }()

    private static let limit = Atomic<Int>(configured.bytes)
    private static let live = Atomic<Int>(0)

    /// Why `KLS_MAX_MEMORY` was ignored, when it was set to something that is not a
    /// size; the command line prints it as a warning.
    public static var configurationProblem: String? { configured.problem }

    /// Bytes the session's live values may occupy together.
    public static var bytes: Int { limit.load(ordering: .relaxed) }

    /// Bytes held now by live tensors and charged strings and lists.
    public static var liveBytes: Int { live.load(ordering: .relaxed) }

    /// Sets the limit (tests and the fuzzing harness use small ones).
    public static func setLimit(bytes: Int) {
        limit.store(Swift.max(0, bytes), ordering: .relaxed)
    }

    /// `KLS_MAX_MEMORY`'s value: plain bytes or with a `K`, `M`, `G` (and optional
    /// `B`/`iB`) suffix; nil when it is not a positive size.
    static func parse(_ raw: String?) -> Int? {
        guard var text = raw?.trimmingCharacters(in: .whitespaces).uppercased(), !text.isEmpty else { return nil }
        if text.hasSuffix("IB") { text.removeLast(2) } else if text.hasSuffix("B") { text.removeLast() }
        var scale = 1.0
        switch text.last {
        case "K": scale = 1024
        case "M": scale = 1024 * 1024
        case "G": scale = 1024 * 1024 * 1024
        default: break
        }
        if scale != 1 { text.removeLast() }
        guard let value = Double(text), value >= 1, value * scale < 9e18 else { return nil }
        return Checked.clamped(value * scale, to: 1...Int.max)
    }

    /// Checks that `count` doubles more fit under the limit; throws a resource error
    /// that says what was asked and what is in use otherwise.
    public static func check(elements count: Int, what: String = "tensor") throws(KLSError) {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Double>.stride)
        try check(bytes: overflow ? Int.max : bytes, what: "\(what) of \(count) elements")
    }

    /// Checks that `bytes` more fit under the limit.
    public static func check(bytes: Int, what: String) throws(KLSError) {
        let inUse = liveBytes
        guard bytes > available(inUse: inUse) else { return }
        throw overLimit(what: what, bytes: bytes, inUse: inUse)
    }

    private static func available(inUse: Int) -> Int {
        Swift.max(0, Self.bytes - Swift.max(0, inUse))
    }

    /// Charges `bytes` to the session, or throws when they do not fit.
    public static func reserve(bytes: Int, what: @autoclosure () -> String) throws(KLSError) {
        var inUse = live.load(ordering: .relaxed)
        while true {
            guard bytes <= available(inUse: inUse) else { throw overLimit(what: what(), bytes: bytes, inUse: inUse) }
            let (exchanged, original) = live.compareExchange(
                expected: inUse, desired: inUse + bytes, ordering: .relaxed)
            if exchanged { return }
            inUse = original
        }
    }

    /// Charges `bytes` without checking: buffers known to be tiny.
    static func charge(bytes: Int) {
        live.add(bytes, ordering: .relaxed)
    }

    /// Returns bytes charged by `reserve` or `charge`.
    public static func release(bytes: Int) {
        live.subtract(bytes, ordering: .relaxed)
    }

    static func overLimit(what: String, bytes: Int, inUse: Int) -> KLSError {
        let inUseNote = inUse > 0 ? " (\(describe(bytes: inUse)) already in use)" : ""
        return KLSError(
            "\(what) needs \(describe(bytes: bytes)), over the memory limit of \(describe(bytes: Self.bytes))"
                + inUseNote,
            kind: .resource, hint: "set KLS_MAX_MEMORY to raise the limit")
    }

    /// A short human-readable size, e.g. `7.45 GiB`.
    public static func describe(bytes: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) bytes" : String(format: "%.3g", value) + " " + units[unit]
    }
}

/// Memory a string or list holds, charged to the session while the value lives.
public final class MemoryCharge: @unchecked Sendable {
    /// The bytes charged.
    public let bytes: Int

    /// Charges `bytes`, or throws a resource error naming `what`.
    public init(bytes: Int, what: @autoclosure () -> String) throws(KLSError) {
        try MemoryLimit.reserve(bytes: bytes, what: what())
        self.bytes = bytes
    }

    deinit {
        MemoryLimit.release(bytes: bytes)
    }
}
