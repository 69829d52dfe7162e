import KLSDiagnostics
import KLSFormats
import KLSTensor

/// What `load` and `save` do for each file format, chosen by the extension.
enum DataFiles {
    enum Format: String {
        case npy, npz, csv, tsv, json, safetensors
    }

    static func format(of path: String) -> Format? {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        return Format(rawValue: path[path.index(after: dot)...].lowercased())
    }

    static func load(_ path: String, header: Bool?, delimiter: UInt8?, _ session: Interpreter) throws(KLSError)
        -> Value
    {
        let format = format(of: path)
        if delimiter == nil, format == nil || format == .json {
            throw KLSError(
                "load reads .npy, .npz, .safetensors, .csv and .tsv files; cannot tell what \(path) holds from its "
                    + "name",
                hint: "pass delimiter=\",\" to read it as delimited text")
        }
        let source = try session.environment.openFile(path)
        switch (format, delimiter) {
        case (.npy, nil):
            let (tensor, note) = try NPYFile.read(from: source)
            if let note { try session.warn(note) }
            return Value.from(tensor)
        case (.npz, nil):
            let (arrays, notes) = try NPZFile.read(from: source)
            for note in notes { try session.warn(note) }
            return .record(Record(arrays.map { ($0.0, Value.from($0.1)) }))
        case (.safetensors, nil):
            let (tensors, notes) = try SafetensorsFile.read(from: source)
            for note in notes { try session.warn(note) }
            return .record(Record(tensors.map { ($0.0, Value.from($0.1)) }))
        default:
            let reader = DelimitedReader(
                delimiter: delimiter ?? (format == .tsv ? 0x09 : 0x2C), header: header)
            switch try reader.read(from: source) {
            case .matrix(let tensor): return Value.from(tensor)
            case .columns(let columns): return .record(Record(columns.map { ($0.0, .tensor($0.1)) }))
            }
        }
    }

    static func save(
        _ value: Value, keywords: Record, to path: String, compress: Bool, _ session: Interpreter
    ) throws(KLSError) {
        let chosen = format(of: path)
        guard let format = chosen, format != .safetensors else {
            throw KLSError(
                "save writes .npy, .npz, .csv, .tsv and .json files; \(path) has none of these extensions",
                hint: chosen == .safetensors
                    ? "kls reads .safetensors but writes weights as .npz (np.load reads it)" : nil)
        }
        let hasValue: Bool
        if case .none = value { hasValue = false } else { hasValue = true }
        guard hasValue || !keywords.names.isEmpty else {
            throw KLSError("save: nothing to save: pass a value, or name=value arguments")
        }
        if compress, format != .npz {
            throw KLSError("save: compress=true applies to .npz files only")
        }
        switch format {
        case .safetensors:
            throw KLSError("internal: save to .safetensors")
        case .npy:
            guard keywords.names.isEmpty else {
                throw KLSError("save: a .npy file holds one array", hint: "save several as .npz")
            }
            let tensor = try array(value, what: "save: value")
            try session.environment.createFile(path) { sink throws(KLSError) in try NPYFile.write(tensor, to: sink) }
        case .npz:
            let arrays = try namedArrays(value, keywords, defaultName: "arr_0")
            try session.environment.createFile(path) { sink throws(KLSError) in
                try NPZFile.write(arrays, compressed: compress, to: sink)
            }
        case .csv, .tsv:
            try saveDelimited(value, keywords, hasValue: hasValue, to: path, format == .tsv ? 0x09 : 0x2C, session)
        case .json:
            let json: JSONValue
            if !keywords.names.isEmpty {
                var pairs = hasValue ? [("value", try jsonValue(value, at: "value"))] : []
                for (name, item) in zip(keywords.names, keywords.values) {
                    pairs.append((name, try jsonValue(item, at: name)))
                }
                json = .object(pairs)
            } else {
                json = try jsonValue(value, at: "value")
            }
            try session.environment.writeFile(path, contents: json.text())
        }
    }

    private static func saveDelimited(
        _ value: Value, _ keywords: Record, hasValue: Bool, to path: String, _ delimiter: UInt8,
        _ session: Interpreter
    ) throws(KLSError) {
        let writer = DelimitedWriter(delimiter: delimiter)
        if case .record = value {
        } else if keywords.names.isEmpty {
            let tensor = try array(value, what: "save: value")
            try session.environment.createFile(path) { sink throws(KLSError) in try writer.write(tensor, to: sink) }
            return
        }
        let columns = try namedArrays(value, keywords, defaultName: "value")
        try session.environment.createFile(path) { sink throws(KLSError) in
            try writer.write(columns: columns, to: sink)
        }
    }

    /// A record's fields and the keyword arguments, each as a tensor.
    private static func namedArrays(_ value: Value, _ keywords: Record, defaultName: String) throws(KLSError)
        -> [(String, Tensor)]
    {
        var arrays: [(String, Tensor)] = []
        switch value {
        case .none: break
        case .record(let r):
            for (name, item) in zip(r.names, r.values) {
                arrays.append((name, try array(item, what: "save: field '\(name)'")))
            }
        default:
            arrays.append((defaultName, try array(value, what: "save: value")))
        }
        for (name, item) in zip(keywords.names, keywords.values) {
            guard !arrays.contains(where: { $0.0 == name }) else {
                throw KLSError("save: two arrays are called '\(name)'")
            }
            arrays.append((name, try array(item, what: "save: \(name)")))
        }
        return arrays
    }

    private static func array(_ value: Value, what: String) throws(KLSError) -> Tensor {
        switch value {
        case .record(let r):
            throw KLSError("\(what) is a \(r.kind), not an array", hint: "save records and estimates as .json")
        case .distribution, .function, .string, .none:
            throw KLSError("\(what) is a \(value.typeName), not an array")
        default:
            return try value.asTensor(what)
        }
    }

    /// A value as JSON; functions have no JSON form.
    static func jsonValue(_ value: Value, at path: String) throws(KLSError) -> JSONValue {
        switch value {
        case .number(let x): return .number(x)
        case .bool(let b): return .bool(b)
        case .string(let s): return .string(s.string)
        case .none: return .null
        case .tensor(let t): return .tensor(t)
        case .traced(let t): return .tensor(t.value)
        case .deferred(let d): return .tensor(try d.tensor())
        case .list(let items):
            var out: [JSONValue] = []
            for (i, item) in items.enumerated() { out.append(try jsonValue(item, at: "\(path)[\(i)]")) }
            return .array(out)
        case .record(let r):
            var pairs: [(String, JSONValue)] = []
            for (name, item) in zip(r.names, r.values) {
                pairs.append((name, try jsonValue(item, at: "\(path).\(name)")))
            }
            return .object(pairs)
        case .distribution:
            return .string(Formatter().inline(value))
        case .function:
            throw KLSError("save: \(path) is a function, which JSON cannot hold")
        }
    }
}
