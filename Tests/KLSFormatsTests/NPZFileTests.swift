import Foundation
import KLSDiagnostics
import KLSFormats
import KLSTensor
import Testing

@Suite struct NPZFileTests {
    @Test(arguments: ["stored.npz", "deflated.npz"])
    func readsWhatNumPyWrote(_ name: String) throws {
        let (arrays, notes) = try NPZFile.read(from: try Fixtures.source(name))
        let expected = try #require(Fixtures.manifest[name] as? [String: Any])
        #expect(arrays.map(\.0) == ["mu", "logvar", "n"])
        #expect(notes.isEmpty)
        for (arrayName, tensor) in arrays {
            let want = try #require(Fixtures.expected(expected[arrayName]))
            #expect(Fixtures.matches(tensor, want), "\(arrayName)")
        }
    }

    @Test(arguments: [false, true])
    func roundTrips(_ compressed: Bool) throws {
        let arrays = [
            ("a", try Tensor(shape: [2, 2], values: [1, 2, 3, .pi])), ("b", Tensor(scalar: -0.5)),
            ("empty", try Tensor(shape: [0], values: [])),
        ]
        let sink = MemorySink()
        try NPZFile.write(arrays, compressed: compressed, to: sink)
        let (back, _) = try NPZFile.read(from: MemoryBytes(sink.bytes, name: "r.npz"))
        #expect(back.map(\.0) == ["a", "b", "empty"])
        for ((_, x), (_, y)) in zip(arrays, back) {
            #expect(x.shape == y.shape && x.values == y.values)
        }
    }

    @Test func aDamagedEntryIsAnErrorNamingIt() throws {
        let error = try #require(
            thrownError { _ = try NPZFile.read(from: try Fixtures.source("corrupted.npz")) }, "read a damaged archive")
        #expect(error.message.hasPrefix("corrupted.npz"), "\(error.message)")
    }

    @Test func notAZipArchive() throws {
        let error = try #require(
            thrownError { _ = try NPZFile.read(from: MemoryBytes(Array("hello".utf8), name: "x.npz")) },
            "read text as a zip")
        #expect(error.message.hasPrefix("x.npz: not a zip archive"), "\(error.message)")
    }
}
