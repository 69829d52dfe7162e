import Foundation
import KLSDiagnostics
import KLSGradient
import KLSTensor

/// Derivative rules of reductions and reshaping builtins.
enum ReductionDerivatives {
    /// sum and mean: the gradient spread evenly (divided by the count for mean).
    static func sumOrMean(mean: Bool) -> Derivative {
        .custom { a, _ throws(KLSError) in
            let x = try a.anyTensor("x")
            let axes = try a.axes()
            let out = try x.reduce(mean ? .mean : .sum, axes: axes, keepdims: try a.bool("keepdims"))
            guard let t = a.traced("x") else { return Value.from(out) }
            let count = x.count == 0 ? 1 : x.count / Swift.max(1, out.count)
            return .traced(
                t.tape.record(out) { g, pass throws(KLSError) in
                    var spread = try GradientRules.expand(g, over: axes, of: x.shape)
                    if mean { spread = try Tensor.binary(.divide, spread, scalar: Double(count), scalarOnLeft: false) }
                    try pass(t, spread)
                })
        }
    }

    /// logsumexp: the gradient times softmax(x) along the reduced axes.
    static let logsumexp = Derivative.custom { a, _ throws(KLSError) in
        let x = try a.anyTensor("x")
        let axes = try a.axes()
        let out = try x.reduce(.logsumexp, axes: axes, keepdims: try a.bool("keepdims"))
        guard let t = a.traced("x") else { return Value.from(out) }
        return .traced(
            t.tape.record(out) { g, pass throws(KLSError) in
                let weights = try Tensor.binary(.subtract, x, try GradientRules.expand(out, over: axes, of: x.shape))
                    .map(.exp)
                try pass(t, try Tensor.binary(.multiply, weights, try GradientRules.expand(g, over: axes, of: x.shape)))
            })
    }

    /// reshape: the gradient reshaped back.
    static let reshape = Derivative.custom { a, session throws(KLSError) in
        guard let t = a.traced("x") else { throw KLSError("internal: reshape rule without a traced x") }
        let out = try t.value.reshape(
            try a.read("shape") { v, what throws(KLSError) in try v.asIntegers(what, atLeast: -1) })
        return .traced(t.tape.record(out) { g, pass throws(KLSError) in try pass(t, try g.reshaped(t.value.shape)) })
    }

    /// transpose: the gradient permuted back.
    static let transpose = Derivative.custom { a, _ throws(KLSError) in
        guard let t = a.traced("x") else { throw KLSError("internal: transpose rule without a traced x") }
        let rank = t.value.rank
        let order: [Int] = try (try a.axes("axes") ?? Array((0..<rank).reversed())).map { axis throws(KLSError) in
            try Shape.normalize(axis: axis, rank: rank)
        }
        let out = try t.value.permuted(order)
        var inverse = [Int](repeating: 0, count: order.count)
        for (i, o) in order.enumerated() { inverse[o] = i }
        return .traced(t.tape.record(out) { g, pass throws(KLSError) in try pass(t, try g.permuted(inverse)) })
    }

    /// maximum / minimum: the gradient goes to the operand that won (to x on ties).
    static func extremum(_ op: BinaryOperator) -> Derivative {
        .custom { a, _ throws(KLSError) in
            let (x, y) = (try a.anyTensor("x"), try a.anyTensor("y"))
            let out = try Tensor.binary(op, x, y)
            guard let tape = try Differentiation.tape([a["x"], a["y"]]) else { return Value.from(out) }
            let (tx, ty) = (a.traced("x"), a.traced("y"))
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
    }

    /// where(c, x, y): the gradient goes to x where c holds, else to y.
    static let select = Derivative.custom { a, _ throws(KLSError) in
        Value(try TracedNumber.select(try a.tensor("condition"), try a.formulaNumber("x"), try a.formulaNumber("y")))
    }

    /// clip(x, lo, hi): the gradient passes where lo ≤ x ≤ hi, else stops.
    static let clip = Derivative.custom { a, _ throws(KLSError) in
        guard a.traced("lo") == nil, a.traced("hi") == nil else {
            throw KLSError("grad through clip's bounds is not supported: differentiate x only")
        }
        let x = try a.anyTensor("x")
        let out = try Tensor.binary(.minimum, try Tensor.binary(.maximum, x, try a.tensor("lo")), try a.tensor("hi"))
        guard let t = a.traced("x") else { return Value.from(out) }
        return .traced(
            t.tape.record(out) { g, pass throws(KLSError) in
                let inside = try Tensor.binary(.equal, out, try x.broadcast(to: out.shape))
                try pass(t, try GradientRules.unbroadcast(try Tensor.binary(.multiply, g, inside), to: x.shape))
            })
    }
}
