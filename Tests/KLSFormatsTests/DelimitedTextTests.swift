import KLSDiagnostics
import KLSFormats
import KLSTensor
import Testing

@Suite struct DelimitedTextTests {
    func read(_ text: String, delimiter: UInt8 = 0x2C, header: Bool? = nil) throws -> DelimitedTable {
        try DelimitedReader(delimiter: delimiter, header: header).read(
            from: MemoryBytes(Array(text.utf8), name: "t.csv"))
    }

    func matrix(_ text: String, delimiter: UInt8 = 0x2C) throws -> Tensor {
        guard case .matrix(let t) = try read(text, delimiter: delimiter) else { throw KLSError("expected a matrix") }
        return t
    }

    func failure(_ text: String) -> String {
        do {
            _ = try read(text)
            return "no error"
        } catch let error as KLSError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func numbersCommentsAndBlankLines() throws {
        let t = try matrix("# made by hand\n1, 2.5,-3\r\n\n  4,5e-3 ,inf # note\n7,nan,-0\n")
        #expect(t.shape == [3, 3])
        #expect(t.values[0..<5] == [1, 2.5, -3, 4, 5e-3] && t.values[5] == Double.infinity && t.values[7].isNaN)
    }

    @Test func oneColumnOrOneRowIsAVector() throws {
        #expect(try matrix("1\n2\n3\n").shape == [3])
        #expect(try matrix("1,2,3\n").shape == [3])
        #expect(try matrix("1\t2\n3\t4", delimiter: 0x09).shape == [2, 2])
    }

    @Test func aHeaderGivesNamedColumns() throws {
        guard case .columns(let columns) = try read("mu,\"log var\"\n1,2\n3,4\n") else {
            Issue.record("no header found")
            return
        }
        #expect(columns.map(\.0) == ["mu", "log var"])
        #expect(columns[1].1.values == [2, 4])
        guard case .matrix = try read("1,2\n3,4\n", header: false),
            case .columns(let forced) = try read(
                "1,2\n3,4\n", header: true)
        else {
            Issue.record("header= not honoured")
            return
        }
        #expect(forced.map(\.0) == ["1", "2"] && forced[0].1.values == [3])
    }

    @Test func manyLinesSplitBetweenCoresKeepTheirOrder() throws {
        let rows = (0..<20_000).map { "\($0),\(Double($0) / 7)" }.joined(separator: "\n")
        let t = try matrix(rows)
        #expect(t.shape == [20_000, 2])
        let values = t.values
        let ordered = (0..<20_000).allSatisfy { (i: Int) -> Bool in
            values[2 * i] == Double(i) && values[2 * i + 1] == Double(i) / 7
        }
        #expect(ordered)
    }

    @Test func errorsNameTheLineAndColumn() {
        #expect(failure("a,b\n1,2\n3\n") == "t.csv, line 3, column 2: the row has 1 cell, the first row has 2")
        #expect(failure("1,2\n3,4,5\n") == "t.csv, line 2, column 3: the row has 3 cells, the first row has 2")
        #expect(failure("1,2\n# c\n3,x\n") == "t.csv, line 3, column 2: \"x\" is not a number")
        #expect(failure("1,2\n,4\n") == "t.csv, line 2, column 1: the cell is empty")
        #expect(failure("1,2\n3,4abc\n") == "t.csv, line 2, column 2: \"4abc\" is not a number")
        #expect(failure("# nothing\n\n") == "t.csv: no data (the file is empty, or holds only comments)")
        #expect(failure("x,x\n1,2\n") == "t.csv:1: the header names column 'x' twice")
        let far = (1...30_000).map { _ in "1,2" }.joined(separator: "\n") + "\n1,oops\n"
        #expect(failure(far) == "t.csv, line 30001, column 2: \"oops\" is not a number")
    }

    @Test func writesShortestRoundTripNumbers() throws {
        let values: [Double] = [1, 0.1, -0.0, 1e-5, .pi, 1e300, Double.leastNonzeroMagnitude, .infinity, -.infinity]
        let sink = MemorySink()
        try DelimitedWriter(delimiter: 0x2C).write(try Tensor(shape: [3, 3], values: values), to: sink)
        let text = String(decoding: sink.bytes, as: UTF8.self)
        #expect(text == "1,0.1,-0\n1e-05,3.141592653589793,1e+300\n5e-324,inf,-inf\n")
        let back = try matrix(text)
        #expect(zip(back.values, values).allSatisfy { $0.bitPattern == $1.bitPattern })
    }

    @Test func columnsWithAHeaderRoundTrip() throws {
        let sink = MemorySink()
        let columns = [("a", try Tensor([1, 2])), ("b,c", try Tensor([0.5, -1]))]
        try DelimitedWriter(delimiter: 0x2C).write(columns: columns, to: sink)
        #expect(String(decoding: sink.bytes, as: UTF8.self) == "a,\"b,c\"\n1,0.5\n2,-1\n")
        guard case .columns(let back) = try read(String(decoding: sink.bytes, as: UTF8.self)) else {
            Issue.record("no header read back")
            return
        }
        #expect(back.map(\.0) == ["a", "b,c"] && back[1].1.values == [0.5, -1])
    }

    @Test func refusesWhatDoesNotFitRowsAndColumns() {
        #expect(throws: KLSError.self) {
            try DelimitedWriter(delimiter: 0x2C).write(
                try Tensor(shape: [2, 2, 2], values: Array(repeating: 0, count: 8)), to: MemorySink())
        }
        #expect(throws: KLSError.self) {
            try DelimitedWriter(delimiter: 0x2C).write(
                columns: [("a", try Tensor([1])), ("b", try Tensor([1, 2]))], to: MemorySink())
        }
    }

    @Test func jsonOfNestedValues() throws {
        let value = JSONValue.object([
            ("name", .string("q\"1\n")), ("x", .tensor(try Tensor(shape: [2, 2], values: [1, 2, 3, .nan]))),
            ("items", .array([.number(-.infinity), .null, .bool(true)])), ("empty", .object([])),
        ])
        #expect(
            value.text() == """
                {
                  "name": "q\\"1\\n",
                  "x": [[1, 2], [3, NaN]],
                  "items": [-Infinity, null, true],
                  "empty": {}
                }

                """)
    }
}
