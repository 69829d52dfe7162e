/// The element types of a `.safetensors` file, widened to Double: those NumPy
/// has too by the `.npy` reader's own conversion, the rest here.
enum SafetensorsElement {
    /// float64/32/16, the integers and bool: little-endian, as `.npy` stores them.
    case numpy(NPYHeader.Element)
    case bfloat16, float8e4m3, float8e5m2

    /// The element type a header's dtype names, or nil for one kls does not read.
    init?(_ dtype: String) {
        switch dtype {
        case "F64": self = .numpy(.float(bytes: 8))
        case "F32": self = .numpy(.float(bytes: 4))
        case "F16": self = .numpy(.float(bytes: 2))
        case "BF16": self = .bfloat16
        case "F8_E4M3": self = .float8e4m3
        case "F8_E5M2": self = .float8e5m2
        case "I8": self = .numpy(.signed(bytes: 1))
        case "I16": self = .numpy(.signed(bytes: 2))
        case "I32": self = .numpy(.signed(bytes: 4))
        case "I64": self = .numpy(.signed(bytes: 8))
        case "U8": self = .numpy(.unsigned(bytes: 1))
        case "U16": self = .numpy(.unsigned(bytes: 2))
        case "U32": self = .numpy(.unsigned(bytes: 4))
        case "U64": self = .numpy(.unsigned(bytes: 8))
        case "BOOL": self = .numpy(.bool)
        default: return nil
        }
    }

    /// Bytes per element.
    var size: Int {
        switch self {
        case .numpy(let element): return element.size
        case .bfloat16: return 2
        case .float8e4m3, .float8e5m2: return 1
        }
    }

    /// Converts little-endian `raw` into `out`; true when a 64-bit integer had
    /// no exact double and was rounded.
    func widen(_ raw: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<Double>) -> Bool {
        switch self {
        case .numpy(let element):
            let header = NPYHeader(element: element, bigEndian: false, fortranOrder: false, shape: [], dataOffset: 0)
            return NPYConversion.widen(raw, header, into: out)
        case .bfloat16:
            // bfloat16 is float32's upper half.
            for i in out.indices {
                let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                out[i] = Double(Float(bitPattern: UInt32(bits) << 16))
            }
        case .float8e4m3: for i in out.indices { out[i] = Self.e4m3(raw[i]) }
        case .float8e5m2:
            // E5M2 is half precision's upper byte.
            for i in out.indices { out[i] = NPYConversion.halfToDouble(UInt16(raw[i]) << 8) }
        }
        return false
    }

    /// float8 E4M3 (the "fn" variant PyTorch and ml_dtypes use): bias 7, no
    /// infinities, NaN only at S.1111.111.
    static func e4m3(_ byte: UInt8) -> Double {
        let sign: Double = byte & 0x80 == 0 ? 1 : -1
        let exponent = Int(byte >> 3) & 0xF
        let fraction = Double(byte & 0x7)
        if exponent == 0xF, byte & 0x7 == 0x7 { return .nan }
        if exponent == 0 { return sign * fraction * 0x1p-9 }
        return sign * (1 + fraction / 8) * Double(sign: .plus, exponent: exponent - 7, significand: 1)
    }
}
