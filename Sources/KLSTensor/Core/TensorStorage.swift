import KLSDiagnostics
import Synchronization

/// The heap buffer behind a tensor: `count` contiguous doubles.
///
/// A class rather than `[Double]` so that kernels can ask
/// `isKnownUniquelyReferenced` and write a result into a temporary operand's
/// buffer instead of allocating (and page-faulting) a fresh one: `exp(x) * 2 + 1`
/// then touches one new buffer, not three.
public final class TensorStorage: @unchecked Sendable {
    /// Number of doubles in the buffer.
    public let count: Int
    /// The first element. Valid for `count` elements for the life of the storage.
    public let pointer: UnsafeMutablePointer<Double>
    /// A value a plot of this data draws beside it — `kl_trace`'s exact KL —
    /// set by the builtin that made the data, on its own thread, before anyone
    /// else sees it. It travels with the data; a kernel that writes new values
    /// into this storage (reusing a temporary) clears it.
    public var referenceLine: Double? = nil

    /// Allocates uninitialized storage; the caller must write every element.
    /// Checks the memory limit first.
    public convenience init(uninitializedCount count: Int) throws(KLSError) {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Double>.stride)
        try MemoryLimit.reserve(bytes: overflow ? Int.max : bytes, what: "a tensor of \(count) elements")
        self.init(reserved: count)
    }

    /// Buffers allocated so far in this process; tests use it to check that
    /// temporaries are reused.
    public static var allocationCount: Int { allocations.load(ordering: .relaxed) }
    private static let allocations = Atomic<Int>(0)

    /// Allocates without consulting the memory limit: only for sizes known to be tiny.
    /// The buffer is still charged to the session.
    convenience init(unchecked count: Int) {
        MemoryLimit.charge(bytes: count * MemoryLayout<Double>.stride)
        self.init(reserved: count)
    }

    /// Allocates memory already charged to the session.
    private init(reserved count: Int) {
        TensorStorage.allocations.add(1, ordering: .relaxed)
        self.count = count
        self.pointer = BufferPool.allocate(count)
    }

    deinit {
        BufferPool.deallocate(pointer, count: count)
        MemoryLimit.release(bytes: count * MemoryLayout<Double>.stride)
    }

    /// The elements as a buffer pointer.
    @inlinable public var buffer: UnsafeMutableBufferPointer<Double> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }
}
