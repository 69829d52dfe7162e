import Foundation
import KLSDiagnostics
import KLSFormats
import KLSTensor
import Testing

/// The fixtures are written by the `safetensors` package, and the values they
/// must read as by NumPy and ml_dtypes (Tests/References/safetensors_fixtures.py).
@Suite struct SafetensorsFileTests {
    static let folder = "safetensors/"

    @Test func readsEveryDtypeAsNumPyWidensIt() throws {
        let (tensors, notes) = try SafetensorsFile.read(
            from: try Fixtures.source(Self.folder + "every_dtype.safetensors"))
        #expect(notes.isEmpty)
        let (expected, _) = try NPZFile.read(from: try Fixtures.source(Self.folder + "every_dtype_expected.npz"))
        // Name order, as safe_open(f).keys() lists them.
        #expect(tensors.map(\.0) == expected.map(\.0).sorted())
        for (name, want) in expected {
            let got = try #require(tensors.first { $0.0 == name }?.1, "\(name)")
            #expect(got.shape == want.shape, "\(name)")
            let same = zip(got.values, want.values).allSatisfy { a, b in
                a.isNaN ? b.isNaN : a == b && a.sign == b.sign
            }
            #expect(same && got.count == want.count, "\(name): \(got.values) vs \(want.values)")
        }
    }

    @Test func roundedIntegersAreNoted() throws {
        let (tensors, notes) = try SafetensorsFile.read(from: try Fixtures.source(Self.folder + "rounded.safetensors"))
        #expect(tensors[0].1.values == [9_007_199_254_740_992, 3])
        #expect(notes.count == 1 && notes[0].contains("'big'"), "\(notes)")
    }

    @Test(arguments: [
        ("complex.safetensors", "dtype C64, which kls does not read"),
        ("truncated.safetensors", "truncated file: the header promises"),
        ("header_cut.safetensors", "its header claims 1224 bytes, and 32 follow"),
        ("tiny.safetensors", "shorter than its 8-byte header size"),
        ("bad_json.safetensors", "header is not valid JSON"),
        ("huge_header.safetensors", "header claims 1000000000000 bytes"),
        ("bad_offsets.safetensors", "hold 12 bytes, but F32 of shape [2, 2] needs 16"),
    ])
    func brokenFilesAreClearErrors(_ name: String, _ message: String) throws {
        let error = try #require(
            thrownError { _ = try SafetensorsFile.read(from: try Fixtures.source(Self.folder + name)) })
        #expect(error.message.hasPrefix(Self.folder + name), "\(error.message)")
        #expect(error.message.contains(message), "\(error.message)")
    }

    /// Every cut of a good file is refused with an error, never a crash or a partial read.
    @Test func everyTruncationIsAnError() throws {
        let good = try Fixtures.source(Self.folder + "every_dtype.safetensors")
        let bytes = try good.allBytes()
        for length in stride(from: 0, to: bytes.count, by: 7) {
            let cut = MemoryBytes(Array(bytes[..<length]), name: "cut")
            #expect(thrownError { _ = try SafetensorsFile.read(from: cut) } != nil, "\(length) bytes")
        }
    }

    @Test func e4m3FollowsTheFnVariant() throws {
        // 0x7F is NaN; 0x7E is the largest finite, 448; no infinities.
        let header = #"{"a":{"dtype":"F8_E4M3","shape":[3],"data_offsets":[0,3]}}"#
        var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { Array($0) } + Array(header.utf8)
        bytes += [0x7F, 0x7E, 0x01]
        let (tensors, _) = try SafetensorsFile.read(from: MemoryBytes(bytes, name: "e4m3"))
        let v = tensors[0].1.values
        #expect(v[0].isNaN && v[1] == 448 && v[2] == 0x1p-9)
    }
}
