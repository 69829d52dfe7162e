import KLSDiagnostics
import KLSTensor

/// Random numbers (language.md §4, "Random"). Draws come from Philox keyed by the seed and
/// the draw index: with `seed=` a call gives the same numbers on every machine
/// and thread count; without it, calls continue the session stream.
enum RandomBuiltins {
    static let all: [Builtin] = [
        Builtin(
            "seed", [.required("n").meaning("the seed, a whole number from 0 to 2^53")], theme: .random,
            summary: "Restarts the session's random stream at seed n.", example: "seed(42)"
        ) { a, session throws(KLSError) in
            guard let seed = try seedValue(a, "n") else {
                throw KLSError("seed: n must be a whole number ≥ 0, got none")
            }
            session.random.reseed(seed)
            return .none
        },
        Builtin(
            "randn", [.optional("shape").meaning("the shape of the result; none: one number"), .optional("seed")],
            theme: .random,
            summary: "Standard normal draws (ziggurat); no shape gives one number.",
            example: "randn([2, 3], seed=1)"
        ) { a, session throws(KLSError) in
            let shape = a.isNone("shape") ? [] : try a.shape("shape")
            // Deferred draws are made a block at a time, so there is no tensor to check against the limit.
            let deferred = DeferredTensor.defers(shape)
            let (generator, start) = try stream(
                a, session, count: try Shape.elementCount(shape), streaming: deferred)
            if deferred, let node = DeferredTensor.normal(shape: shape, generator: generator, start: start) {
                return .deferred(node)
            }
            return Value.from(try Tensor.normal(shape: shape, generator: generator, start: start))
        }.fusing(),
        Builtin(
            "rand", [.optional("shape").meaning("the shape of the result; none: one number"), .optional("seed")],
            theme: .random,
            summary: "Uniform draws in [0, 1); no shape gives one number.",
            example: "rand(3, seed=1)"
        ) { a, session throws(KLSError) in
            let shape = a.isNone("shape") ? [] : try a.shape("shape")
            let deferred = DeferredTensor.defers(shape)
            let (generator, start) = try stream(
                a, session, count: try Shape.elementCount(shape), streaming: deferred)
            if deferred, let node = DeferredTensor.uniform(shape: shape, generator: generator, start: start) {
                return .deferred(node)
            }
            return Value.from(try Tensor.uniform(shape: shape, generator: generator, start: start))
        }.fusing(),
    ]

    /// A `seed=` argument: a whole number in [0, 2⁵³); nil when none.
    static func seedValue(_ a: Arguments, _ name: String = "seed") throws(KLSError) -> UInt64? {
        if a.isNone(name) { return nil }
        return UInt64(try a.integer(name, atLeast: 0))
    }

    /// The generator and first draw index: a fresh stream for `seed=`, else the
    /// next `count` draws of the session stream.
    /// `streaming` skips the memory check for draws that are consumed in chunks.
    static func stream(_ a: Arguments, _ session: Interpreter, count: Int, streaming: Bool = false) throws(KLSError)
        -> (Philox, UInt64)
    {
        if !streaming { try MemoryLimit.check(elements: count) }
        if let seed = try seedValue(a) { return (Philox(seed: seed), 0) }
        return session.random.take(count)
    }
}
