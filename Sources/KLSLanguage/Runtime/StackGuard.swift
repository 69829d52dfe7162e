import Foundation

/// Keeps deep recursion from overflowing the thread's stack, whatever thread the
/// interpreter runs on: calls check how much stack is left and fail cleanly when
/// it runs low, before the call depth limit would be reached on a small stack.
enum StackGuard {
    /// Stack kept free below the deepest allowed call.
    static let margin: UInt = 512 * 1024

    private typealias GetAttributes = @convention(c) (pthread_t, UnsafeMutablePointer<pthread_attr_t>) -> Int32

    /// glibc's `pthread_getattr_np`, which Swift's Glibc module does not export
    /// (it needs _GNU_SOURCE); looked up once by name.
    private static let getAttributes: GetAttributes? = {
        guard let symbol = dlsym(nil, "pthread_getattr_np") else { return nil }
        return unsafeBitCast(symbol, to: GetAttributes.self)
    }()

    /// The lowest address calls may reach on the current thread (0 if unknown).
    static func floor() -> UInt {
        var attributes = pthread_attr_t()
        guard let getAttributes, getAttributes(pthread_self(), &attributes) == 0 else { return 0 }
        defer { pthread_attr_destroy(&attributes) }
        var base: UnsafeMutableRawPointer? = nil
        var size = 0
        guard pthread_attr_getstack(&attributes, &base, &size) == 0, let base else { return 0 }
        // Under AddressSanitizer locals may live on a "fake stack" on the heap; then
        // addresses say nothing about depth and only the call-count limit applies.
        let low = UInt(bitPattern: base)
        let here = position()
        guard here >= low, here - low <= UInt(size) else { return 0 }
        return low + margin
    }

    /// An address in the caller's frame.
    @inline(never)
    static func position() -> UInt {
        var marker = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    }
}
