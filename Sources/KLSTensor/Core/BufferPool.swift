import Foundation
import Synchronization

/// Large tensor buffers, recycled.
///
/// A fresh 80 MB buffer costs ~30 ms in page faults before the first element is
/// written — more than `exp` over it. Large blocks are therefore 2 MiB-aligned
/// and advised for transparent huge pages, and a freed block is kept (up to a
/// bounded total) for the next allocation of a similar size, as PyTorch's
/// caching allocator does. Small blocks go straight to malloc.
enum BufferPool {
    /// Blocks below this many bytes bypass the pool.
    static let minimumBytes = 1 << 20
    /// The most bytes kept idle in the pool.
    static let maximumIdleBytes = 1 << 30
    static let alignment = 1 << 21

    /// Pooled blocks by address (as integers, which are Sendable).
    struct State {
        /// Idle blocks, oldest first: (address, bytes).
        var idle: [(UInt, Int)] = []
        var idleBytes = 0
        /// Every pooled block's size, live or idle.
        var sizes: [UInt: Int] = [:]
    }

    static let state = Mutex(State())

    /// Memory for `count` doubles.
    static func allocate(_ count: Int) -> UnsafeMutablePointer<Double> {
        let bytes = Swift.max(count, 1) * MemoryLayout<Double>.stride
        guard bytes >= minimumBytes else { return UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(count, 1)) }
        let rounded = (bytes + alignment - 1) / alignment * alignment
        let reused: UInt? = state.withLock { s in
            // The smallest idle block that fits and wastes at most half of itself.
            var best: Int? = nil
            for (i, block) in s.idle.enumerated() where block.1 >= rounded && block.1 <= 2 * rounded {
                if best.map({ s.idle[$0].1 > block.1 }) ?? true { best = i }
            }
            guard let best else { return nil }
            let block = s.idle.remove(at: best)
            s.idleBytes -= block.1
            return block.0
        }
        if let reused, let pointer = UnsafeMutableRawPointer(bitPattern: reused) {
            return pointer.assumingMemoryBound(to: Double.self)
        }
        var raw: UnsafeMutableRawPointer? = nil
        guard posix_memalign(&raw, alignment, rounded) == 0, let raw else {
            return UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(count, 1))
        }
        _ = madvise(raw, rounded, 14)  // MADV_HUGEPAGE
        let address = UInt(bitPattern: raw)
        state.withLock { $0.sizes[address] = rounded }
        return raw.assumingMemoryBound(to: Double.self)
    }

    /// Returns memory from `allocate`.
    static func deallocate(_ pointer: UnsafeMutablePointer<Double>, count: Int) {
        let bytes = Swift.max(count, 1) * MemoryLayout<Double>.stride
        guard bytes >= minimumBytes else { return pointer.deallocate() }
        let address = UInt(bitPattern: pointer)
        let evicted: [UInt]? = state.withLock { s in
            guard let size = s.sizes[address] else { return nil }
            s.idle.append((address, size))
            s.idleBytes += size
            var evicted: [UInt] = []
            while s.idleBytes > maximumIdleBytes, !s.idle.isEmpty {
                let oldest = s.idle.removeFirst()
                s.idleBytes -= oldest.1
                s.sizes[oldest.0] = nil
                evicted.append(oldest.0)
            }
            return evicted
        }
        guard let evicted else { return pointer.deallocate() }
        for address in evicted { free(UnsafeMutableRawPointer(bitPattern: address)) }
    }
}
