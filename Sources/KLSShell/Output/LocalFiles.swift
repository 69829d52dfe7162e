import Foundation
import KLSDiagnostics
import KLSFormats

/// A file on disk opened for reading, read with `pread` at any offset.
final class LocalFile: ByteSource {
    let name: String
    let size: Int
    private let descriptor: Int32

    /// Opens `path` (`~` expanded); the error says why it cannot be read.
    init(path: String) throws(KLSError) {
        name = path
        let expanded = NSString(string: path).expandingTildeInPath
        let fd = open(expanded, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw LocalFile.failure("cannot read", path, errno) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw LocalFile.failure("cannot read", path, code)
        }
        guard info.st_mode & S_IFMT != S_IFDIR else {
            close(fd)
            throw KLSError("cannot read \(path): it is a directory")
        }
        descriptor = fd
        size = Int(info.st_size)
    }

    deinit { close(descriptor) }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(KLSError) {
        var done = 0
        while done < buffer.count {
            let want = Swift.min(buffer.count - done, 1 << 30)
            let got = pread(descriptor, buffer.baseAddress.map { $0 + done }, want, off_t(offset + done))
            if got < 0, errno == EINTR { continue }
            guard got >= 0 else { throw LocalFile.failure("cannot read", name, errno) }
            guard got > 0 else {
                throw KLSError("\(name): the file ended at byte \(offset + done) (it shrank while being read?)")
            }
            done += got
        }
    }

    /// "cannot read data.npy: no such file" and the like.
    static func failure(_ what: String, _ path: String, _ code: Int32) -> KLSError {
        let reason: String
        switch code {
        case ENOENT: reason = "no such file"
        case EACCES, EPERM: reason = "permission denied"
        case EISDIR: reason = "it is a directory"
        case ENOSPC: reason = "no space left on the device"
        case ENOTDIR: reason = "a part of the path is not a directory"
        default: reason = String(cString: strerror(code))
        }
        return KLSError("\(what) \(path): \(reason)")
    }
}

/// Writes a new file through a temporary file in the same directory, renamed
/// over the target only when everything was written.
final class AtomicFileWriter: ByteSink {
    private let descriptor: Int32
    private let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    /// Runs `body` on a temporary file, then renames it to `path`; removes it on failure.
    static func create(_ path: String, _ body: (any ByteSink) throws(KLSError) -> Void) throws(KLSError) {
        let target = NSString(string: path).expandingTildeInPath
        let url = URL(fileURLWithPath: target)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory), isDirectory.boolValue {
            throw KLSError("cannot write \(path): it is a directory")
        }
        var template = Array(
            url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).kls-XXXXXX").path
                .utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        guard fd >= 0 else { throw LocalFile.failure("cannot write", path, errno) }
        let temporary = String(cString: template.map { UInt8(bitPattern: $0) })
        let writer = AtomicFileWriter(descriptor: fd, path: path)
        do throws(KLSError) {
            try body(writer)
            let mask = umask(0o022)
            umask(mask)
            fchmod(fd, 0o666 & ~mask)
            guard close(fd) == 0 else { throw LocalFile.failure("cannot write", path, errno) }
            guard rename(temporary, target) == 0 else { throw LocalFile.failure("cannot write", path, errno) }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(KLSError) {
        var done = 0
        while done < bytes.count {
            let got = Foundation.write(descriptor, bytes.baseAddress.map { $0 + done }, bytes.count - done)
            if got < 0, errno == EINTR { continue }
            guard got > 0 else { throw LocalFile.failure("cannot write", path, errno) }
            done += got
        }
    }
}
