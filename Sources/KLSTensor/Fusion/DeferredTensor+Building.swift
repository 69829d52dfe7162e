import Foundation
import KLSDiagnostics

/// An operand of a fused operation: a deferred tensor, a tensor or a number.
public enum FusionInput {
    case deferred(DeferredTensor)
    case tensor(Tensor)
    case number(Double)
    /// A differentiated tensor: its elements and its node on a tape (opaque here).
    case traced(Tensor, origin: any TapeOrigin)

    /// The operand's shape (`[]` for a number).
    public var shape: [Int] {
        switch self {
        case .deferred(let d): return d.shape
        case .tensor(let t), .traced(let t, _): return t.shape
        case .number: return []
        }
    }
}

/// Making deferred tensors. Each function returns nil when the result is not
/// worth deferring — small, no rows to split, fusion switched off, a product too
/// large for a block — and the caller computes it eagerly, with the eager path's
/// checks and messages.
extension DeferredTensor {
    /// Whether operations make deferred tensors: off when `KLS_FUSION=0`, and
    /// for the calling task inside `withFusion(false)` (tests run programs both ways).
    public static var isEnabled: Bool { enabledOverride ?? enabledByEnvironment }

    @TaskLocal static var enabledOverride: Bool? = nil

    private static let enabledByEnvironment = ProcessInfo.processInfo.environment["KLS_FUSION"] != "0"

    /// Runs `body` with fusion on or off for the calling task.
    public static func withFusion<R>(_ enabled: Bool, _ body: () throws -> R) rethrows -> R {
        try $enabledOverride.withValue(enabled) { try body() }
    }

    /// Counts the graphs evaluated by the calling task, when set (tests use it to
    /// see that a program fused).
    @TaskLocal public static var evaluations: EvaluationCounter? = nil

    /// Results of fewer elements are computed at once: below this a temporary
    /// fits in cache and a graph would cost more than it saves.
    public static let minimumCount = 1 << 16
    /// Longest row a block holds eight of.
    static let maximumWidth = 1 << 16
    /// Deepest graph: past this an operand is computed first, so a loop that
    /// keeps adding to a tensor does not build an ever deeper graph.
    static let maximumDepth = 64
    /// Longest inner dimension of a fused matrix product: one slice of `Tensor.multiply`.
    static let maximumInner = Tensor.sliceDepth
    /// Most elements of a fused product's matrix: a layer's weights. A larger
    /// product runs whole, its rows split over the cores in panels sized for L2,
    /// faster than block by block.
    static let maximumMatrix = 1 << 16

    /// Whether a result of `shape` is deferred.
    public static func defers(_ shape: [Int]) -> Bool {
        guard isEnabled, let rows = shape.first, rows >= 8, let count = try? Shape.elementCount(shape) else {
            return false
        }
        return count >= minimumCount && count / rows <= maximumWidth
    }

    /// `function` at every element of `x`.
    public static func map(_ function: UnaryFunction, _ x: FusionInput) throws(KLSError) -> DeferredTensor? {
        let shape = x.shape
        guard defers(shape), case .rows(let node)? = try operand(x, of: shape) else { return nil }
        return DeferredTensor(shape: shape, operation: .map(function, node))
    }

    /// `a op b` with NumPy broadcasting.
    public static func combine(_ op: BinaryOperator, _ a: FusionInput, _ b: FusionInput) throws(KLSError)
        -> DeferredTensor?
    {
        let shape = try Shape.broadcast(a.shape, b.shape)
        guard defers(shape) else { return nil }
        guard let x = try operand(a, of: shape), let y = try operand(b, of: shape), x.node != nil || y.node != nil
        else { return nil }
        return DeferredTensor(shape: shape, operation: .combine(op, x, y))
    }

    /// `where(condition, x, y)` with NumPy broadcasting.
    public static func select(_ condition: FusionInput, _ x: FusionInput, _ y: FusionInput) throws(KLSError)
        -> DeferredTensor?
    {
        let shape = try Shape.broadcast(try Shape.broadcast(condition.shape, x.shape), y.shape)
        guard defers(shape) else { return nil }
        guard let c = try operand(condition, of: shape), let a = try operand(x, of: shape),
            let b = try operand(y, of: shape)
        else { return nil }
        let operands = [c, a, b]
        guard operands.contains(where: { $0.node != nil }) else { return nil }
        return DeferredTensor(shape: shape, operation: .select(operands[0], operands[1], operands[2]))
    }

    /// `a @ b` for a deferred `a` of rank two or more and a matrix `b`: each row
    /// of `a` times `b`, as `Tensor.matmul` computes a stack times one matrix.
    /// `origin` is the matrix's node on a tape when it is differentiated.
    public static func product(_ a: DeferredTensor, _ b: Tensor, origin: (any TapeOrigin)? = nil) throws(KLSError)
        -> DeferredTensor?
    {
        guard a.shape.count >= 2, b.rank == 2, let k = a.shape.last, k == b.shape[0], k <= maximumInner,
            k * b.shape[1] <= maximumMatrix
        else { return nil }
        let shape = a.shape.dropLast() + [b.shape[1]]
        guard defers(Array(shape)), case .rows(let node)? = try operand(.deferred(a), of: Array(shape)) else {
            return nil
        }
        return DeferredTensor(shape: Array(shape), operation: .product(node, b, origin: origin))
    }

    /// `reduction` over `axes` of this tensor when they are trailing axes other
    /// than the rows' (each output element reduces a contiguous run), as
    /// `Tensor.reduce` computes it; nil for other axes.
    public func reduced(_ reduction: Reduction, axes: [Int], keepdims: Bool) throws(KLSError) -> DeferredTensor? {
        let rank = shape.count
        let reduced = try Shape.normalize(axes: axes, rank: rank)
        guard !reduced.isEmpty, !reduced.contains(0), reduced == Array((rank - reduced.count)..<rank) else {
            return nil
        }
        let length = reduced.reduce(1) { $0 * shape[$1] }
        guard length > 0 else { return nil }
        let result =
            keepdims
            ? shape.enumerated().map { reduced.contains($0.offset) ? 1 : $0.element }
            : Array(shape.prefix(rank - reduced.count))
        guard let node = try shallow() else { return nil }
        return DeferredTensor(shape: result, operation: .reduce(reduction, node, length: length))
    }

    /// `x[:, j]` or `x[:, a:b]` of a matrix (every row, one column or a run of
    /// them); nil for any other index.
    public func indexed(_ components: [IndexComponent]) throws(KLSError) -> DeferredTensor? {
        guard shape.count == 2, components.count == 2, components[0] == .slice(start: nil, stop: nil, step: nil)
        else { return nil }
        guard let node = try shallow() else { return nil }
        switch components[1] {
        case .single(let j):
            let column = try IndexComponent.resolve(single: j, length: shape[1], axis: 1)
            return DeferredTensor(shape: [rows], operation: .columns(node, offset: column, length: 1))
        case .slice(let start, let stop, let step) where step == nil || step == 1:
            let run = try IndexComponent.resolve(start: start, stop: stop, step: 1, length: shape[1])
            guard run.count > 0 else { return nil }
            return DeferredTensor(
                shape: [rows, run.count], operation: .columns(node, offset: run.start, length: run.count))
        default:
            return nil
        }
    }

    /// Standard normal draws `start …` of `generator` in `shape`, as `Tensor.normal` makes them.
    public static func normal(shape: [Int], generator: Philox, start: UInt64) -> DeferredTensor? {
        defers(shape) ? DeferredTensor(shape: shape, operation: .normal(generator, start: start)) : nil
    }

    /// Uniform draws `start …` of `generator` in `shape`, as `Tensor.uniform` makes them.
    public static func uniform(shape: [Int], generator: Philox, start: UInt64) -> DeferredTensor? {
        defers(shape) ? DeferredTensor(shape: shape, operation: .uniform(generator, start: start)) : nil
    }

    /// A node holding computed elements (a differentiated tensor's, with its `origin`).
    package convenience init(stored tensor: Tensor, origin: (any TapeOrigin)? = nil) {
        self.init(shape: tensor.shape, operation: .stored(tensor), origin: origin)
    }

    /// `input` as an operand of a result of `shape`: over the rows when it has
    /// the result's rank and rows, else a constant broadcast into every block;
    /// nil for a traced deferred tensor that does not span the rows (its
    /// gradient needs a node of its own: the caller computes eagerly).
    static func operand(_ input: FusionInput, of shape: [Int]) throws(KLSError) -> Operand? {
        let spansRows = input.shape.count == shape.count && input.shape.first == shape.first
        switch input {
        case .number(let v): return .constant(Tensor(scalar: v), origin: nil)
        case .tensor(let t): return spansRows ? .rows(DeferredTensor(stored: t)) : .constant(t, origin: nil)
        case .traced(let t, let origin):
            return spansRows ? .rows(DeferredTensor(stored: t, origin: origin)) : .constant(t, origin: origin)
        case .deferred(let d):
            if spansRows { return try d.shallow().map { .rows($0) } }
            return d.isTraced ? nil : .constant(try d.tensor(), origin: nil)
        }
    }
}

/// Graphs evaluated (see `DeferredTensor.evaluations`).
public final class EvaluationCounter: @unchecked Sendable {
    /// Fused programs built so far.
    public private(set) var programs = 0

    public init() {}

    func count() { programs += 1 }
}
