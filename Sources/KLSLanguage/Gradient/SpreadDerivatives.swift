import Foundation
import KLSDiagnostics
import KLSDistributions
import KLSGradient
import KLSTensor

/// Derivative rules of the remaining reductions — prod, min, max, var, std,
/// logmeanexp — and of the moments of a distribution whose parameters are traced.
///
/// Conventions at the edges: min and max share the gradient equally among tied
/// elements (as JAX does); prod's gradient at a zero is the product of the
/// other elements (exact, not prod/x); std's gradient where std is 0 is nan,
/// as in PyTorch.
extension ReductionDerivatives {
    /// prod: each element's gradient is the product of the others in its lane.
    static let prod = Derivative.custom { a, _ throws(KLSError) in
        let (x, axes, out) = try reduced(a, .prod)
        guard let t = a.traced("x") else { return Value.from(out) }
        return .traced(
            t.tape.record(out) { g, pass throws(KLSError) in
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
                let slope = try Tensor.select(isZero, atZero, elsewhere)
                try pass(t, try Tensor.binary(.multiply, slope, try GradientRules.expand(g, over: axes, of: x.shape)))
            })
    }

    /// min / max: the gradient shared equally by the elements equal to the result.
    static func extreme(_ reduction: Reduction) -> Derivative {
        .custom { a, _ throws(KLSError) in
            let (x, axes, out) = try reduced(a, reduction)
            guard let t = a.traced("x") else { return Value.from(out) }
            return .traced(
                t.tape.record(out) { g, pass throws(KLSError) in
                    let winners = try Tensor.binary(.equal, x, try GradientRules.expand(out, over: axes, of: x.shape))
                    let ties = try GradientRules.expand(
                        try winners.reduce(.sum, axes: axes, keepdims: false), over: axes, of: x.shape)
                    let share = try Tensor.binary(.divide, try GradientRules.expand(g, over: axes, of: x.shape), ties)
                    try pass(t, try Tensor.binary(.multiply, winners, share))
                })
        }
    }

    /// var and std: ∂var/∂xᵢ = 2(xᵢ − mean)/(n − ddof) (the mean's own
    /// dependence cancels), and ∂std = ∂var/(2 std). Of a distribution: its moments.
    static func spread(std: Bool) -> Derivative {
        .custom { a, _ throws(KLSError) in
            if case .distribution(let d as TracedDistribution) = a["x"] {
                guard a.isNone("axis") else { throw KLSError("\(a.function): axis= applies to tensors") }
                let variance = try d.parts.variance(d)
                return Value(std ? try TracedNumber.sqrt(variance) : variance)
            }
            let ddof = try a.number("ddof")
            let (x, axes, out) = try reduced(a, std ? .std(ddof: ddof) : .variance(ddof: ddof))
            guard let t = a.traced("x") else { return Value.from(out) }
            let count = try ReductionBuiltins.reducedCount(x, axes)
            return .traced(
                t.tape.record(out) { g, pass throws(KLSError) in
                    let center = try GradientRules.expand(
                        try x.reduce(.mean, axes: axes, keepdims: false), over: axes, of: x.shape)
                    var slope = try Tensor.binary(
                        .multiply, try Tensor.binary(.subtract, x, center), scalar: 2 / (Double(count) - ddof),
                        scalarOnLeft: false)
                    var weight = g
                    if std {
                        weight = try Tensor.binary(
                            .divide, g, try Tensor.binary(.multiply, out, scalar: 2, scalarOnLeft: false))
                    }
                    slope = try Tensor.binary(
                        .multiply, slope, try GradientRules.expand(weight, over: axes, of: x.shape))
                    try pass(t, slope)
                })
        }
    }

    /// logmeanexp = logsumexp − log n: logsumexp's rule.
    static let logmeanexp = Derivative.custom { a, session throws(KLSError) in
        guard case .custom(let rule) = logsumexp else { throw KLSError("internal: logsumexp has no rule") }
        let x = try a.anyTensor("x")
        let axes = try a.axes()
        let reduced = try ReductionBuiltins.reducedCount(x, axes)
        guard reduced > 0 else { throw KLSError("logmeanexp of no elements is undefined") }
        return try Differentiation.binary(.subtract, try rule(&a, session), .number(Foundation.log(Double(reduced))))
    }

    /// mean of a traced distribution (its mean), else sum/mean's rule.
    static func meanOrMoment(_ rule: Derivative) -> Derivative {
        guard case .custom(let body) = rule else { return rule }
        return .custom { a, session throws(KLSError) in
            if case .distribution(let d as TracedDistribution) = a["x"] {
                guard a.isNone("axis") else { throw KLSError("\(a.function): axis= applies to tensors") }
                return Value(try d.parts.mean(d))
            }
            return try body(&a, session)
        }
    }

    /// x, the axes and the plain reduction of a reduction builtin's arguments.
    private static func reduced(_ a: Arguments, _ reduction: Reduction) throws(KLSError) -> (Tensor, [Int]?, Tensor) {
        let x = try a.anyTensor("x")
        let axes = try a.axes()
        return (x, axes, try x.reduce(reduction, axes: axes, keepdims: try a.bool("keepdims")))
    }
}
