import KLSDiagnostics
import KLSTensor

/// What the header of a `.npy` file says: the element type, the byte order,
/// the memory order and the shape (NumPy's format, versions 1.0 to 3.0).
public struct NPYHeader: Sendable, Equatable {
    /// The element types kls reads; every other dtype is refused by name.
    public enum Element: Sendable, Equatable {
        case float(bytes: Int)
        case signed(bytes: Int)
        case unsigned(bytes: Int)
        case bool

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .float(let n), .signed(let n), .unsigned(let n): return n
            case .bool: return 1
            }
        }

        /// NumPy's name for the type: `float32`, `uint8`, `bool`.
        public var name: String {
            switch self {
            case .float(let n): return "float\(n * 8)"
            case .signed(let n): return "int\(n * 8)"
            case .unsigned(let n): return "uint\(n * 8)"
            case .bool: return "bool"
            }
        }
    }

    /// The element type.
    public var element: Element
    /// True when multi-byte elements are stored most significant byte first.
    public var bigEndian: Bool
    /// True when the data is in column-major (Fortran) order.
    public var fortranOrder: Bool
    /// The array's shape; `[]` for a 0-d array.
    public var shape: [Int]
    /// Where the data starts in the file.
    public var dataOffset: Int

    /// The bytes of data the header promises, or nil when that overflows.
    public var dataBytes: Int? {
        var total = element.size
        for extent in shape {
            let (product, overflow) = total.multipliedReportingOverflow(by: extent)
            if overflow { return nil }
            total = product
        }
        return total
    }

    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Reads and checks the header at the start of `source`.
    public static func read(from source: any ByteSource) throws(KLSError) -> NPYHeader {
        let name = source.name
        let preamble = try source.bytes(0..<Swift.min(12, source.size))
        guard preamble.count >= 6, Array(preamble[0..<6]) == magic else {
            throw KLSError("\(name): not a NumPy .npy file (it does not start with \\x93NUMPY)")
        }
        guard preamble.count >= 10 else {
            throw KLSError("\(name): truncated .npy header: the file has only \(source.size) bytes")
        }
        let major = Int(preamble[6])
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(preamble[8]) | Int(preamble[9]) << 8
            headerStart = 10
        case 2, 3:
            guard preamble.count >= 12 else {
                throw KLSError("\(name): truncated .npy header: the file has only \(source.size) bytes")
            }
            headerLength = (0..<4).reduce(0) { $0 | Int(preamble[8 + $1]) << (8 * $1) }
            headerStart = 12
        default:
            throw KLSError(
                "\(name): .npy format version \(major).\(preamble[7]) is not supported (kls reads 1.0 to 3.0)")
        }
        guard headerStart + headerLength <= source.size else {
            throw KLSError(
                "\(name): truncated .npy header: it needs \(headerStart + headerLength) bytes, "
                    + "the file has \(source.size)")
        }
        let text = try source.bytes(headerStart..<headerStart + headerLength)
        var parser = PythonLiteralParser(text, fileOffset: headerStart, fileName: name)
        let literal = try parser.parseAll()
        return try interpret(literal, dataOffset: headerStart + headerLength, name: name, at: headerStart)
    }

    private static func interpret(
        _ literal: PythonLiteral, dataOffset: Int, name: String, at offset: Int
    ) throws(KLSError) -> NPYHeader {
        guard case .dict(let pairs) = literal else {
            throw KLSError("\(name): corrupted .npy header at byte \(offset): it is not a dict")
        }
        func field(_ key: String) throws(KLSError) -> PythonLiteral {
            guard let value = pairs.first(where: { $0.0 == key })?.1 else {
                throw KLSError("\(name): corrupted .npy header at byte \(offset): no '\(key)' key")
            }
            return value
        }
        let (element, bigEndian) = try NPYDescriptor.parse(try field("descr"), name: name)
        guard case .bool(let fortran) = try field("fortran_order") else {
            throw KLSError("\(name): corrupted .npy header at byte \(offset): 'fortran_order' is not True or False")
        }
        guard case .tuple(let extents) = try field("shape") else {
            throw KLSError("\(name): corrupted .npy header at byte \(offset): 'shape' is not a tuple")
        }
        var shape: [Int] = []
        for extent in extents {
            guard case .integer(let n) = extent, n >= 0 else {
                throw KLSError(
                    "\(name): corrupted .npy header at byte \(offset): shape \(literal.repr) has \(extent.repr)")
            }
            shape.append(n)
        }
        return NPYHeader(
            element: element, bigEndian: bigEndian, fortranOrder: fortran, shape: shape, dataOffset: dataOffset)
    }

    /// A version 1.0 header (3.0 when the shape string is too long for 1.0) for
    /// little-endian float64 data in C order, padded so the data starts on a
    /// multiple of 64 bytes as NumPy writes it.
    public static func encodeFloat64(shape: [Int]) -> [UInt8] {
        let extents = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        let dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(extents)), }"
        for (version, lengthBytes) in [(UInt8(1), 2), (UInt8(3), 4)] {
            let prefix = 6 + 2 + lengthBytes
            let unpadded = prefix + dict.utf8.count + 1
            let total = (unpadded + 63) / 64 * 64
            let headerLength = total - prefix
            guard lengthBytes == 4 || headerLength <= Int(UInt16.max) else { continue }
            var out = magic + [version, 0]
            for i in 0..<lengthBytes { out.append(UInt8(truncatingIfNeeded: headerLength >> (8 * i))) }
            out += Array(dict.utf8)
            out += [UInt8](repeating: 0x20, count: total - unpadded) + [0x0A]
            return out
        }
        return []
    }
}
