import Foundation
import KLSDiagnostics
import KLSTensor

/// Reads the `.safetensors` format, in which PyTorch, JAX and Hugging Face
/// users save state dicts: an 8-byte little-endian header length, a JSON
/// header mapping each tensor's name to its dtype, shape and byte range in the
/// data that follows, and the data itself, little-endian and row-major.
///
/// Every dtype is widened to float64: F64, F32, F16, BF16, the float8 types
/// (F8_E4M3, F8_E5M2), signed and unsigned integers of 8 to 64 bits, and BOOL.
/// Every promise the header makes is checked before a byte of data is used:
/// offsets inside the file, a byte count that fits the dtype and shape, and
/// the memory limit (checked against the shape before the data is read).
public enum SafetensorsFile {
    /// The headers the format allows: 100 MB, as the reference implementation.
    static let maximumHeader = 100_000_000

    /// One tensor's entry in the header.
    struct Entry {
        let name: String
        let dtype: String
        let shape: [Int]
        let begin: Int
        let end: Int
    }

    /// The tensors in `source`, in name order (as `safe_open(f).keys()`
    /// lists them), and notes on anything rounded.
    public static func read(from source: any ByteSource) throws(KLSError) -> (
        tensors: [(String, Tensor)], notes: [String]
    ) {
        let name = source.name
        guard source.size >= 8 else {
            throw KLSError("\(name): not a safetensors file: \(source.size) bytes, shorter than its 8-byte header size")
        }
        let sizeBytes = try source.bytes(0..<8)
        let headerSize = sizeBytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard headerSize <= UInt64(maximumHeader), Int(headerSize) <= source.size - 8 else {
            throw KLSError(
                "\(name): not a safetensors file, or a truncated one: its header claims \(headerSize) bytes, and "
                    + "\(source.size - 8) follow")
        }
        let entries = try parseHeader(try source.bytes(8..<(8 + Int(headerSize))), name: name)
        let dataStart = 8 + Int(headerSize)
        let promised = entries.map(\.end).max() ?? 0
        guard promised <= source.size - dataStart else {
            throw KLSError(
                "\(name): truncated file: the header promises \(promised) bytes of data, "
                    + "\(source.size - dataStart) follow it"
            )
        }
        var tensors: [(String, Tensor)] = []
        var notes: [String] = []
        for entry in entries.sorted(by: { $0.name < $1.name }) {
            let (tensor, rounded) = try read(entry, from: source, dataStart: dataStart)
            if rounded {
                notes.append(
                    "\(name): some \(entry.dtype) values of '\(entry.name)' have no exact float64 and were rounded")
            }
            tensors.append((entry.name, tensor))
        }
        return (tensors, notes)
    }

    /// The header's entries (`__metadata__`, a map of strings, is skipped).
    static func parseHeader(_ bytes: [UInt8], name: String) throws(KLSError) -> [Entry] {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            throw KLSError("\(name): not a safetensors file, or a damaged one: its header is not valid JSON")
        }
        guard let fields = object as? [String: Any] else {
            throw KLSError("\(name): the safetensors header must be a JSON object of tensors")
        }
        var entries: [Entry] = []
        for (key, value) in fields where key != "__metadata__" {
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                let shape = info["shape"] as? [Any], let offsets = info["data_offsets"] as? [Any], offsets.count == 2
            else {
                throw KLSError(
                    "\(name): tensor '\(key)' needs dtype, shape and data_offsets [begin, end] in the header")
            }
            let extents = try shape.map { x throws(KLSError) in try integer(x, "\(name): '\(key)': shape") }
            let (begin, end) = (
                try integer(offsets[0], "\(name): '\(key)': data_offsets"),
                try integer(offsets[1], "\(name): '\(key)': data_offsets")
            )
            entries.append(Entry(name: key, dtype: dtype, shape: extents, begin: begin, end: end))
        }
        return entries
    }

    /// A JSON number that is a non-negative integer.
    private static func integer(_ x: Any, _ what: String) throws(KLSError) -> Int {
        guard let n = x as? NSNumber, let i = Int(exactly: n.doubleValue), i >= 0, Double(i) == n.doubleValue else {
            throw KLSError("\(what) must hold non-negative integers, got \(x)")
        }
        return i
    }

    /// One tensor, its byte range checked against its dtype, shape and the file.
    static func read(_ entry: Entry, from source: any ByteSource, dataStart: Int) throws(KLSError) -> (Tensor, Bool) {
        let what = "\(source.name): '\(entry.name)'"
        guard let element = SafetensorsElement(entry.dtype) else {
            throw KLSError(
                "\(what) has dtype \(entry.dtype), which kls does not read",
                hint: "convert it first, e.g. tensor.to(torch.float32), before save_file")
        }
        guard let count = try? Shape.elementCount(entry.shape),
            case (let bytes, false) = count.multipliedReportingOverflow(by: element.size)
        else {
            throw KLSError("\(what): shape \(Shape.describe(entry.shape)) has too many elements", kind: .resource)
        }
        guard entry.end - entry.begin == bytes, entry.begin <= entry.end else {
            throw KLSError(
                "\(what): data_offsets [\(entry.begin), \(entry.end)] hold \(entry.end - entry.begin) bytes, but "
                    + "\(entry.dtype) of shape \(Shape.describe(entry.shape)) needs \(bytes)")
        }
        guard dataStart + entry.end <= source.size else {
            throw KLSError(
                "\(what): truncated file: the data ends at byte \(dataStart + entry.end), the file has \(source.size)")
        }
        try MemoryLimit.check(elements: count, what: "\(what) (\(Shape.describe(entry.shape)))")
        let raw = try source.bytes((dataStart + entry.begin)..<(dataStart + entry.end))
        var rounded = false
        let tensor = try Tensor(shape: entry.shape) { out in
            raw.withUnsafeBytes { rounded = element.widen($0, into: out) }
        }
        return (tensor, rounded)
    }
}
