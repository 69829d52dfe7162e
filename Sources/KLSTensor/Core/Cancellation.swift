import KLSDiagnostics
import Synchronization

/// The process-wide "stop what you are doing" flag behind Ctrl-C.
///
/// A signal handler may only touch lock-free atomics, so the handler sets this
/// flag and long-running loops (the evaluator, chunked kernels, Monte Carlo) poll
/// it between chunks and throw `KLSError(kind: .interrupted)`.
public enum Cancellation {
    @usableFromInline static let flag = Atomic<Bool>(false)

    /// Asks running computations to stop. Safe to call from a signal handler.
    public static func request() {
        flag.store(true, ordering: .relaxed)
    }

    /// Clears a pending request; the shell calls this before each statement.
    public static func reset() {
        flag.store(false, ordering: .relaxed)
    }

    /// True when a stop was requested and not yet reset.
    @inlinable public static var isRequested: Bool {
        flag.load(ordering: .relaxed)
    }

    /// Throws `KLSError(kind: .interrupted)` when a stop was requested. Inlinable:
    /// the interpreter calls it on every loop iteration.
    @inlinable public static func check() throws(KLSError) {
        if flag.load(ordering: .relaxed) {
            throw KLSError("interrupted", kind: .interrupted)
        }
    }
}
