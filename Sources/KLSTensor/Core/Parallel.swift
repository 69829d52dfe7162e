import Dispatch
import Foundation
import Synchronization

/// Splits large loops over the machine's cores.
///
/// Work is cut into contiguous chunks; below `threshold` elements the loop runs
/// inline because waking a second thread costs more than it saves.
public enum Parallel {
    /// The number of workers used for large loops: the machine's cores, unless
    /// `withWorkers` says otherwise.
    public static var workers: Int {
        let forced = override.load(ordering: .relaxed)
        return forced > 0 ? forced : cores
    }

    static let cores: Int = Swift.max(1, Swift.min(ProcessInfo.activeCores, 64))
    static let override = Atomic<Int>(0)

    /// Runs `body` with `count` workers (tests use it to show that results do not
    /// depend on the thread count).
    public static func withWorkers<R>(_ count: Int, _ body: () throws -> R) rethrows -> R {
        override.store(count, ordering: .relaxed)
        defer { override.store(0, ordering: .relaxed) }
        return try body()
    }

    /// Elements below which a loop stays on the calling thread.
    public static let threshold = 1 << 15

    /// Calls `body(range)` over chunks of `0..<count`, in parallel when large.
    /// `cost` scales the threshold for expensive per-element work (e.g. `exp`).
    public static func forEachChunk(_ count: Int, cost: Int = 1, _ body: (Range<Int>) -> Void) {
        let parts = partCount(count, cost: cost)
        if parts <= 1 || workers == 1 {
            for part in 0..<parts { body(chunk(part, of: parts, count: count)) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let task = Unchecked(body)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                task.value(chunk(part, of: parts, count: count))
            }
        }
    }

    /// Evaluates `body` over chunks in parallel and returns each chunk's result in
    /// chunk order, so reductions combine partial results deterministically.
    public static func mapChunks<R>(_ count: Int, cost: Int = 1, _ body: (Range<Int>) -> R) -> [R] {
        let parts = partCount(count, cost: cost)
        if parts <= 1 || workers == 1 { return (0..<parts).map { body(chunk($0, of: parts, count: count)) } }
        let results = UnsafeMutableBufferPointer<R?>.allocate(capacity: parts)
        results.initialize(repeating: nil)
        defer {
            results.deinitialize()
            results.deallocate()
        }
        withoutActuallyEscaping(body) { body in
            let task = Unchecked((body, results))
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                task.value.1[part] = task.value.0(chunk(part, of: parts, count: count))
            }
        }
        return results.compactMap { $0 }
    }

    /// One part below the threshold; otherwise a fixed 8 parts (at least four per
    /// worker on two cores, so a worker that starts late does not leave the other
    /// waiting). Fixed, not per worker, so a reduction's partial sums — and its
    /// result to the last bit — are the same for any thread count.
    static func partCount(_ count: Int, cost: Int) -> Int {
        guard count * Swift.max(cost, 1) >= threshold else { return 1 }
        return Swift.min(count, Swift.max(8, 4 * workers))
    }

    static func chunk(_ part: Int, of parts: Int, count: Int) -> Range<Int> {
        let base = count / parts
        let extra = count % parts
        let start = part * base + Swift.min(part, extra)
        return start..<(start + base + (part < extra ? 1 : 0))
    }
}

/// Carries a value into `concurrentPerform`'s `@Sendable` closure. Sound where
/// every worker writes a disjoint part and the call joins before returning.
public struct Unchecked<T>: @unchecked Sendable {
    /// The carried value.
    public let value: T

    /// Wraps `value`.
    public init(_ value: T) { self.value = value }
}

extension ProcessInfo {
    /// Cores this process may use.
    static var activeCores: Int { ProcessInfo.processInfo.activeProcessorCount }
}
