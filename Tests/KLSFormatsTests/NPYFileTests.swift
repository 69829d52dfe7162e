import Foundation
import KLSDiagnostics
import KLSFormats
import KLSTensor
import Testing

@Suite struct NPYFileTests {
    static let numericFiles = Fixtures.manifest.keys.filter { $0.hasSuffix(".npy") }.sorted()

    @Test func manifestCoversEveryTypeOrderAndByteOrder() {
        #expect(Self.numericFiles.count == 46)
    }

    @Test(arguments: numericFiles)
    func readsWhatNumPyWrote(_ name: String) throws {
        let (tensor, note) = try NPYFile.read(from: try Fixtures.source(name))
        let expected = try #require(Fixtures.expected(Fixtures.manifest[name]))
        #expect(Fixtures.matches(tensor, expected), "\(name): \(tensor.values) vs \(expected.values)")
        // Only 64-bit integers near their extremes have no exact double.
        #expect((note != nil) == (name.hasPrefix("i8") || name.hasPrefix("u8")))
    }

    @Test(arguments: [[], [5], [2, 3], [0]])
    func writesTheBytesNumPyWrites(_ shape: [Int]) throws {
        let name = "header_" + shape.map(String.init).joined(separator: "x") + ".npy"
        let numpy = try Fixtures.source(name).storage
        let count = shape.reduce(1, *)
        let tensor = try Tensor(shape: shape, values: (0..<count).map(Double.init))
        let sink = MemorySink()
        try NPYFile.write(tensor, to: sink)
        #expect(sink.bytes == numpy)
    }

    @Test func roundTripsEveryDoubleExactly() throws {
        let values: [Double] = [
            0, -0.0, .pi, -.infinity, .infinity, .nan, Double.leastNonzeroMagnitude, .greatestFiniteMagnitude, 0.1,
        ]
        let sink = MemorySink()
        try NPYFile.write(try Tensor(shape: [3, 3], values: values), to: sink)
        let (back, _) = try NPYFile.read(from: MemoryBytes(sink.bytes, name: "x.npy"))
        #expect(zip(back.values, values).allSatisfy { $0.bitPattern == $1.bitPattern })
    }

    @Test(arguments: [
        ("complex.npy", "complex128 ('<c16') is not supported"),
        ("object.npy", "an object array ('|O')"),
        ("structured.npy", "a structured dtype ([('a', '<f8'), ('b', '<i4')]) is not supported"),
        ("strings.npy", "a string array ('<U2') is not supported"),
        (
            "truncated_data.npy",
            "truncated data: shape [3, 4] of float64 needs 96 bytes after the 128-byte header, the file has 91"
        ),
        ("truncated_header.npy", "truncated .npy header: it needs 128 bytes, the file has 40"),
        ("bad_magic.npy", "not a NumPy .npy file"),
        ("bad_dict.npy", "corrupted .npy header at byte 19: expected ':' after 'descr'"),
    ])
    func refusesWithTheFileAndWhy(_ name: String, _ message: String) throws {
        let error = try #require(
            thrownError { _ = try NPYFile.read(from: try Fixtures.source(name)) }, "\(name) was read")
        #expect(error.message.hasPrefix(name + ": "), "\(error.message)")
        #expect(error.message.contains(message), "\(error.message)")
    }

    @Test func checksTheMemoryLimitFromTheHeaderAlone() throws {
        // A header promising 2^40 doubles, followed by no data at all.
        let header = NPYHeader.encodeFloat64(shape: [1 << 20, 1 << 20])
        let error = try #require(
            thrownError { _ = try NPYFile.read(from: MemoryBytes(header, name: "huge.npy")) }, "read a 8 TiB array")
        #expect(error.kind == .resource)
        #expect(error.message.contains("huge.npy: shape [1048576, 1048576] of float64 needs 8 TiB"), "\(error.message)")
        #expect(error.message.contains("the file holds only 0 bytes of data"))
    }

    @Test func acceptsPython2LongsAndVersion2Headers() throws {
        let dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2L,), }"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [2, 0]
        let length = dict.utf8.count + 1
        bytes += [UInt8(length & 0xFF), UInt8(length >> 8), 0, 0] + Array(dict.utf8) + [0x0A]
        withUnsafeBytes(of: 1.5) { bytes += $0 }
        withUnsafeBytes(of: -2.0) { bytes += $0 }
        let (tensor, _) = try NPYFile.read(from: MemoryBytes(bytes, name: "v2.npy"))
        #expect(tensor.shape == [2] && tensor.values == [1.5, -2])
    }

    @Test func halfPrecisionEdgeCases() throws {
        // Bit patterns against values from np.float16(...).view(np.uint16).
        let cases: [(UInt16, Double)] = [
            (0x3C00, 1), (0xC000, -2), (0x7BFF, 65504), (0x0001, 5.960464477539063e-08), (0x0400, 6.103515625e-05),
            (0x7C00, .infinity), (0xFC00, -.infinity), (0x8000, -0.0), (0x3555, 0.333251953125),
        ]
        for (bits, value) in cases {
            var bytes = NPYHeader.encodeFloat64(shape: [1])
            let descr = Array("'<f8'".utf8)
            let at = try #require(bytes.firstRange(of: descr))
            bytes.replaceSubrange(at, with: Array("'<f2'".utf8))
            bytes += [UInt8(bits & 0xFF), UInt8(bits >> 8)]
            let (tensor, _) = try NPYFile.read(from: MemoryBytes(bytes, name: "h.npy"))
            #expect(tensor.values[0] == value && tensor.values[0].sign == value.sign, "\(bits)")
        }
    }
}
