import Foundation
import KLSDiagnostics
import KLSDistributions
import KLSGradient
import KLSTensor

/// The reductions' and reshaping builtins' derivative rules: their arguments
/// read here, the rules themselves `TracedNumber`'s (KLSGradient).
enum ReductionDerivatives {
    /// A reduction builtin (x, axis, keepdims).
    /// A traced deferred x is reduced in its fused graph where it can be (`Fusion.reduce`).
    static func reduction(_ reduction: @escaping @Sendable (Arguments) throws(KLSError) -> Reduction) -> Derivative {
        .custom { a, _ throws(KLSError) in
            if case .deferred = a["x"] {
                let (r, axes, keepdims) = (try reduction(a), try a.axes(), try a.bool("keepdims"))
                let fused = try a.read("x") { v, _ throws(KLSError) in
                    try Fusion.reduce(r, v, axes: axes, keepdims: keepdims)
                }
                if let fused { return fused }
            }
            return Value(
                try TracedNumber.reduce(
                    try a.formulaNumber("x"), try reduction(a), axes: try a.axes(), keepdims: try a.bool("keepdims")))
        }
    }

    static func reduction(_ fixed: Reduction) -> Derivative { reduction { _ throws(KLSError) in fixed } }

    /// var and std (with ddof); of a distribution, its moments.
    static func spread(std: Bool) -> Derivative {
        let tensors = reduction { a throws(KLSError) in
            let ddof = try a.number("ddof")
            return std ? .std(ddof: ddof) : .variance(ddof: ddof)
        }
        return moment(tensors) { d throws(KLSError) in
            let variance = try d.parts.variance(d)
            return std ? try TracedNumber.sqrt(variance) : variance
        }
    }

    /// mean: of a distribution, its mean.
    static let mean = moment(reduction(.mean)) { d throws(KLSError) in try d.parts.mean(d) }

    /// `rule` for tensors; `moment` of a distribution whose parameters are traced.
    private static func moment(
        _ rule: Derivative, _ moment: @escaping @Sendable (TracedDistribution) throws(KLSError) -> TracedNumber
    ) -> Derivative {
        guard case .custom(let body) = rule else { return rule }
        return .custom { a, session throws(KLSError) in
            guard case .distribution(let d as TracedDistribution) = a["x"] else { return try body(&a, session) }
            guard a.isNone("axis") else { throw KLSError("\(a.function): axis= applies to tensors") }
            return Value(try moment(d))
        }
    }

    /// logmeanexp = logsumexp − log n.
    static let logmeanexp = Derivative.custom { a, _ throws(KLSError) in
        let x = try a.formulaNumber("x")
        let axes = try a.axes()
        let reduced = try ReductionBuiltins.reducedCount(x.value, axes)
        guard reduced > 0 else { throw KLSError("logmeanexp of no elements is undefined") }
        let total = try TracedNumber.reduce(x, .logsumexp, axes: axes, keepdims: try a.bool("keepdims"))
        return Value(try total - Foundation.log(Double(reduced)))
    }

    /// reshape, with one extent that may be -1.
    static let reshape = Derivative.custom { a, _ throws(KLSError) in
        let x = try a.formulaNumber("x")
        let shape = try a.read("shape") { v, what throws(KLSError) in try v.asIntegers(what, atLeast: -1) }
        return Value(try TracedNumber.reshape(x, try x.value.reshape(shape).shape))
    }

    /// transpose, with the axes' order (reversed when not given).
    static let transpose = Derivative.custom { a, _ throws(KLSError) in
        let x = try a.formulaNumber("x")
        let rank = x.value.rank
        let order: [Int] = try (try a.axes("axes") ?? Array((0..<rank).reversed())).map { axis throws(KLSError) in
            try Shape.normalize(axis: axis, rank: rank)
        }
        return Value(try TracedNumber.permute(x, order))
    }

    /// maximum / minimum of two.
    static func extremum(_ op: BinaryOperator) -> Derivative {
        .custom { a, _ throws(KLSError) in
            if let fused = try Fusion.combine(op, a["x"], a["y"]) { return fused }
            return Value(try TracedNumber.extremum(op, try a.formulaNumber("x"), try a.formulaNumber("y")))
        }
    }

    /// where(c, x, y).
    static let select = Derivative.custom { a, _ throws(KLSError) in
        if let fused = try Fusion.select(a["condition"], a["x"], a["y"]) { return fused }
        return Value(
            try TracedNumber.select(try a.tensor("condition"), try a.formulaNumber("x"), try a.formulaNumber("y")))
    }

    /// clip(x, lo, hi), differentiated in x.
    static let clip = Derivative.custom { a, _ throws(KLSError) in
        guard a.traced("lo") == nil, a.traced("hi") == nil else {
            throw KLSError("grad through clip's bounds is not supported: differentiate x only")
        }
        return Value(try TracedNumber.clip(try a.formulaNumber("x"), try a.tensor("lo"), try a.tensor("hi")))
    }

    /// cumsum and cummean.
    static func scan(mean: Bool) -> Derivative {
        .custom { a, _ throws(KLSError) in
            Value(try TracedNumber.scan(try a.formulaNumber("x"), mean: mean, axis: try a.axis()))
        }
    }

    static let cumprod = Derivative.custom { a, _ throws(KLSError) in
        Value(try TracedNumber.cumulativeProduct(try a.formulaNumber("x"), axis: try a.axis()))
    }

    static let sort = Derivative.custom { a, _ throws(KLSError) in
        Value(try TracedNumber.sort(try a.formulaNumber("x"), axis: try a.axis()))
    }

    /// quantile(x, q, axis) and median(x, axis) (q = 0.5).
    static func quantile(median: Bool) -> Derivative {
        .custom { a, _ throws(KLSError) in
            let q = median ? Tensor(scalar: 0.5) : try a.tensor("q")
            return Value(try TracedNumber.quantiles(try a.formulaNumber("x"), q, axis: try a.axis()))
        }
    }
}
