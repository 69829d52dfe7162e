import KLSDiagnostics
import KLSTensor

/// Reads and writes NumPy's `.npy` format.
///
/// Every element type is widened to float64, the only element type of a kls
/// tensor. Little-endian float64 in C order (what `np.save` writes for a float
/// array) is read straight into the tensor's buffer; other types go through a
/// small conversion buffer, so a load never holds the file twice.
public enum NPYFile {
    /// Bytes converted per step when the element type is not float64.
    static let conversionChunk = 1 << 20

    /// The array in `source` as a tensor, and a note when something was not
    /// exact (integers beyond 2^53 rounded to the nearest double).
    public static func read(from source: any ByteSource) throws(KLSError) -> (tensor: Tensor, note: String?) {
        let header = try NPYHeader.read(from: source)
        let name = source.name
        guard let dataBytes = header.dataBytes, let count = try? Shape.elementCount(header.shape) else {
            throw KLSError(
                "\(name): shape \(Shape.describe(header.shape)) has too many elements to hold in memory",
                kind: .resource, hint: "set KLS_MAX_MEMORY to raise the limit")
        }
        let available = source.size - header.dataOffset
        let described = "shape \(Shape.describe(header.shape)) of \(header.element.name)"
        let storage: TensorStorage
        do {
            // The limit is checked from the header alone, before any data is read.
            storage = try TensorStorage(uninitializedCount: count)
        } catch {
            var named = error
            let (product, overflow) = count.multipliedReportingOverflow(by: 8)
            let float64Bytes = overflow ? Int.max : product
            let shortfall =
                available < dataBytes ? "; the file holds only \(Swift.max(0, available)) bytes of data" : ""
            named.message =
                "\(name): \(described) needs \(MemoryLimit.describe(bytes: float64Bytes)) as float64, "
                + "over the memory limit of \(MemoryLimit.describe(bytes: MemoryLimit.bytes))\(shortfall)"
            throw named
        }
        guard available >= dataBytes else {
            throw KLSError(
                "\(name): truncated data: \(described) needs \(dataBytes) bytes after the "
                    + "\(header.dataOffset)-byte header, the file has \(Swift.max(0, available))")
        }
        var rounded = false
        if count > 0 {
            rounded = try fill(storage.buffer, from: source, header: header)
        }
        let note =
            rounded
            ? "\(name): some \(header.element.name) values have no exact float64 (beyond 2^53) and were rounded" : nil
        guard header.fortranOrder, header.shape.count > 1 else {
            return (try Tensor(shape: header.shape, adopting: storage), note)
        }
        // Column-major data is the row-major layout of the reversed shape.
        let reversed = try Tensor(shape: Array(header.shape.reversed()), adopting: storage)
        return (try reversed.transposed(), note)
    }

    /// Fills `out` with the data converted to doubles; true when an integer was rounded.
    private static func fill(
        _ out: UnsafeMutableBufferPointer<Double>, from source: any ByteSource, header: NPYHeader
    ) throws(KLSError) -> Bool {
        if header.element == .float(bytes: 8) {
            try source.read(into: UnsafeMutableRawBufferPointer(out), at: header.dataOffset)
            if header.bigEndian {
                for i in out.indices { out[i] = Double(bitPattern: out[i].bitPattern.byteSwapped) }
            }
            return false
        }
        let size = header.element.size
        let perChunk = conversionChunk / size
        var scratch = [UInt8](repeating: 0, count: perChunk * size)
        var rounded = false
        var done = 0
        while done < out.count {
            let n = Swift.min(perChunk, out.count - done)
            var failure: KLSError?
            scratch.withUnsafeMutableBytes { raw in
                let part = UnsafeMutableRawBufferPointer(rebasing: raw[0..<n * size])
                do throws(KLSError) {
                    try source.read(into: part, at: header.dataOffset + done * size)
                } catch {
                    failure = error
                    return
                }
                let target = UnsafeMutableBufferPointer(rebasing: out[done..<done + n])
                rounded = NPYConversion.widen(UnsafeRawBufferPointer(part), header, into: target) || rounded
            }
            if let failure { throw failure }
            done += n
        }
        return rounded
    }

    /// Writes `tensor` as little-endian float64 in C order.
    public static func write(_ tensor: Tensor, to sink: any ByteSink) throws(KLSError) {
        try sink.write(NPYHeader.encodeFloat64(shape: tensor.shape))
        try withExtendedLifetime(tensor) { () throws(KLSError) in
            try sink.write(UnsafeRawBufferPointer(tensor.storage.buffer))
        }
    }
}
