import Foundation

/// A script file could not be read: the message names the file and the reason.
public struct SourceFileError: Error, Sendable {
    /// `cannot read 'x.kls': no such file`, and the like.
    public let message: String
}

/// Reads kls source from files, FIFOs, `/dev/stdin` and standard input, and
/// normalises it: a UTF-8 byte-order mark is dropped and CRLF (or a lone CR)
/// becomes LF, so scripts written on any system run, echo and check alike.
/// Binary files (a NUL byte) are refused rather than echoed to the terminal.
public enum SourceFile {
    /// The text of the file at `path`; `shownAs` names it in messages.
    public static func read(_ path: String, shownAs name: String? = nil) throws(SourceFileError) -> String {
        let name = name ?? path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SourceFileError(message: "cannot read '\(name)': no such file")
        }
        if isDirectory.boolValue { throw SourceFileError(message: "cannot read '\(name)': it is a directory") }
        // FileHandle reads FIFOs and /dev/stdin too, which FileManager.contents refuses.
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw SourceFileError(message: "cannot read '\(name)': permission denied")
        }
        defer { try? handle.close() }
        do {
            return try text(of: try handle.readToEnd() ?? Data(), name: name)
        } catch let error as SourceFileError {
            throw error
        } catch {
            throw SourceFileError(message: "cannot read '\(name)': \(error.localizedDescription)")
        }
    }

    /// Everything on standard input (for `kls -`).
    public static func readStandardInput() throws(SourceFileError) -> String {
        do {
            return try text(of: try FileHandle.standardInput.readToEnd() ?? Data(), name: "<stdin>")
        } catch let error as SourceFileError {
            throw error
        } catch {
            throw SourceFileError(message: "cannot read standard input: \(String(cString: strerror(errno)))")
        }
    }

    /// Decoded, normalised source text; refuses binary data.
    public static func text(of data: Data, name: String) throws(SourceFileError) -> String {
        if let zero = data.firstIndex(of: 0) {
            throw SourceFileError(
                message: "'\(name)' is not a text file (a NUL byte at offset \(zero - data.startIndex))")
        }
        return normalize(String(decoding: data, as: UTF8.self))
    }

    /// Drops a leading byte-order mark and turns CRLF and lone CR into LF.
    public static func normalize(_ text: String) -> String {
        var text = text
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        guard text.utf8.contains(13) else { return text }
        return text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }
}
