import Foundation

/// The output side of `kls --serve`: one JSON object per line on standard
/// output, written whole under a lock (the reader thread answers interrupts and
/// bad requests while the interpreter thread streams output).
final class ServeChannel: @unchecked Sendable {
    private let lock = NSLock()
    private let sink: ([UInt8]) -> Bool
    /// False once a write failed: the client has gone, and nothing more is sent.
    private(set) var isOpen = true

    /// A channel writing to standard output, or to `sink` (tests); the sink
    /// returns false when the bytes could not be written.
    init(sink: (([UInt8]) -> Bool)? = nil) {
        self.sink = sink ?? ServeChannel.writeStandardOutput
    }

    /// Sends one message: `fields` as a JSON object on one line.
    func send(_ fields: [String: Any]) {
        guard JSONSerialization.isValidJSONObject(fields),
            var bytes = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
        else { return }
        bytes.append(10)
        lock.lock()
        defer { lock.unlock() }
        guard isOpen else { return }
        if !sink(Array(bytes)) { isOpen = false }
    }

    /// Stops sending: the client has gone.
    func close() {
        lock.lock()
        isOpen = false
        lock.unlock()
    }

    /// Writes all of `bytes` to file descriptor 1, retrying short writes.
    static func writeStandardOutput(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            guard var p = raw.baseAddress else { return true }
            var left = raw.count
            while left > 0 {
                let n = write(1, p, left)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                p += n
                left -= n
            }
            return true
        }
    }
}
