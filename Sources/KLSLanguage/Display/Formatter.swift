import Foundation
import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// Renders values for display (language.md §7): numbers to `precision` significant digits
/// without trailing zeros, tensors NumPy-like with rows on lines and summaries
/// from 1000 elements, lists and records inline.
public struct Formatter: Sendable {
    /// Significant digits for numbers (`:precision N`).
    public var precision: Int
    /// Tensors with this many elements or more are summarised (docs/language.md's
    /// example header is `Tensor[500, 2]`, a typical 500-draw 2-D sample).
    public var threshold = 1000
    /// Items kept at each end of a summarised axis.
    public var edgeItems = 3
    /// Line width at which long rows wrap.
    public var lineWidth = 80

    /// A formatter with `precision` significant digits.
    public init(precision: Int = 6) {
        self.precision = precision
    }

    /// A number in a plot (ticks, labels, a slider's reading): four significant digits.
    public static func plotNumber(_ x: Double) -> String {
        number(x, precision: 4)
    }

    /// A number as `%g` would print it: `2`, `0.5`, `1.23457e-05`, `inf`, `nan`.
    public static func number(_ x: Double, precision: Int = 6) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        if Swift.abs(x) < 1e15, precision >= 15 || Swift.abs(x) < pow(10, Double(precision)),
            let whole = Checked.wholeNumber(x)
        {
            return x == 0 && x.sign == .minus ? "-0" : String(whole)
        }
        return String(format: "%.\(Swift.max(1, Swift.min(precision, 17)))g", x)
    }

    /// The display of a value at the top level of the REPL.
    public func format(_ value: Value) -> String {
        switch value {
        case .string(let s): return Formatter.quote(s.string)
        case .tensor(let t): return tensor(t)
        case .traced(let t): return format(.tensor(t.value))
        case .deferred(let d):
            // The interpreter settles what it shows; this is for other callers.
            return (try? d.tensor()).map { tensor($0) } ?? inline(value)
        case .record(let r): return record(r) ?? inline(value)
        default: return inline(value)
        }
    }

    /// Items a list or record display shows before `…`; nested lists that share
    /// themselves (`l = [l, l]` repeated) would otherwise print exponentially long.
    static let inlineItemBudget = 2_000
    /// Nesting shown before `[…]`.
    static let inlineDepthLimit = 64

    /// The display of a value inside a list or record.
    public func inline(_ value: Value) -> String {
        var budget = Formatter.inlineItemBudget
        return inline(value, budget: &budget, depth: 0)
    }

    /// `inline`, showing at most `budget` items in all and `inlineDepthLimit` levels.
    func inline(_ value: Value, budget: inout Int, depth: Int) -> String {
        switch value {
        case .list(let items):
            guard depth < Formatter.inlineDepthLimit else { return "[…]" }
            var shown: [String] = []
            for item in items {
                guard budget > 0 else {
                    shown.append("… (\(items.count - shown.count) more)")
                    break
                }
                budget -= 1
                shown.append(inline(item, budget: &budget, depth: depth + 1))
            }
            return "[" + shown.joined(separator: ", ") + "]"
        case .record(let r):
            guard depth < Formatter.inlineDepthLimit else { return "{…}" }
            var shown: [String] = []
            for (name, item) in zip(r.names, r.values) {
                budget -= 1
                shown.append("\(Formatter.fieldName(name)): \(inline(item, budget: &budget, depth: depth + 1))")
            }
            return "{" + shown.joined(separator: ", ") + "}"
        default:
            return inlineScalar(value)
        }
    }

    /// The display of a value that holds no other values.
    private func inlineScalar(_ value: Value) -> String {
        switch value {
        case .number(let v): return Formatter.number(v, precision: precision)
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return Formatter.quote(s.string)
        case .none: return "none"
        case .tensor(let t):
            return t.count > 20
                ? "Tensor\(Shape.describe(t.shape))"
                : tensor(t, aligned: false).replacingOccurrences(of: "\n ", with: " ").replacingOccurrences(
                    of: "\n", with: "")
        case .list, .record: return inline(value)
        case .function(let f):
            switch f.body {
            case .builtin: return "<builtin \(f.signature)>"
            case .user(let u): return u.name == nil ? "<lambda (\(u.parameterList))>" : "<function \(f.signature)>"
            }
        case .distribution(let d):
            return distribution(d)
        case .traced(let t):
            return inlineScalar(.tensor(t.value))
        case .deferred(let d):
            // Deferred tensors are large: the inline form names the shape, computing nothing.
            return "Tensor\(Shape.describe(d.shape))"
        }
    }

    /// The text `print` shows: strings unquoted, everything else as displayed.
    public func plain(_ value: Value) -> String {
        if case .string(let s) = value { return s.string }
        return format(value)
    }

    /// A record field's name as `{…}` syntax takes it: bare when it is a name, quoted otherwise.
    static func fieldName(_ name: String) -> String {
        let isName =
            name.first.map { $0 == "_" || $0.isLetter } == true
            && name.allSatisfy { $0 == "_" || $0.isLetter || $0.isNumber }
        return isName && Keyword(rawValue: name) == nil ? name : quote(name)
    }

    /// A string literal that reads back as the same string.
    public static func quote(_ s: String) -> String {
        var out = "\""
        for c in s {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.append(c)
            }
        }
        return out + "\""
    }
}

extension Formatter {
    /// A tensor NumPy-like, with a `Tensor[shape]` header when summarised.
    public func tensor(_ t: Tensor, aligned: Bool = true) -> String {
        if t.rank == 0 { return Formatter.number(t[flat: 0], precision: precision) }
        if t.count == 0 { return t.rank == 1 ? "[]" : "Tensor\(Shape.describe(t.shape)) []" }
        let summarize = t.count >= threshold
        let strides = Shape.strides(t.shape)
        var cells: [Int: String] = [:]
        var width = 0
        collect(t, axis: 0, offset: 0, strides: strides, summarize: summarize) { index in
            let text = Formatter.number(t[flat: index], precision: precision)
            cells[index] = text
            width = Swift.max(width, text.count)
        }
        if (t.rank == 1 && !summarize) || !aligned { width = 0 }
        let body = render(t, axis: 0, offset: 0, strides: strides, summarize: summarize, cells: cells, width: width)
        return summarize ? "Tensor\(Shape.describe(t.shape))\n" + body : body
    }

    /// The positions along `axis` that are shown: all, or the edges around `...`.
    private func shown(_ n: Int, summarize: Bool) -> [Int?] {
        guard summarize && n > 2 * edgeItems else { return Array(0..<n) }
        return Array(0..<edgeItems) + [nil] + Array((n - edgeItems)..<n)
    }

    private func collect(_ t: Tensor, axis: Int, offset: Int, strides: [Int], summarize: Bool, _ visit: (Int) -> Void) {
        for i in shown(t.shape[axis], summarize: summarize).compactMap({ $0 }) {
            let position = offset + i * strides[axis]
            if axis == t.rank - 1 {
                visit(position)
            } else {
                collect(t, axis: axis + 1, offset: position, strides: strides, summarize: summarize, visit)
            }
        }
    }

    private func render(
        _ t: Tensor, axis: Int, offset: Int, strides: [Int], summarize: Bool, cells: [Int: String], width: Int
    ) -> String {
        let indent = String(repeating: " ", count: axis + 1)
        let positions = shown(t.shape[axis], summarize: summarize)
        if axis == t.rank - 1 {
            let items = positions.map { i in
                i.map { pad(cells[offset + $0 * strides[axis]] ?? "", width) } ?? "..."
            }
            return "[" + wrap(items, indent: indent) + "]"
        }
        let separator = ",\n" + String(repeating: "\n", count: t.rank - axis - 2) + indent
        let blocks = positions.map { i in
            i.map {
                render(
                    t, axis: axis + 1, offset: offset + $0 * strides[axis], strides: strides, summarize: summarize,
                    cells: cells, width: width)
            } ?? "..."
        }
        return "[" + blocks.joined(separator: separator) + "]"
    }

    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }

    /// Joins items with ", ", breaking lines before `lineWidth`.
    private func wrap(_ items: [String], indent: String) -> String {
        var lines: [String] = []
        var line = ""
        for (i, item) in items.enumerated() {
            let piece = item + (i < items.count - 1 ? "," : "")
            if !line.isEmpty && indent.count + line.count + 1 + piece.count > lineWidth {
                lines.append(line)
                line = piece
            } else {
                line += line.isEmpty ? piece : " " + piece
            }
        }
        lines.append(line)
        return lines.joined(separator: "\n" + indent)
    }
}
