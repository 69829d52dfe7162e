import KLSDiagnostics
import KLSFormats
import KLSTensor

/// Reading and writing data files: NumPy's `.npy`/`.npz`, CSV/TSV and JSON.
/// The files are reached through the session's environment.
enum FileBuiltins {
    static let all: [Builtin] = [
        Builtin(
            "load",
            [
                .required("path").meaning("a .npy, .npz, .safetensors, .csv or .tsv file"),
                .optional("header").meaning(
                    "true/false: the first line of a text file is (not) a header; none: guessed"),
                .optional("delimiter").meaning("the column separator of a text file; none: from the extension"),
            ], theme: .files,
            summary: "Reads a .npy (a tensor), .npz or .safetensors (a record of tensors), or .csv/.tsv file.",
            example: "load(save(\"kl.npy\", [0.5, 0.25]))",
            details: [
                ".npy/.npz: float16/32/64, signed and unsigned integers and bool, either byte order, C or",
                "  Fortran order, all read as float64. .npz: stored (np.savez) or deflated (np.savez_compressed).",
                ".safetensors: a state dict (PyTorch, JAX, Hugging Face), every dtype (F64 … BF16, F8, integers,",
                "  BOOL) read as float64, in name order; a name with dots is read as w[\"enc.0.weight\"].",
                ".csv/.tsv: numbers, # comments and blank lines skipped; a first line that is not all numbers",
                "  is a header and gives a record of columns (header=true/false overrides the guess).",
                "delimiter=\",\" reads any file as delimited text; one row or one column gives a vector.",
            ]
        ) { a, session throws(KLSError) in
            let path = try a.string("path")
            let header: Bool? = a.isNone("header") ? nil : try a.bool("header")
            let delimiter =
                a.isNone("delimiter")
                ? nil
                : try a.read("delimiter") { v, what throws(KLSError) in
                    try delimiterByte(v, what)
                }
            return try a.read("path") { _, _ throws(KLSError) in
                try DataFiles.load(path, header: header, delimiter: delimiter, session)
            }
        },
        Builtin(
            "save",
            [
                .required("path").meaning("a .npy, .npz or .csv file to write (replaced atomically)"),
                .optional("value").meaning("the tensor to save (a record for .npz)"),
                .optional("compress", .bool(false)).meaning("true deflates a .npz (np.savez_compressed)"),
                .keywords("arrays").meaning("name=tensor pairs for a .npz"),
            ],
            theme: .files,
            summary: "Writes value (or name=value arguments) to a .npy, .npz, .csv/.tsv or .json file; returns path.",
            example: "save(\"kl.npz\", mu=[0, 1], kl=[0.5, 0.25])",
            details: [
                ".npy: one tensor as float64. .npz: a record's tensors, or name=value arguments (compress=true",
                "  deflates them, as np.savez_compressed). .csv/.tsv: a tensor of up to two axes, or a record of",
                "  equal-length columns under a header. .json: records, estimates, lists, tensors, numbers.",
                "Numbers are written exactly: load(save(p, x)) == x. The file is written whole or not at all.",
            ]
        ) { a, session throws(KLSError) in
            let path = try a.string("path")
            let compress = try a.bool("compress")
            guard case .record(let keywords) = a["arrays"] else { return .none }
            let value = a["value"]
            try a.read("path") { _, _ throws(KLSError) in
                try DataFiles.save(value, keywords: keywords, to: path, compress: compress, session)
            }
            return .string(try Text(path))
        },
    ]

    private static func delimiterByte(_ v: Value, _ what: String) throws(KLSError) -> UInt8 {
        let text = try v.asString(what)
        guard text.utf8.count == 1, let byte = text.utf8.first, byte != 0x22, byte != 0x23, byte != 0x0A else {
            throw KLSError("\(what) must be one character other than a quote, # or a newline, got \"\(text)\"")
        }
        return byte
    }
}
