import KLSDiagnostics

/// Bytes to read at any offset: an open file, or a buffer in memory.
///
/// The readers take a source rather than a path so that the shell decides how
/// files are reached (the language does no I/O of its own) and so that a
/// `.npy` inside an `.npz` is read by the same code as one on disk.
public protocol ByteSource: AnyObject {
    /// The name used in messages: the path as the user wrote it.
    var name: String { get }
    /// The number of bytes.
    var size: Int { get }
    /// Fills `buffer` with the bytes starting at `offset`. Throws when the source
    /// cannot be read; the caller checks `size` first, so a short read is an error.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(KLSError)
}

/// Somewhere to write bytes in order: a file being created, or memory.
public protocol ByteSink: AnyObject {
    /// Appends `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws(KLSError)
}

extension ByteSource {
    /// The bytes in `range`, copied out.
    public func bytes(_ range: Range<Int>) throws(KLSError) -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= size else {
            throw KLSError("\(name): asked for bytes \(range.lowerBound)..<\(range.upperBound) of a \(size)-byte file")
        }
        var out = [UInt8](repeating: 0, count: range.count)
        var failure: KLSError?
        out.withUnsafeMutableBytes { buffer in
            do throws(KLSError) {
                try read(into: buffer, at: range.lowerBound)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return out
    }

    /// Every byte.
    public func allBytes() throws(KLSError) -> [UInt8] {
        try bytes(0..<size)
    }
}

extension ByteSink {
    /// Appends the UTF-8 bytes of `text`.
    public func write(_ text: String) throws(KLSError) {
        var copy = text
        var failure: KLSError?
        copy.withUTF8 { utf8 in
            do throws(KLSError) {
                try write(UnsafeRawBufferPointer(utf8))
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    /// Appends `bytes`.
    public func write(_ bytes: [UInt8]) throws(KLSError) {
        var failure: KLSError?
        bytes.withUnsafeBytes { buffer in
            do throws(KLSError) {
                try write(buffer)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }
}

/// A byte source over a buffer in memory (tests, and entries of an `.npz`).
public final class MemoryBytes: ByteSource {
    public let name: String
    /// The bytes.
    public let storage: [UInt8]

    /// A source over `bytes`, called `name` in messages.
    public init(_ bytes: [UInt8], name: String) {
        self.storage = bytes
        self.name = name
    }

    public var size: Int { storage.count }

    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(KLSError) {
        guard offset >= 0, offset + buffer.count <= storage.count else {
            throw KLSError("\(name): read past the end (\(offset + buffer.count) of \(storage.count) bytes)")
        }
        storage.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<offset + buffer.count]))
        }
    }
}

/// A byte sink that keeps what is written in memory.
public final class MemorySink: ByteSink {
    /// What has been written.
    public private(set) var bytes: [UInt8] = []

    /// An empty sink.
    public init() {}

    public func write(_ bytes: UnsafeRawBufferPointer) throws(KLSError) {
        self.bytes.append(contentsOf: bytes)
    }
}
