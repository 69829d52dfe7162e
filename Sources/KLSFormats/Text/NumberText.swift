import KLSDiagnostics

/// Numbers as text that reads back to the same double.
public enum NumberText {
    /// The shortest text that round-trips (Swift's `description`), without a
    /// trailing `.0`: `1`, `0.1`, `1e-05`, `-0`, `inf`, `nan`.
    public static func shortest(_ x: Double) -> String {
        let text = x.description
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
}

/// Collects output bytes and hands them to a sink in large blocks.
struct BufferedSink {
    let sink: any ByteSink
    var buffer: [UInt8] = []
    static let blockSize = 1 << 20

    init(_ sink: any ByteSink) {
        self.sink = sink
        buffer.reserveCapacity(Self.blockSize + 4096)
    }

    mutating func append(_ text: String) throws(KLSError) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.blockSize { try flush() }
    }

    mutating func append(byte: UInt8) {
        buffer.append(byte)
    }

    mutating func flush() throws(KLSError) {
        try sink.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
