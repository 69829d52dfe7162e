/// The element types of a `.safetensors` file, widened to Double.
enum SafetensorsElement {
    case float64, float32, float16, bfloat16, float8e4m3, float8e5m2
    case signed(bytes: Int)
    case unsigned(bytes: Int)
    case bool

    /// The element type a header's dtype names, or nil for one kls does not read.
    init?(_ dtype: String) {
        switch dtype {
        case "F64": self = .float64
        case "F32": self = .float32
        case "F16": self = .float16
        case "BF16": self = .bfloat16
        case "F8_E4M3": self = .float8e4m3
        case "F8_E5M2": self = .float8e5m2
        case "I8": self = .signed(bytes: 1)
        case "I16": self = .signed(bytes: 2)
        case "I32": self = .signed(bytes: 4)
        case "I64": self = .signed(bytes: 8)
        case "U8": self = .unsigned(bytes: 1)
        case "U16": self = .unsigned(bytes: 2)
        case "U32": self = .unsigned(bytes: 4)
        case "U64": self = .unsigned(bytes: 8)
        case "BOOL": self = .bool
        default: return nil
        }
    }

    /// Bytes per element.
    var size: Int {
        switch self {
        case .float64: return 8
        case .float32: return 4
        case .float16, .bfloat16: return 2
        case .float8e4m3, .float8e5m2, .bool: return 1
        case .signed(let n), .unsigned(let n): return n
        }
    }

    /// Converts little-endian `raw` into `out`; true when a 64-bit integer had
    /// no exact double and was rounded.
    func widen(_ raw: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<Double>) -> Bool {
        switch self {
        case .float64: for i in out.indices { out[i] = Double(bitPattern: load(raw, i, UInt64.self)) }
        case .float32: for i in out.indices { out[i] = Double(Float(bitPattern: load(raw, i, UInt32.self))) }
        case .float16: for i in out.indices { out[i] = NPYConversion.halfToDouble(load(raw, i, UInt16.self)) }
        case .bfloat16:
            // bfloat16 is float32's upper half.
            for i in out.indices { out[i] = Double(Float(bitPattern: UInt32(load(raw, i, UInt16.self)) << 16)) }
        case .float8e4m3: for i in out.indices { out[i] = Self.e4m3(raw[i]) }
        case .float8e5m2: for i in out.indices { out[i] = NPYConversion.halfToDouble(UInt16(raw[i]) << 8) }
        case .bool: for i in out.indices { out[i] = raw[i] == 0 ? 0 : 1 }
        case .signed(bytes: 1): for i in out.indices { out[i] = Double(load(raw, i, Int8.self)) }
        case .signed(bytes: 2): for i in out.indices { out[i] = Double(load(raw, i, Int16.self)) }
        case .signed(bytes: 4): for i in out.indices { out[i] = Double(load(raw, i, Int32.self)) }
        case .signed: return widen64(raw, Int64.self, out)
        case .unsigned(bytes: 1): for i in out.indices { out[i] = Double(raw[i]) }
        case .unsigned(bytes: 2): for i in out.indices { out[i] = Double(load(raw, i, UInt16.self)) }
        case .unsigned(bytes: 4): for i in out.indices { out[i] = Double(load(raw, i, UInt32.self)) }
        case .unsigned: return widen64(raw, UInt64.self, out)
        }
        return false
    }

    @inline(__always)
    private func load<T: FixedWidthInteger>(_ raw: UnsafeRawBufferPointer, _ i: Int, _ type: T.Type) -> T {
        T(littleEndian: raw.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self))
    }

    private func widen64<T: FixedWidthInteger>(
        _ raw: UnsafeRawBufferPointer, _ type: T.Type, _ out: UnsafeMutableBufferPointer<Double>
    ) -> Bool {
        var rounded = false
        for i in out.indices {
            let value = load(raw, i, T.self)
            out[i] = Double(value)
            rounded = rounded || T(exactly: out[i]) != value
        }
        return rounded
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
