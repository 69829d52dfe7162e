import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// Member access (`x.shape`, `e.value`) and indexing of non-tensor values.
public enum Members {
    /// The members a value offers, for messages and tab completion.
    public static func names(of value: Value) -> [String] {
        switch value {
        case .tensor, .number, .bool, .traced, .deferred: return ["shape", "T", "size", "ndim"]
        case .record(let r): return r.names
        case .list: return ["length"]
        case .distribution(let d): return distributionMembers(d)
        default: return []
        }
    }

    static func member(_ value: Value, _ name: String) throws(KLSError) -> Value {
        switch (value, name) {
        case (.traced(let t), "T"): return try Differentiation.transpose(t)
        case (.traced(let t), _): return try member(.tensor(t.value), name)
        case (.tensor(let t), "shape"): return .tensor(try shapeTensor(t.shape))
        case (.tensor(let t), "T"): return .tensor(try t.transposed())
        case (.tensor(let t), "size"): return .number(Double(t.count))
        case (.tensor(let t), "ndim"): return .number(Double(t.rank))
        case (.number, "shape"), (.bool, "shape"): return .tensor(try shapeTensor([]))
        case (.number, "T"), (.bool, "T"): return value
        case (.number, "size"), (.bool, "size"): return .number(1)
        case (.number, "ndim"), (.bool, "ndim"): return .number(0)
        case (.list(let items), "length"): return .number(Double(items.count))
        case (.record(let r), _):
            if let v = r[name] { return v }
        case (.distribution(let d), _):
            if let v = try distributionMember(d, name) { return v }
        default:
            break
        }
        let available = names(of: value)
        throw KLSError(
            "a \(value.typeName) has no member '\(name)'",
            hint: Suggestions.hint(for: name, among: available)
                ?? (available.isEmpty ? nil : "members: " + available.joined(separator: ", ")))
    }

    /// `shape`, `size` or `ndim` of a tensor of `shape` (nil for other names):
    /// what a deferred tensor answers without being computed.
    static func shapeMember(_ shape: [Int], _ name: String) throws(KLSError) -> Value? {
        switch name {
        case "shape": return .tensor(try shapeTensor(shape))
        case "size": return .number(Double(shape.reduce(1, *)))
        case "ndim": return .number(Double(shape.count))
        default: return nil
        }
    }

    /// `record["name"]`: a field by its name, which may hold any character
    /// (a state dict's `enc.0.weight`).
    static func field(_ value: Value, _ key: Value) throws(KLSError) -> Value {
        guard case .string(let name) = key else {
            throw KLSError(
                "a record is indexed by a field name (a string), got \(key.typeName)",
                hint: "r[\"name\"], or r.name")
        }
        return try member(value, name.string)
    }

    /// A distribution's members: shapes, its parameters, and its moments.
    static func distributionMembers(_ d: any Distribution) -> [String] {
        var names = ["batch_shape", "event_shape"] + d.parameters.map(\.name) + ["mean", "var", "std", "logvar"]
        if d is MvNormal { names.append("scale_tril") }
        if d is Mixture { names.append("components") }
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    static func distributionMember(_ d: any Distribution, _ name: String) throws(KLSError) -> Value? {
        if let parameter = d.parameters.first(where: { $0.name == name }) { return Value.from(parameter.value) }
        if name == "logvar", let std = d.parameters.first(where: { $0.name == "std" }) {
            return Value.from(try std.value.map(.log).apply(cost: 1) { 2 * $0 })
        }
        switch name {
        case "batch_shape": return .tensor(try shapeTensor(d.batchShape))
        case "event_shape": return .tensor(try shapeTensor(d.eventShape))
        // The distribution's moments; for Normal-based families these are the parameters.
        case "mean": return Value.from(try d.mean())
        case "var": return Value.from(try d.variance())
        case "std": return Value.from(try d.variance().map(.sqrt))
        case "logvar": return Value.from(try d.variance().map(.log))
        case "scale_tril": return (d as? MvNormal).map { Value.from($0.choleskyFactors) }
        case "components":
            return (d as? Mixture).map { .list(List(small: $0.components.map { Value.distribution($0) })) }
        default: return nil
        }
    }

    /// A shape as a 1-D tensor, so `zeros(x.shape)` and `x.shape[0]` work.
    static func shapeTensor(_ shape: [Int]) throws(KLSError) -> Tensor {
        try Tensor(shape.map(Double.init))
    }

    static func index(_ value: Value, _ components: [IndexComponent]) throws(KLSError) -> Value {
        switch value {
        case .traced(let t):
            return try Differentiation.index(t, components)
        case .tensor(let t):
            return Value.from(try t.index(components))
        case .list(let items):
            guard components.count == 1 else { throw KLSError("a list takes one index, got \(components.count)") }
            switch components[0] {
            case .single(let i):
                return items[try IndexComponent.resolve(single: i, length: items.count, axis: 0)]
            case .slice(let start, let stop, let step):
                let s = try IndexComponent.resolve(start: start, stop: stop, step: step, length: items.count)
                return .list(try List((0..<s.count).map { items[s.start + $0 * s.step] }))
            }
        case .string(let text):
            let characters = Array(text.string)
            guard components.count == 1 else { throw KLSError("a string takes one index, got \(components.count)") }
            switch components[0] {
            case .single(let i):
                return .string(
                    Text(
                        small: String(
                            characters[try IndexComponent.resolve(single: i, length: characters.count, axis: 0)])))
            case .slice(let start, let stop, let step):
                let s = try IndexComponent.resolve(start: start, stop: stop, step: step, length: characters.count)
                return .string(try Text(String((0..<s.count).map { characters[s.start + $0 * s.step] })))
            }
        case .number, .bool:
            throw KLSError("cannot index a number (it has no axes)")
        default:
            throw KLSError("cannot index a \(value.typeName)")
        }
    }
}
