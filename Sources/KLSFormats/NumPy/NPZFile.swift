import Foundation
import KLSDiagnostics
import KLSTensor
import ZIPFoundation

/// Reads and writes NumPy's `.npz` format: a zip archive of `.npy` files, stored
/// (`np.savez`) or deflated (`np.savez_compressed`). ZIPFoundation does the zip.
public enum NPZFile {
    /// The arrays in `source`, named as `np.load(path).files` names them (the
    /// entry's path without `.npy`), in archive order, with notes on anything
    /// skipped or rounded.
    public static func read(from source: any ByteSource) throws(KLSError) -> (
        arrays: [(String, Tensor)], notes: [String]
    ) {
        let name = source.name
        let archive: Archive
        do {
            archive = try Archive(data: Data(try source.allBytes()), accessMode: .read)
        } catch let error as KLSError {
            throw error
        } catch {
            throw KLSError("\(name): not a zip archive, or a corrupted one (\(error))")
        }
        var arrays: [(String, Tensor)] = []
        var notes: [String] = []
        for entry in archive where entry.type == .file {
            guard entry.path.hasSuffix(".npy") else {
                notes.append("\(name): skipped '\(entry.path)', which is not a .npy array")
                continue
            }
            let arrayName = String(entry.path.dropLast(4))
            let bytes = try extract(entry, from: archive, name: "\(name)[\(arrayName)]")
            let (tensor, note) = try NPYFile.read(from: MemoryBytes(bytes, name: "\(name)[\(arrayName)]"))
            if let note { notes.append(note) }
            arrays.append((arrayName, tensor))
        }
        return (arrays, notes)
    }

    private static func extract(_ entry: Entry, from archive: Archive, name: String) throws(KLSError) -> [UInt8] {
        guard let size = Int(exactly: entry.uncompressedSize) else {
            throw KLSError("\(name): the entry's size \(entry.uncompressedSize) is too large")
        }
        try MemoryLimit.check(bytes: size, what: "\(name) (\(size) bytes uncompressed)")
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        do {
            let checksum = try archive.extract(entry) { chunk in bytes.append(contentsOf: chunk) }
            guard checksum == entry.checksum else {
                throw KLSError("\(name): corrupted data (the CRC-32 checksum does not match)")
            }
        } catch let error as KLSError {
            throw error
        } catch {
            throw KLSError("\(name): corrupted entry (\(error))")
        }
        return bytes
    }

    /// Writes `arrays` as `NAME.npy` entries, deflated when `compressed`.
    public static func write(
        _ arrays: [(String, Tensor)], compressed: Bool, to sink: any ByteSink
    ) throws(KLSError) {
        do {
            let archive = try Archive(data: Data(), accessMode: .create)
            for (arrayName, tensor) in arrays {
                let npy = MemorySink()
                try NPYFile.write(tensor, to: npy)
                let bytes = npy.bytes
                try archive.addEntry(
                    with: arrayName + ".npy", type: .file, uncompressedSize: Int64(bytes.count),
                    modificationDate: Date(timeIntervalSince1970: 315_532_800),
                    compressionMethod: compressed ? .deflate : .none
                ) { position, size in
                    Data(bytes[Int(position)..<Int(position) + size])
                }
            }
            guard let data = archive.data else { throw KLSError("internal: the zip archive kept no data") }
            try sink.write([UInt8](data))
        } catch let error as KLSError {
            throw error
        } catch {
            throw KLSError("cannot build the .npz archive: \(error)")
        }
    }
}
