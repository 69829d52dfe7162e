import Dispatch
import Foundation
import Synchronization

/// Splits large loops over the machine's cores.
///
/// Work is cut into contiguous chunks; below `threshold` elements the loop runs
/// inline because waking a second thread costs more than it saves.
public enum Parallel {
    /// The number of workers used for large loops: the machine's cores, unless
    /// `withWorkers` says otherwise for the calling task.
    public static var workers: Int {
        let forced = override
        return forced > 0 ? forced : cores
    }

    static let cores: Int = Swift.max(1, Swift.min(ProcessInfo.activeCores, 64))

    /// The calling task's worker count, 0 for all cores. Task-local, so a test
    /// that forces one worker does not slow or change any other test.
    @TaskLocal static var override = 0

    /// Runs `body` with `count` workers (1 runs every part on the calling thread);
    /// tests use it to show that results do not depend on the thread count.
    public static func withWorkers<R>(_ count: Int, _ body: () throws -> R) rethrows -> R {
        try $override.withValue(count) { try body() }
    }

    /// Runs `body(i)` for i in 0..<iterations: in parallel on all cores, or in
    /// order on the calling thread with one worker.
    public static func perform(iterations: Int, _ body: (Int) -> Void) {
        if workers == 1 || iterations <= 1 {
            for i in 0..<iterations { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let task = Unchecked(body)
            DispatchQueue.concurrentPerform(iterations: iterations) { task.value($0) }
        }
    }

    /// Elements below which a loop stays on the calling thread.
    public static let threshold = 1 << 15

    /// Calls `body(range)` over chunks of `0..<count`, in parallel when large.
    /// `cost` scales the threshold for expensive per-element work (e.g. `exp`).
    public static func forEachChunk(_ count: Int, cost: Int = 1, _ body: (Range<Int>) -> Void) {
        // Every element is written by exactly one part, so the split cannot change
        // a result and may follow the workers: four parts each, which also keeps a
        // matrix product's panels of B few (each part walks all of them).
        let parts = partCount(count, cost: cost) > 1 ? Swift.min(count, Swift.max(8, 4 * workers)) : 1
        perform(iterations: parts) { part in body(chunk(part, of: parts, count: count)) }
    }

    /// Evaluates `body` over chunks in parallel and returns each chunk's result in
    /// chunk order, so reductions combine partial results deterministically.
    public static func mapChunks<R>(_ count: Int, cost: Int = 1, _ body: (Range<Int>) -> R) -> [R] {
        let parts = partCount(count, cost: cost)
        let results = UnsafeMutableBufferPointer<R?>.allocate(capacity: parts)
        results.initialize(repeating: nil)
        defer {
            results.deinitialize()
            results.deallocate()
        }
        // Each part writes only its own slot.
        let slots = Unchecked(results)
        perform(iterations: parts) { part in slots.value[part] = body(chunk(part, of: parts, count: count)) }
        return results.compactMap { $0 }
    }

    /// For reductions (`mapChunks`): one part below the threshold; above it, one
    /// part per quarter threshold of work, between 4 and 64. The count depends
    /// only on the size of the work, never on the number of workers, so a
    /// reduction's partial sums — and its result to the last bit — are the same
    /// on any machine and thread count; 64 parts keep up to 16 cores busy.
    static func partCount(_ count: Int, cost: Int) -> Int {
        let work = count.multipliedReportingOverflow(by: Swift.max(cost, 1))
        let size = work.overflow ? Int.max : work.partialValue
        guard size >= threshold else { return 1 }
        return Swift.min(count, Swift.max(4, Swift.min(64, size / (threshold / 4))))
    }

    /// Part `part` of `0..<count` cut in `parts`. When every part gets at least
    /// 16 elements, boundaries fall on multiples of 16, so an 8- or 16-wide
    /// kernel groups the elements the same way whatever the number of parts (its
    /// only tail is the array's). Element-wise kernels split only from 2,048
    /// elements, so on up to 32 cores they always get the aligned cut; a few
    /// costly items (the rows of a reduction) are cut one by one.
    static func chunk(_ part: Int, of parts: Int, count: Int) -> Range<Int> {
        let granule = count >= 16 * parts ? 16 : 1
        let units = (count + granule - 1) / granule
        let base = units / parts
        let extra = units % parts
        let start = part * base + Swift.min(part, extra)
        let end = start + base + (part < extra ? 1 : 0)
        return Swift.min(count, start * granule)..<Swift.min(count, end * granule)
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
