import Foundation
import KLSDiagnostics
import KLSTensor

/// What `load` makes of a CSV or TSV file.
public enum DelimitedTable {
    /// Numbers only: a `rows × columns` tensor (NumPy's `loadtxt` shape: one
    /// column or one row gives a vector).
    case matrix(Tensor)
    /// A header line named the columns: each column as a vector.
    case columns([(String, Tensor)])
}

/// Reads numeric delimited text (CSV, TSV): `#` comments and blank lines
/// skipped, an optional header line, every other cell a number.
///
/// Written by hand rather than on a CSV package: those give a `String` per cell,
/// and a million rows of eight numbers would cost seconds. Numbers go through
/// `strtod` (correctly rounded, so `save` then `load` is exact), and the lines
/// after the first are split between the cores at line boundaries.
public struct DelimitedReader {
    /// The byte between cells: `,` or tab.
    public var delimiter: UInt8
    /// Whether the first line names the columns; nil to detect it (a first line
    /// with a cell that is not a number is a header).
    public var header: Bool?

    /// A reader for `delimiter`-separated cells.
    public init(delimiter: UInt8, header: Bool? = nil) {
        self.delimiter = delimiter
        self.header = header
    }

    /// The table in `source`.
    public func read(from source: any ByteSource) throws(KLSError) -> DelimitedTable {
        var bytes = try source.allBytes()
        bytes.append(0)  // strtod stops at the terminator at the latest
        return try bytes.withUnsafeBufferPointer { buffer throws(KLSError) in
            try parse(DelimitedText(bytes: buffer, end: buffer.count - 1, delimiter: delimiter), name: source.name)
        }
    }

    private func parse(_ text: DelimitedText, name: String) throws(KLSError) -> DelimitedTable {
        var cursor = 0
        var lineNumber = 0
        guard let first = text.nextLine(from: &cursor, lineNumber: &lineNumber) else {
            throw KLSError("\(name): no data (the file is empty, or holds only comments)")
        }
        let firstCells = text.cells(of: first)
        let isHeader = header ?? firstCells.contains { text.number(in: $0) == nil }
        let names = isHeader ? try columnNames(firstCells, text: text, name: name, line: lineNumber) : nil
        let width = firstCells.count
        var values: [Double] = []
        var rows = 0
        if !isHeader {
            if let failure = text.parseRow(first, width: width, into: &values) {
                throw failure.error(name, line: lineNumber)
            }
            rows = 1
        }
        let rest = try parseRest(text, from: cursor, width: width, firstLine: lineNumber, name: name)
        values += rest.values
        rows += rest.rows
        return try table(values, rows: rows, width: width, names: names, name: name)
    }

    private func columnNames(
        _ cells: [Range<Int>], text: DelimitedText, name: String, line: Int
    ) throws(KLSError) -> [String] {
        var names: [String] = []
        for (column, cell) in cells.enumerated() {
            var label = text.string(in: cell).replacingOccurrences(of: "\"\"", with: "\"")
            if label.isEmpty { label = "column\(column + 1)" }
            guard !names.contains(label) else {
                throw KLSError("\(name):\(line): the header names column '\(label)' twice")
            }
            names.append(label)
        }
        return names
    }

    /// Parses the lines after `start`, split between the cores at line boundaries.
    private func parseRest(
        _ text: DelimitedText, from start: Int, width: Int, firstLine: Int, name: String
    ) throws(KLSError) -> (values: [Double], rows: Int) {
        let bounds = text.splitPoints(from: start, parts: Swift.max(1, Swift.min(Parallel.workers, 8)))
        let parts = Parallel.mapChunks(bounds.count - 1, cost: Int.max / 4) { range in
            range.map { text.parseLines(from: bounds[$0], to: bounds[$0 + 1], width: width) }
        }.flatMap { $0 }
        var values: [Double] = []
        values.reserveCapacity(parts.reduce(0) { $0 + $1.values.count })
        var rows = 0
        var line = firstLine
        for part in parts {
            if let failure = part.failure { throw failure.error(name, line: line) }
            values += part.values
            rows += part.rows
            line += part.lines
        }
        return (values, rows)
    }

    private func table(
        _ values: [Double], rows: Int, width: Int, names: [String]?, name: String
    ) throws(KLSError) -> DelimitedTable {
        if let names {
            var columns: [(String, Tensor)] = []
            for (j, label) in names.enumerated() {
                columns.append(
                    (
                        label,
                        try Tensor(shape: [rows]) { out in
                            for i in 0..<rows { out[i] = values[i * width + j] }
                        }
                    ))
            }
            return .columns(columns)
        }
        let shape = width == 1 ? [rows] : rows == 1 ? [width] : [rows, width]
        return .matrix(try Tensor(shape: shape, values: values))
    }
}
