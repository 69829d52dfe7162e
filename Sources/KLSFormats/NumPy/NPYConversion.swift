/// Widening of NumPy's element types to Double.
enum NPYConversion {
    /// Converts `raw` (elements of `header.element`, in its byte order) into `out`;
    /// true when a 64-bit integer had no exact double, so that it was rounded.
    static func widen(
        _ raw: UnsafeRawBufferPointer, _ header: NPYHeader, into out: UnsafeMutableBufferPointer<Double>
    ) -> Bool {
        let swap = header.bigEndian
        switch header.element {
        case .bool:
            for i in out.indices { out[i] = raw[i] == 0 ? 0 : 1 }
        case .float(bytes: 2):
            for i in out.indices { out[i] = halfToDouble(load(raw, i, UInt16.self, swap)) }
        case .float(bytes: 4):
            for i in out.indices { out[i] = Double(Float(bitPattern: load(raw, i, UInt32.self, swap))) }
        case .float:
            for i in out.indices { out[i] = Double(bitPattern: load(raw, i, UInt64.self, swap)) }
        case .signed(bytes: 1): widenIntegers(raw, Int8.self, swap, out)
        case .signed(bytes: 2): widenIntegers(raw, Int16.self, swap, out)
        case .signed(bytes: 4): widenIntegers(raw, Int32.self, swap, out)
        case .signed: return widenIntegers(raw, Int64.self, swap, out)
        case .unsigned(bytes: 1): widenIntegers(raw, UInt8.self, swap, out)
        case .unsigned(bytes: 2): widenIntegers(raw, UInt16.self, swap, out)
        case .unsigned(bytes: 4): widenIntegers(raw, UInt32.self, swap, out)
        case .unsigned: return widenIntegers(raw, UInt64.self, swap, out)
        }
        return false
    }

    @inline(__always)
    private static func load<T: FixedWidthInteger>(
        _ raw: UnsafeRawBufferPointer, _ i: Int, _ type: T.Type, _ swap: Bool
    ) -> T {
        let value = raw.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self)
        return swap ? value.byteSwapped : value
    }

    @discardableResult
    private static func widenIntegers<T: FixedWidthInteger>(
        _ raw: UnsafeRawBufferPointer, _ type: T.Type, _ swap: Bool, _ out: UnsafeMutableBufferPointer<Double>
    ) -> Bool {
        guard T.bitWidth > 53 else {
            for i in out.indices { out[i] = Double(load(raw, i, T.self, swap)) }
            return false
        }
        var rounded = false
        for i in out.indices {
            let value = load(raw, i, T.self, swap)
            let widened = Double(value)
            rounded = rounded || T(exactly: widened) != value
            out[i] = widened
        }
        return rounded
    }

    /// IEEE half precision to double, subnormals, infinities and NaN included.
    static func halfToDouble(_ bits: UInt16) -> Double {
        let sign: Double = bits & 0x8000 == 0 ? 1 : -1
        let exponent = Int(bits >> 10) & 0x1F
        let fraction = Double(bits & 0x3FF)
        switch exponent {
        case 0: return sign * fraction * 0x1p-24
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 1024) * Double(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }
}
