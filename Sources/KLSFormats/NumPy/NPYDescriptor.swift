import KLSDiagnostics

/// NumPy's type descriptor strings (`'<f8'`, `'|b1'`, `'>i2'`), mapped to the
/// element types kls reads; every other dtype gets a message naming it.
enum NPYDescriptor {
    /// The element type and byte order a `descr` value names.
    static func parse(_ literal: PythonLiteral, name: String) throws(KLSError) -> (NPYHeader.Element, Bool) {
        guard case .string(let descr) = literal else {
            throw KLSError(
                "\(name): a structured dtype (\(shorten(literal.repr))) is not supported",
                hint: "save each field as its own array, e.g. np.savez(path, **{k: a[k] for k in a.dtype.names})")
        }
        let chars = Array(descr)
        guard chars.count >= 2, "<>|=".contains(chars[0]) else {
            throw KLSError("\(name): the dtype '\(descr)' is not one NumPy writes")
        }
        let bigEndian = chars[0] == ">"
        let kind = chars[1]
        let size = Int(String(chars[2...]))
        switch (kind, size) {
        case ("f", 2), ("f", 4), ("f", 8): return (.float(bytes: size ?? 8), bigEndian)
        case ("i", 1), ("i", 2), ("i", 4), ("i", 8): return (.signed(bytes: size ?? 8), bigEndian)
        case ("u", 1), ("u", 2), ("u", 4), ("u", 8): return (.unsigned(bytes: size ?? 8), bigEndian)
        case ("b", 1): return (.bool, false)
        default: throw unsupported(descr, kind: kind, size: size, name: name)
        }
    }

    private static func unsupported(_ descr: String, kind: Character, size: Int?, name: String) -> KLSError {
        let bits = size.map { String($0 * 8) } ?? ""
        switch kind {
        case "c":
            return KLSError(
                "\(name): complex\(bits) ('\(descr)') is not supported: kls tensors hold real numbers",
                hint: "save the parts as two arrays: np.savez(path, re=z.real, im=z.imag)")
        case "O":
            return KLSError(
                "\(name): an object array ('\(descr)') holds Python objects, which kls cannot read",
                hint: "convert it to a numeric array first: a.astype(np.float64)")
        case "U", "S", "a":
            return KLSError("\(name): a string array ('\(descr)') is not supported: kls reads numbers")
        case "M", "m":
            return KLSError(
                "\(name): a date/time array ('\(descr)') is not supported",
                hint: "save it as numbers, e.g. a.astype('int64')")
        case "f":
            return KLSError(
                "\(name): float\(bits) ('\(descr)') is not supported (kls reads float16, float32 and float64)")
        case "V":
            return KLSError("\(name): a raw or structured dtype ('\(descr)') is not supported")
        default:
            return KLSError("\(name): the dtype '\(descr)' is not supported")
        }
    }

    private static func shorten(_ text: String) -> String {
        text.count <= 60 ? text : String(text.prefix(57)) + "…"
    }
}
