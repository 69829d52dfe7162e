import KLSDiagnostics
import KLSTensor

/// A value to write as JSON: what `save(path.json, …)` makes of records,
/// estimates, lists, tensors and scalars.
public indirect enum JSONValue {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    /// Written as nested arrays, one level per axis.
    case tensor(Tensor)
    case array([JSONValue])
    case object([(String, JSONValue)])

    /// The JSON text, objects indented by two spaces, arrays of numbers on one
    /// line. Numbers in shortest round-trip form; NaN and ±infinity, which JSON
    /// has no literal for, as `NaN`, `Infinity` and `-Infinity`, as Python's
    /// `json` module writes and reads them.
    public func text() -> String {
        var out = ""
        write(into: &out, indent: 0)
        return out + "\n"
    }

    private func write(into out: inout String, indent: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let x): out += JSONValue.number(x)
        case .string(let s): out += JSONValue.quote(s)
        case .tensor(let t): JSONValue.write(t, into: &out)
        case .array(let items):
            let simple = items.allSatisfy { if case .object = $0 { return false } else { return true } }
            if simple {
                out += "["
                for (i, item) in items.enumerated() {
                    if i > 0 { out += ", " }
                    item.write(into: &out, indent: indent)
                }
                out += "]"
            } else {
                let pad = String(repeating: " ", count: indent + 2)
                out += "[\n"
                for (i, item) in items.enumerated() {
                    out += pad
                    item.write(into: &out, indent: indent + 2)
                    out += i + 1 < items.count ? ",\n" : "\n"
                }
                out += String(repeating: " ", count: indent) + "]"
            }
        case .object(let pairs):
            guard !pairs.isEmpty else {
                out += "{}"
                return
            }
            let pad = String(repeating: " ", count: indent + 2)
            out += "{\n"
            for (i, (key, value)) in pairs.enumerated() {
                out += pad + JSONValue.quote(key) + ": "
                value.write(into: &out, indent: indent + 2)
                out += i + 1 < pairs.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        }
    }

    static func number(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x < 0 ? "-Infinity" : "Infinity" }
        return NumberText.shortest(x)
    }

    private static func write(_ t: Tensor, into out: inout String) {
        withExtendedLifetime(t) {
            let values = t.storage.buffer
            guard t.rank > 0 else {
                out += number(values[0])
                return
            }
            var index = 0
            func level(_ axis: Int) {
                out += "["
                for i in 0..<t.shape[axis] {
                    if i > 0 { out += ", " }
                    if axis + 1 == t.rank {
                        out += number(values[index])
                        index += 1
                    } else {
                        level(axis + 1)
                    }
                }
                out += "]"
            }
            level(0)
        }
    }

    /// A JSON string literal.
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
