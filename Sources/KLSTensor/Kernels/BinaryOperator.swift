import Foundation
import KLSDiagnostics

/// The element-wise binary operators, with NumPy semantics: IEEE division
/// (`1/0 == inf`), `%` taking the sign of the divisor, comparisons giving 0/1.
public enum BinaryOperator: String, Sendable, CaseIterable {
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case power = "^"
    case modulo = "%"
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessEqual = "<="
    case greater = ">"
    case greaterEqual = ">="
    case maximum, minimum
    case logicalAnd = "and"
    case logicalOr = "or"

    /// The operator at one pair of points.
    @inlinable public func callAsFunction(_ a: Double, _ b: Double) -> Double {
        switch self {
        case .add: return a + b
        case .subtract: return a - b
        case .multiply: return a * b
        case .divide: return a / b
        case .power: return BinaryOperator.power(a, b)
        case .modulo: return BinaryOperator.modulo(a, b)
        case .equal: return a == b ? 1 : 0
        case .notEqual: return a != b ? 1 : 0
        case .less: return a < b ? 1 : 0
        case .lessEqual: return a <= b ? 1 : 0
        case .greater: return a > b ? 1 : 0
        case .greaterEqual: return a >= b ? 1 : 0
        case .maximum: return a.isNaN || b.isNaN ? .nan : Swift.max(a, b)
        case .minimum: return a.isNaN || b.isNaN ? .nan : Swift.min(a, b)
        case .logicalAnd: return a != 0 && b != 0 ? 1 : 0
        case .logicalOr: return a != 0 || b != 0 ? 1 : 0
        }
    }

    /// `a ^ b`, with the common small integer powers done by multiplication.
    @inlinable static func power(_ a: Double, _ b: Double) -> Double {
        if b == 2 { return a * a }
        if b == 1 { return a }
        if b == 0.5 { return a.squareRoot() }
        return Foundation.pow(a, b)
    }

    /// Python's and NumPy's `%`: the result has the sign of the divisor.
    @inlinable static func modulo(_ a: Double, _ b: Double) -> Double {
        let r = fmod(a, b)
        if r != 0 && ((r < 0) != (b < 0)) { return r + b }
        return r
    }

    /// Relative cost per element, for deciding when to split over cores.
    var cost: Int {
        switch self {
        case .power, .modulo: return 16
        default: return 1
        }
    }
}

extension Tensor {
    /// `op` applied element-wise with NumPy broadcasting. Writes into an operand's
    /// buffer when that operand is a temporary of the result's shape.
    public static func binary(_ op: BinaryOperator, _ a: consuming Tensor, _ b: consuming Tensor) throws(KLSError)
        -> Tensor
    {
        switch op {
        case .add: return try combine(a, b, cost: 1, Elementwise.Add())
        case .subtract: return try combine(a, b, cost: 1, Elementwise.Subtract())
        case .multiply: return try combine(a, b, cost: 1, Elementwise.Multiply())
        case .divide: return try combine(a, b, cost: 1, Elementwise.Divide())
        default: return try combine(a, b, cost: op.cost, op)
        }
    }

    /// `op` between a tensor and a scalar (`scalarOnLeft` for `s op t`), without
    /// allocating a tensor for the scalar; reuses `t`'s buffer when it can.
    public static func binary(_ op: BinaryOperator, _ t: consuming Tensor, scalar s: Double, scalarOnLeft: Bool)
        throws(KLSError) -> Tensor
    {
        switch op {
        case .add: return try t.apply(scalar: s, Elementwise.Add(), onLeft: scalarOnLeft, cost: 1)
        case .subtract: return try t.apply(scalar: s, Elementwise.Subtract(), onLeft: scalarOnLeft, cost: 1)
        case .multiply: return try t.apply(scalar: s, Elementwise.Multiply(), onLeft: scalarOnLeft, cost: 1)
        case .divide: return try t.apply(scalar: s, Elementwise.Divide(), onLeft: scalarOnLeft, cost: 1)
        default: return try t.apply(scalar: s, op, onLeft: scalarOnLeft, cost: op.cost)
        }
    }

    /// `self op s` or `s op self` at every element.
    private consuming func apply<Operation: ElementCombination>(
        scalar s: Double, _ op: Operation, onLeft: Bool, cost: Int
    ) throws(KLSError) -> Tensor {
        if onLeft { return try apply(cost: cost, Elementwise.ScalarOnLeft(operation: op, scalar: s)) }
        return try apply(cost: cost, Elementwise.ScalarOnRight(operation: op, scalar: s))
    }

    /// The broadcasting loop behind `binary`, specialised per operation.
    public static func combine<Operation: ElementCombination>(
        _ a: consuming Tensor, _ b: consuming Tensor, cost: Int, _ op: Operation
    ) throws(KLSError) -> Tensor {
        let shape = try Shape.broadcast(a.shape, b.shape)
        let count = try Shape.elementCount(shape)
        let target: TensorStorage
        if a.shape == shape, isKnownUniquelyReferenced(&a.storage) {
            target = a.storage
        } else if b.shape == shape, isKnownUniquelyReferenced(&b.storage) {
            target = b.storage
        } else {
            target = try TensorStorage(uninitializedCount: count)
        }
        target.referenceLine = nil
        let x = UnsafePointer(a.storage.pointer)
        let y = UnsafePointer(b.storage.pointer)
        let out = target.pointer
        withExtendedLifetime((a, b)) {
            switch Broadcast(a.shape, b.shape, to: shape) {
            case .same:
                // See `apply`: a separate loop for the in-place case keeps it vectorised.
                Parallel.forEachChunk(count, cost: cost) { r in
                    if UnsafePointer(out) == x {
                        for i in r { out[i] = op(out[i], y[i]) }
                    } else if UnsafePointer(out) == y {
                        for i in r { out[i] = op(x[i], out[i]) }
                    } else {
                        for i in r { out[i] = op(x[i], y[i]) }
                    }
                }
            case .scalarRight:
                let s = y[0]
                Parallel.forEachChunk(count, cost: cost) { r in for i in r { out[i] = op(x[i], s) } }
            case .scalarLeft:
                let s = x[0]
                Parallel.forEachChunk(count, cost: cost) { r in for i in r { out[i] = op(s, y[i]) } }
            case .repeatRight(let width):
                // b repeats over the leading rows (a bias added to a batch): rows split over the cores.
                Parallel.forEachChunk(count / width, cost: cost * width) { rows in
                    for r in rows {
                        let o = r * width
                        for j in 0..<width { out[o + j] = op(x[o + j], y[j]) }
                    }
                }
            case .repeatLeft(let width):
                Parallel.forEachChunk(count / width, cost: cost * width) { rows in
                    for r in rows {
                        let o = r * width
                        for j in 0..<width { out[o + j] = op(x[j], y[o + j]) }
                    }
                }
            case .general:
                broadcastLoop(shape: shape, a.shape, x, b.shape, y, out, op)
            }
        }
        return Tensor(shape: shape, storage: target)
    }

    /// The element count of `part` when it is a trailing block of `shape` (its
    /// leading 1s aside), repeated over the leading axes; nil otherwise.
    static func repeatedSuffix(_ part: [Int], of shape: [Int]) -> Int? {
        let trimmed = part.drop { $0 == 1 }
        guard !trimmed.isEmpty, trimmed.count <= shape.count, shape.suffix(trimmed.count).elementsEqual(trimmed) else {
            return nil
        }
        let width = trimmed.reduce(1, *)
        return width > 0 ? width : nil
    }

    /// General broadcasting: walk the output's outer index, with a strided inner loop
    /// over the last axis.
    static func broadcastLoop<Operation: ElementCombination>(
        shape: [Int], _ aShape: [Int], _ x: UnsafePointer<Double>, _ bShape: [Int],
        _ y: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, _ op: Operation
    ) {
        let rank = shape.count
        guard rank > 0, !shape.contains(0) else {
            if rank == 0 { out[0] = op(x[0], y[0]) }
            return
        }
        let sa = Shape.broadcastStrides(aShape, to: shape)
        let sb = Shape.broadcastStrides(bShape, to: shape)
        let inner = shape[rank - 1]
        let ia = sa[rank - 1]
        let ib = sb[rank - 1]
        let rows = shape.dropLast().reduce(1, *)
        var index = [Int](repeating: 0, count: rank - 1)
        var offsetA = 0
        var offsetB = 0
        for row in 0..<rows {
            let o = out + row * inner
            for j in 0..<inner { o[j] = op(x[offsetA + j * ia], y[offsetB + j * ib]) }
            // Odometer increment over the outer axes, updating offsets incrementally.
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                offsetA += sa[axis]
                offsetB += sb[axis]
                if index[axis] < shape[axis] { break }
                offsetA -= sa[axis] * shape[axis]
                offsetB -= sb[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }
}

/// How the two operands of an element-wise operator meet: the loop `combine`
/// runs, decided from the shapes alone (so a fused graph decides it once).
public enum Broadcast: Sendable, Equatable {
    /// Both have the result's elements.
    case same
    /// One element on the right (left) against the result's elements.
    case scalarRight, scalarLeft
    /// The right (left) operand is a trailing block of `width` elements,
    /// repeated over the leading axes (a bias added to a batch).
    case repeatRight(Int)
    case repeatLeft(Int)
    /// Anything else: the general strided loop.
    case general

    /// The loop for operands of `x` and `y` broadcast to `shape`.
    public init(_ x: [Int], _ y: [Int], to shape: [Int]) {
        let count = shape.reduce(1, *)
        let (xCount, yCount) = (x.reduce(1, *), y.reduce(1, *))
        if xCount == count && yCount == count {
            self = .same
        } else if yCount == 1 && xCount == count {
            self = .scalarRight
        } else if xCount == 1 && yCount == count {
            self = .scalarLeft
        } else if xCount == count, let width = Tensor.repeatedSuffix(y, of: shape) {
            self = .repeatRight(width)
        } else if yCount == count, let width = Tensor.repeatedSuffix(x, of: shape) {
            self = .repeatLeft(width)
        } else {
            self = .general
        }
    }
}

extension BinaryOperator {
    /// `self` of two operands into `out`'s `count` elements on the calling thread,
    /// the loop `broadcast` names: one block of a fused graph. `shapes` gives the
    /// operands' and the result's shapes, read only by the general loop. `out` is
    /// neither operand.
    func combine(
        _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>, count: Int,
        _ broadcast: Broadcast, shapes: () -> ([Int], [Int], [Int])
    ) {
        switch self {
        case .add: Tensor.combineBlock(x, y, out, count, broadcast, shapes, Elementwise.Add())
        case .subtract: Tensor.combineBlock(x, y, out, count, broadcast, shapes, Elementwise.Subtract())
        case .multiply: Tensor.combineBlock(x, y, out, count, broadcast, shapes, Elementwise.Multiply())
        case .divide: Tensor.combineBlock(x, y, out, count, broadcast, shapes, Elementwise.Divide())
        default: Tensor.combineBlock(x, y, out, count, broadcast, shapes, self)
        }
    }
}

extension Tensor {
    /// One block of `combine`, on the calling thread.
    static func combineBlock<Operation: ElementCombination>(
        _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, _ count: Int,
        _ broadcast: Broadcast, _ shapes: () -> ([Int], [Int], [Int]), _ op: Operation
    ) {
        switch broadcast {
        case .same:
            for i in 0..<count { out[i] = op(x[i], y[i]) }
        case .scalarRight:
            let s = y[0]
            for i in 0..<count { out[i] = op(x[i], s) }
        case .scalarLeft:
            let s = x[0]
            for i in 0..<count { out[i] = op(s, y[i]) }
        case .repeatRight(let width):
            for o in stride(from: 0, to: count, by: width) {
                for j in 0..<width { out[o + j] = op(x[o + j], y[j]) }
            }
        case .repeatLeft(let width):
            for o in stride(from: 0, to: count, by: width) {
                for j in 0..<width { out[o + j] = op(x[j], y[o + j]) }
            }
        case .general:
            let (xShape, yShape, shape) = shapes()
            broadcastLoop(shape: shape, xShape, x, yShape, y, out, op)
        }
    }
}
