import Foundation
import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// Reductions and scans (language.md §4). Every reduction takes `axis=` (a number, a list,
/// or none for all axes; negative counts from the end) and `keepdims=false`.
enum ReductionBuiltins {
    static let all: [Builtin] = [
        reduction("sum", .sum, "The sum of the elements.", "sum([[1, 2], [3, 4]], axis=0)")
            .differentiable(ReductionDerivatives.reduction(.sum)),
        reduction("mean", .mean, "The arithmetic mean; of a distribution, its mean.", "mean([1, 2, 3, 4])")
            .differentiable(ReductionDerivatives.mean),
        reduction("prod", .prod, "The product of the elements.", "prod([1, 2, 3, 4])")
            .differentiable(ReductionDerivatives.reduction(.prod)),
        reduction("min", .min, "The smallest element (nan if any is nan).", "min([3, 1, 2])")
            .differentiable(ReductionDerivatives.reduction(.min)),
        reduction("max", .max, "The largest element (nan if any is nan).", "max([[1, 5], [3, 2]], axis=1)")
            .differentiable(ReductionDerivatives.reduction(.max)),
        reduction(
            "logsumexp", .logsumexp, "log Σ exp(x), shifted by the maximum so nothing overflows.",
            "logsumexp([1000, 1000])"
        ).differentiable(ReductionDerivatives.reduction(.logsumexp)),
        reduction(
            "argmin", .argmin, "The index of the smallest element (flat index when axis is none).",
            "argmin([3, 1, 2])"),
        reduction(
            "argmax", .argmax, "The index of the largest element (flat index when axis is none).", "argmax([3, 1, 2])"),
        reduction("all", .all, "true when every element is non-zero.", "all([1, 2] > 0)"),
        reduction("any", .any, "true when some element is non-zero.", "any([0, 0, 1])"),
        spread(
            "var", { .variance(ddof: $0) }, "Variance, dividing by n − ddof; of a distribution, its variance.",
            "var([1, 2, 3, 4], ddof=1)"
        ).differentiable(ReductionDerivatives.spread(std: false)),
        spread("std", { .std(ddof: $0) }, "Standard deviation, dividing by n − ddof.", "std([1, 2, 3, 4])")
            .differentiable(ReductionDerivatives.spread(std: true)),
        scan("cumsum", mean: false, "Running sum along an axis (flattened when axis is none).", "cumsum([1, 2, 3])")
            .differentiable(ReductionDerivatives.scan(mean: false)),
        scan("cummean", mean: true, "Running mean: element i is the mean of the first i+1.", "cummean([2, 4, 6])")
            .differentiable(ReductionDerivatives.scan(mean: true)),
        Builtin(
            "cumprod", [.required("x"), .optional("axis")], theme: .reductions,
            summary: "Running product along an axis (flattened when axis is none).", example: "cumprod([1, 2, 3])"
        ) { a, _ throws(KLSError) in
            Value.from(try a.tensor("x").cumulativeProduct(axis: try a.axis()))
        }.differentiable(ReductionDerivatives.cumprod),
        Builtin(
            "logmeanexp", reductionParameters, theme: .reductions,
            summary: "log mean exp(x) = logsumexp(x) − log n, without overflow: the IWAE bound of log-weights.",
            example: "logmeanexp([1000, 1000])"
        ) { a, _ throws(KLSError) in
            let x = try a.tensor("x")
            let axes = try a.axes()
            let total = try x.reduce(.logsumexp, axes: axes, keepdims: try a.bool("keepdims"))
            let reduced = try reducedCount(x, axes)
            guard reduced > 0 else { throw KLSError("logmeanexp of no elements is undefined") }
            return Value.from(try Tensor.binary(.subtract, total, scalar: log(Double(reduced)), scalarOnLeft: false))
        }.differentiable(ReductionDerivatives.logmeanexp),
        Builtin(
            "sort",
            [
                .required("x"),
                .optional("axis", .number(-1)).meaning("the axis to sort along; none: the flattened elements"),
            ], theme: .reductions,
            summary: "The elements in increasing order along axis (the last; none sorts all, flattened); nan last.",
            example: "sort([3, 1, 2])"
        ) { a, _ throws(KLSError) in
            .tensor(try a.tensor("x").sorted(axis: try a.axis()))
        }.differentiable(ReductionDerivatives.sort),
        Builtin(
            "argsort",
            [
                .required("x"),
                .optional("axis", .number(-1)).meaning("the axis to sort along; none: the flattened elements"),
            ], theme: .reductions,
            summary:
                "The indices that would sort x along axis (stable; nan last): the positions of the smallest first.",
            example: "argsort([3, 1, 2])"
        ) { a, _ throws(KLSError) in
            .tensor(try a.tensor("x").sortingIndices(axis: try a.axis()))
        },
        Builtin(
            "quantile",
            [
                .required("x"),
                .required("q").meaning(
                    "the probability (or a list of them) in [0, 1]; linear interpolation as NumPy's default"),
                .optional("axis"),
            ], theme: .reductions,
            summary: "The q-quantiles (q from 0 to 1, a number or a list), interpolated linearly as NumPy does.",
            example: "quantile(randn(1000, seed=1), [0.025, 0.975])"
        ) { a, _ throws(KLSError) in
            Value.from(try a.tensor("x").quantiles(try a.tensor("q"), axis: try a.axis()))
        }.differentiable(ReductionDerivatives.quantile(median: false)),
        Builtin(
            "median", [.required("x"), .optional("axis")], theme: .reductions,
            summary: "The middle value (the mean of the two middle values for an even count).",
            example: "median([3, 1, 4, 1, 5])"
        ) { a, _ throws(KLSError) in
            Value.from(try a.tensor("x").quantiles(Tensor(scalar: 0.5), axis: try a.axis()))
        }.differentiable(ReductionDerivatives.quantile(median: true)),
    ]

    /// How many elements each result of reducing `x` over `axes` (all when nil) combines.
    static func reducedCount(_ x: Tensor, _ axes: [Int]?) throws(KLSError) -> Int {
        try (axes ?? Array(0..<x.rank)).map { axis throws(KLSError) in
            x.shape[try Shape.normalize(axis: axis, rank: x.rank)]
        }.reduce(1, *)
    }

    static let reductionParameters: [Parameter] = [
        .required("x"), .optional("axis"), .optional("keepdims", .bool(false)),
    ]

    static func reduction(_ name: String, _ reduction: Reduction, _ summary: String, _ example: String) -> Builtin {
        Builtin(name, reductionParameters, theme: .reductions, summary: summary, example: example) {
            a, _ throws(KLSError) in
            try reduce(a, reduction)
        }.fusing(traced: true)
    }

    static func spread(
        _ name: String, _ make: @escaping @Sendable (Double) -> Reduction, _ summary: String, _ example: String
    ) -> Builtin {
        Builtin(
            name, reductionParameters + [.optional("ddof", .number(0))], theme: .reductions, summary: summary,
            example: example
        ) { a, _ throws(KLSError) in
            try reduce(a, make(try a.number("ddof")))
        }.fusing(traced: true)
    }

    static func reduce(_ a: Arguments, _ reduction: Reduction) throws(KLSError) -> Value {
        if case .distribution(let d) = a["x"] { return try moment(d, reduction, a) }
        let axes = try a.axes()
        let keepdims = try a.bool("keepdims")
        if let fused = try a.read(
            "x",
            { v, _ throws(KLSError) in
                try Fusion.reduce(reduction, v, axes: axes, keepdims: keepdims)
            })
        {
            return fused
        }
        let x = try a.tensor("x")
        let result = try x.reduce(reduction, axes: axes, keepdims: keepdims)
        if reduction == .all || reduction == .any, result.rank == 0 { return .bool(result[flat: 0] != 0) }
        return Value.from(result)
    }

    /// mean(d), var(d), std(d) of a distribution: its moments per coordinate.
    static func moment(_ d: any Distribution, _ reduction: Reduction, _ a: Arguments) throws(KLSError) -> Value {
        guard a.isNone("axis") else { throw KLSError("\(a.function): axis= applies to tensors, not to a distribution") }
        switch reduction {
        case .mean: return Value.from(try d.mean())
        case .variance: return Value.from(try d.variance())
        case .std: return Value.from(try d.variance().map(.sqrt))
        default:
            throw KLSError(
                "\(a.function) of a distribution is not defined; draw samples first: \(a.function)(sample(d, n=1000))")
        }
    }

    static func scan(_ name: String, mean: Bool, _ summary: String, _ example: String) -> Builtin {
        Builtin(name, [.required("x"), .optional("axis")], theme: .reductions, summary: summary, example: example) {
            a, _ throws(KLSError) in
            Value.from(try a.tensor("x").scan(mean: mean, axis: try a.axis()))
        }
    }
}
