import Foundation
import KLSDiagnostics
import KLSTensor

/// Derivative rules of the reductions, of clip and of the element-wise extrema.
///
/// Conventions at the edges: min and max share the gradient equally among tied
/// elements (as JAX does); prod's gradient at a zero is the product of the
/// other elements (exact, not prod/x); std's gradient where std is 0 is nan,
/// as in PyTorch.
extension TracedNumber {
    /// A reduction over `axes` (all when nil), its axes kept or dropped: sum and
    /// mean spread the gradient evenly (divided by the count for mean);
    /// logsumexp weights it by softmax(x); prod, min, max, var and std as below.
    package static func reduce(_ x: TracedNumber, _ reduction: Reduction, axes: [Int]?, keepdims: Bool)
        throws(KLSError) -> TracedNumber
    {
        let plain = x.value
        let out = try plain.reduce(reduction, axes: axes, keepdims: keepdims)
        guard let t = x.node else { return .plain(out) }
        let count = plain.count == 0 ? 1 : plain.count / Swift.max(1, out.count)
        return unary(t, out) { g throws(KLSError) in
            let spread = try GradientRules.expand(g, over: axes, of: plain.shape)
            switch reduction {
            case .sum: return spread
            case .mean: return try Tensor.binary(.divide, spread, scalar: Double(count), scalarOnLeft: false)
            case .logsumexp:
                let shift = try GradientRules.expand(out, over: axes, of: plain.shape)
                return try Tensor.binary(.multiply, try Tensor.binary(.subtract, plain, shift).map(.exp), spread)
            case .prod: return try Tensor.binary(.multiply, try productSlopes(plain, axes), spread)
            case .min, .max:
                let (winners, ties) = try tiedWinners(plain, out, axes)
                return try Tensor.binary(.multiply, winners, try Tensor.binary(.divide, spread, ties))
            case .variance(let ddof), .std(let ddof):
                let center = try GradientRules.expand(
                    try plain.reduce(.mean, axes: axes, keepdims: false), over: axes, of: plain.shape)
                let slope = try Tensor.binary(
                    .multiply, try Tensor.binary(.subtract, plain, center), scalar: 2 / (Double(count) - ddof),
                    scalarOnLeft: false)
                guard case .std = reduction else { return try Tensor.binary(.multiply, slope, spread) }
                let twiceStd = try GradientRules.expand(
                    try Tensor.binary(.multiply, out, scalar: 2, scalarOnLeft: false), over: axes, of: plain.shape)
                return try Tensor.binary(.multiply, slope, try Tensor.binary(.divide, spread, twiceStd))
            default:
                throw KLSError("\(reduction.name) has no derivative here")
            }
        }
    }

    /// ∂prod/∂xᵢ: the product of the others in xᵢ's lane — prod/xᵢ where the
    /// lane has no zero, the others' product at a lane's single zero, else 0.
    private static func productSlopes(_ x: Tensor, _ axes: [Int]?) throws(KLSError) -> Tensor {
        let isZero = try Tensor.binary(.equal, x, scalar: 0, scalarOnLeft: false)
        let nonZero = try Tensor.select(isZero, Tensor(scalar: 1), x)
        let others = try GradientRules.expand(
            try nonZero.reduce(.prod, axes: axes, keepdims: false), over: axes, of: x.shape)
        let zeros = try GradientRules.expand(
            try isZero.reduce(.sum, axes: axes, keepdims: false), over: axes, of: x.shape)
        let laneHasNoZero = try Tensor.binary(.equal, zeros, scalar: 0, scalarOnLeft: false)
        let laneHasOneZero = try Tensor.binary(.equal, zeros, scalar: 1, scalarOnLeft: false)
        let atZero = try Tensor.binary(.multiply, laneHasOneZero, others)
        let elsewhere = try Tensor.binary(.multiply, laneHasNoZero, try Tensor.binary(.divide, others, nonZero))
        return try Tensor.select(isZero, atZero, elsewhere)
    }

    /// min / max: 1 for the elements equal to the result, else 0, and how many
    /// there are in each element's lane (the gradient's share is 1/ties).
    private static func tiedWinners(_ x: Tensor, _ out: Tensor, _ axes: [Int]?) throws(KLSError) -> (Tensor, Tensor) {
        let winners = try Tensor.binary(.equal, x, try GradientRules.expand(out, over: axes, of: x.shape))
        let ties = try GradientRules.expand(
            try winners.reduce(.sum, axes: axes, keepdims: false), over: axes, of: x.shape)
        return (winners, ties)
    }

    /// maximum / minimum of two: the gradient goes to the operand that won (to x on ties).
    package static func extremum(_ op: BinaryOperator, _ a: TracedNumber, _ b: TracedNumber) throws(KLSError)
        -> TracedNumber
    {
        let (x, y) = (a.value, b.value)
        let out = try Tensor.binary(op, x, y)
        guard let tape = try tape([a, b]) else { return .plain(out) }
        let (tx, ty) = (a.node, b.node)
        return .traced(
            tape.record(out) { g, pass throws(KLSError) in
                let xWins = try Tensor.binary(.equal, try x.broadcast(to: out.shape), out)
                let toX = try Tensor.binary(.multiply, g, xWins)
                if let tx { try pass(tx, try GradientRules.unbroadcast(toX, to: x.shape)) }
                if let ty {
                    try pass(ty, try GradientRules.unbroadcast(try Tensor.binary(.subtract, g, toX), to: y.shape))
                }
            })
    }

    /// clip(x, lo, hi) for plain bounds: the gradient passes where lo ≤ x ≤ hi, else stops.
    package static func clip(_ x: TracedNumber, _ low: Tensor, _ high: Tensor) throws(KLSError) -> TracedNumber {
        let plain = x.value
        let out = try Tensor.binary(.minimum, try Tensor.binary(.maximum, plain, low), high)
        guard let t = x.node else { return .plain(out) }
        return unary(t, out) { g throws(KLSError) in
            let inside = try Tensor.binary(.equal, out, try plain.broadcast(to: out.shape))
            return try GradientRules.unbroadcast(try Tensor.binary(.multiply, g, inside), to: plain.shape)
        }
    }

    /// The axes permuted (`order` normalised); the gradient permuted back.
    package static func permute(_ x: TracedNumber, _ order: [Int]) throws(KLSError) -> TracedNumber {
        let out = try x.value.permuted(order)
        guard let t = x.node else { return .plain(out) }
        var inverse = [Int](repeating: 0, count: order.count)
        for (i, o) in order.enumerated() { inverse[o] = i }
        return unary(t, out) { g throws(KLSError) in try g.permuted(inverse) }
    }

    /// The items concatenated along `axis`, or stacked along a new one; each
    /// item gets its slice of the gradient.
    package static func join(_ items: [TracedNumber], axis: Int, stacking: Bool) throws(KLSError) -> TracedNumber {
        let parts = items.map(\.value)
        let out = stacking ? try Tensor.stack(parts, axis: axis) : try Tensor.concatenate(parts, axis: axis)
        guard let tape = try tape(items) else { return .plain(out) }
        let along = try Shape.normalize(axis: axis, rank: out.rank)
        return .traced(
            tape.record(out) { g, pass throws(KLSError) in
                var start = 0
                for (item, part) in zip(items, parts) {
                    let width = stacking ? 1 : part.shape[along]
                    var components = [IndexComponent](repeating: .slice(start: nil, stop: nil, step: nil), count: along)
                    components.append(stacking ? .single(start) : .slice(start: start, stop: start + width, step: 1))
                    if let t = item.node { try pass(t, try g.index(components)) }
                    start += width
                }
            })
    }
}
