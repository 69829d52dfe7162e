import Foundation
import KLSDiagnostics
import KLSTensor

/// Writes tensors and named columns as delimited text (CSV, TSV), every number
/// in the shortest form that reads back exactly.
public struct DelimitedWriter {
    /// The byte between cells.
    public var delimiter: UInt8

    /// A writer separating cells with `delimiter`.
    public init(delimiter: UInt8) {
        self.delimiter = delimiter
    }

    /// A scalar as one cell, a vector as one value per line, a matrix as rows.
    public func write(_ tensor: Tensor, to sink: any ByteSink) throws(KLSError) {
        guard tensor.rank <= 2 else {
            throw KLSError(
                "a tensor of shape \(Shape.describe(tensor.shape)) does not fit in rows and columns",
                hint: "save it as .npy, or reshape it to two axes first")
        }
        let width = tensor.rank == 2 ? tensor.shape[1] : 1
        let rows = tensor.rank == 2 ? tensor.shape[0] : tensor.count
        var out = BufferedSink(sink)
        try withExtendedLifetime(tensor) { () throws(KLSError) in
            let values = tensor.storage.buffer
            for i in 0..<rows {
                for j in 0..<width {
                    if j > 0 { out.append(byte: delimiter) }
                    try out.append(NumberText.shortest(values[i * width + j]))
                }
                out.append(byte: 0x0A)
            }
        }
        try out.flush()
    }

    /// A header line of names, then one row per element of the equal-length columns.
    public func write(columns: [(String, Tensor)], to sink: any ByteSink) throws(KLSError) {
        guard let rows = columns.first?.1.count else { throw KLSError("there are no columns to save") }
        for (name, column) in columns where column.rank > 1 || column.count != rows {
            throw KLSError(
                "column '\(name)' has shape \(Shape.describe(column.shape)); every column must be a vector of "
                    + "\(rows) (the length of '\(columns[0].0)')")
        }
        var out = BufferedSink(sink)
        try out.append(columns.map { quoted($0.0) }.joined(separator: String(UnicodeScalar(delimiter))) + "\n")
        try withExtendedLifetime(columns) { () throws(KLSError) in
            let buffers = columns.map { $0.1.storage.buffer }
            for i in 0..<rows {
                for (j, values) in buffers.enumerated() {
                    if j > 0 { out.append(byte: delimiter) }
                    try out.append(NumberText.shortest(values[i]))
                }
                out.append(byte: 0x0A)
            }
        }
        try out.flush()
    }

    /// A header cell, quoted when it holds the delimiter, a quote, `#` or spaces at an end.
    private func quoted(_ name: String) -> String {
        let special = name.utf8.contains { $0 == delimiter || $0 == 0x22 || $0 == 0x23 || $0 == 0x0A }
        guard special || name.first == " " || name.last == " " else { return name }
        return "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
