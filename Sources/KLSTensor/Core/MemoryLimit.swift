import Foundation

/// The guard that keeps a typo like `zeros(1e12)` from exhausting the machine:
/// every tensor allocation is checked against `KLS_MAX_MEMORY` before it happens.
public enum MemoryLimit {
    /// Bytes a single result may occupy: `KLS_MAX_MEMORY` (plain bytes, or with a
    /// `K`, `M`, `G` suffix), default 2 GiB.
    public static let bytes: Int = parse(ProcessInfo.processInfo.environment["KLS_MAX_MEMORY"]) ?? (2 << 30)

    static func parse(_ text: String?) -> Int? {
        guard var text = text?.trimmingCharacters(in: .whitespaces).uppercased(), !text.isEmpty else { return nil }
        if text.hasSuffix("IB") { text.removeLast(2) } else if text.hasSuffix("B") { text.removeLast() }
        var scale = 1.0
        switch text.last {
        case "K": scale = 1024
        case "M": scale = 1024 * 1024
        case "G": scale = 1024 * 1024 * 1024
        default: break
        }
        if scale != 1 { text.removeLast() }
        guard let value = Double(text), value > 0, value * scale < 9e18 else { return nil }
        return Int(value * scale)
    }

    /// Checks that `count` doubles fit under the limit; throws a resource error otherwise.
    public static func check(elements count: Int, what: String = "tensor") throws(KLSError) {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Double>.stride)
        if overflow || bytes > Self.bytes {
            throw KLSError(
                "\(what) of \(count) elements needs \(describe(bytes: overflow ? Int.max : bytes)), over the memory limit of \(describe(bytes: Self.bytes))",
                kind: .resource,
                hint: "set KLS_MAX_MEMORY to raise the limit")
        }
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
