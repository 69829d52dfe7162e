import KLSDiagnostics

// strtod: the C library of whichever platform builds kls.
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A problem in one row, located within the lines a parse covered.
struct RowFailure: Error {
    /// 1-based among the physical lines of the part parsed (0: the line given).
    var line: Int
    /// 1-based column (cell) number.
    var column: Int
    var message: String

    /// The error, with the file's line number.
    func error(_ name: String, line base: Int) -> KLSError {
        KLSError("\(name), line \(base + line), column \(column): \(message)")
    }
}

/// The rows of one part of a file: numbers in row-major order.
struct PartResult {
    var values: [Double] = []
    var rows = 0
    /// Physical lines consumed, blank and comment lines included.
    var lines = 0
    var failure: RowFailure?
}

/// A scanner over the bytes of a delimited text file, which end with a NUL.
struct DelimitedText: @unchecked Sendable {
    let bytes: UnsafeBufferPointer<UInt8>
    /// Index of the terminating NUL.
    let end: Int
    let delimiter: UInt8

    private static let newline = UInt8(ascii: "\n")
    private static let comment = UInt8(ascii: "#")
    private static let quote = UInt8(ascii: "\"")

    private func isSpace(_ c: UInt8) -> Bool {
        (c == 0x20 || c == 0x09 || c == 0x0D) && c != delimiter
    }

    /// The next line with content, from `cursor`: its range without the comment
    /// and surrounding spaces. Advances `cursor` past it and counts lines.
    func nextLine(from cursor: inout Int, lineNumber: inout Int) -> Range<Int>? {
        while cursor < end {
            let start = cursor
            var stop = start
            while stop < end, bytes[stop] != Self.newline { stop += 1 }
            cursor = Swift.min(stop + 1, end)
            lineNumber += 1
            let content = trimmed(start..<stop)
            if !content.isEmpty { return content }
        }
        return nil
    }

    /// `range` without a `#` comment and without spaces at either end.
    func trimmed(_ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.lowerBound
        var quoted = false
        while upper < range.upperBound, quoted || bytes[upper] != Self.comment {
            if bytes[upper] == Self.quote { quoted.toggle() }
            upper += 1
        }
        while lower < upper, isSpace(bytes[lower]) { lower += 1 }
        while upper > lower, isSpace(bytes[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    /// The cells of a line, each without surrounding spaces and quotes.
    func cells(of line: Range<Int>) -> [Range<Int>] {
        var cells: [Range<Int>] = []
        var start = line.lowerBound
        var i = start
        var quoted = false
        while i <= line.upperBound {
            if i < line.upperBound, bytes[i] == Self.quote { quoted.toggle() }
            if i == line.upperBound || (!quoted && bytes[i] == delimiter) {
                cells.append(unquoted(trimmed(start..<i)))
                start = i + 1
            }
            i += 1
        }
        return cells
    }

    private func unquoted(_ cell: Range<Int>) -> Range<Int> {
        guard cell.count >= 2, bytes[cell.lowerBound] == Self.quote, bytes[cell.upperBound - 1] == Self.quote else {
            return cell
        }
        return cell.lowerBound + 1..<cell.upperBound - 1
    }

    /// The cell's text (for header names and messages).
    func string(in cell: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[cell]), as: UTF8.self)
    }

    /// The cell as a number, when all of it is one.
    func number(in cell: Range<Int>) -> Double? {
        guard !cell.isEmpty else { return nil }
        guard let (value, stop) = scan(at: cell.lowerBound), stop == cell.upperBound else { return nil }
        return value
    }

    /// strtod at `offset` (kls never calls `setlocale`, so the decimal point is
    /// C's `.` whatever `LC_NUMERIC` says): the value and where it stopped, or nil when no number starts there.
    private func scan(at offset: Int) -> (Double, Int)? {
        guard let base = bytes.baseAddress else { return nil }
        let start = UnsafeMutableRawPointer(mutating: base + offset).assumingMemoryBound(to: CChar.self)
        var stop: UnsafeMutablePointer<CChar>?
        let value = strtod(start, &stop)
        guard let stop, stop != start else { return nil }
        return (value, offset + (stop - start))
    }

    /// Offsets that cut `start..<end` into about `parts` pieces at line starts.
    func splitPoints(from start: Int, parts: Int) -> [Int] {
        var points = [start]
        let span = (end - start) / parts
        for k in 1..<Swift.max(1, parts) {
            var p = Swift.max(points[points.count - 1], start + k * span)
            while p < end, p > start, bytes[p - 1] != Self.newline { p += 1 }
            if p > points[points.count - 1], p < end { points.append(p) }
        }
        points.append(end)
        return points
    }

    /// Parses every line in `from..<to` (which start and end at line boundaries).
    func parseLines(from start: Int, to stop: Int, width: Int) -> PartResult {
        var result = PartResult()
        result.values.reserveCapacity(Swift.max(0, (stop - start) / Swift.max(1, width * 4)) * width)
        var cursor = start
        while cursor < stop {
            var lineEnd = cursor
            while lineEnd < stop, bytes[lineEnd] != Self.newline { lineEnd += 1 }
            result.lines += 1
            let line = trimmed(cursor..<lineEnd)
            cursor = lineEnd + 1
            guard !line.isEmpty else { continue }
            if var failure = parseRow(line, width: width, into: &result.values) {
                failure.line = result.lines
                result.failure = failure
                return result
            }
            result.rows += 1
        }
        return result
    }

    /// Appends the `width` numbers of `line`, or says what is wrong with it.
    func parseRow(_ line: Range<Int>, width: Int, into values: inout [Double]) -> RowFailure? {
        var p = line.lowerBound
        for column in 1...width {
            while p < line.upperBound, isSpace(bytes[p]) { p += 1 }
            let quoted = p < line.upperBound && bytes[p] == Self.quote
            if quoted { p += 1 }
            guard p < line.upperBound, bytes[p] != delimiter, let (value, stop) = scan(at: p), stop <= line.upperBound
            else { return badCell(line, column: column, width: width) }
            values.append(value)
            p = stop
            if quoted {
                guard p < line.upperBound, bytes[p] == Self.quote else {
                    return badCell(line, column: column, width: width)
                }
                p += 1
            }
            while p < line.upperBound, isSpace(bytes[p]) { p += 1 }
            if column < width {
                guard p < line.upperBound, bytes[p] == delimiter else {
                    return badCell(line, column: column, width: width)
                }
                p += 1
            } else if p != line.upperBound {
                return badCell(line, column: column, width: width)
            }
        }
        return nil
    }

    /// Why a row failed: a ragged row, an empty cell, or one that is not a number.
    private func badCell(_ line: Range<Int>, column: Int, width: Int) -> RowFailure {
        let cells = cells(of: line)
        if cells.count != width {
            return RowFailure(
                line: 0, column: Swift.min(cells.count, width) + 1,
                message: "the row has \(cells.count) \(cells.count == 1 ? "cell" : "cells"), the first row has \(width)"
            )
        }
        for (index, cell) in cells.enumerated() where number(in: cell) == nil {
            if cell.isEmpty { return RowFailure(line: 0, column: index + 1, message: "the cell is empty") }
            return RowFailure(line: 0, column: index + 1, message: "\"\(string(in: cell))\" is not a number")
        }
        return RowFailure(line: 0, column: column, message: "cannot read the cell")
    }
}
