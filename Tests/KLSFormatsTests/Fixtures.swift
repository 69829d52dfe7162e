import Foundation
import KLSDiagnostics
import KLSFormats
import KLSTensor

/// The files written by NumPy (Tests/References/numpy_files.py) and what NumPy says they hold.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures")

    /// The bytes of fixture `name` as a source named after it.
    static func source(_ name: String) throws -> MemoryBytes {
        MemoryBytes([UInt8](try Data(contentsOf: directory.appendingPathComponent(name))), name: name)
    }

    /// manifest.json: for each file, its shape and row-major values as Python's
    /// `repr` strings (nil for NaN).
    nonisolated(unsafe) static let manifest: [String: Any] = {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("manifest.json")),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return [:] }
        return object
    }()

    /// Shape and values of an entry of the manifest.
    static func expected(_ entry: Any?) -> (shape: [Int], values: [Double?])? {
        guard let entry = entry as? [String: Any], let shape = entry["shape"] as? [Int],
            let values = entry["values"] as? [Any]
        else { return nil }
        return (
            shape,
            values.map { item in
                guard let text = item as? String, text != "nan", let x = Double(text) else { return nil }
                return x
            }
        )
    }

    /// True when `tensor` has the shape and exactly the values (NaN where nil).
    static func matches(_ tensor: Tensor, _ expected: (shape: [Int], values: [Double?])) -> Bool {
        guard tensor.shape == expected.shape, tensor.count == expected.values.count else { return false }
        let actual = tensor.storage.buffer
        return zip(actual, expected.values).allSatisfy { a, e in
            guard let e else { return a.isNaN }
            return a == e && a.sign == e.sign
        }
    }
}

/// The error `body` throws, or nil when it succeeds.
func thrownError(_ body: () throws -> Void) -> KLSError? {
    do {
        try body()
        return nil
    } catch let error as KLSError {
        return error
    } catch {
        return KLSError("not a KLSError: \(error)")
    }
}
