import Foundation
import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// Distribution constructors (language.md §5). Parameters broadcast to the batch shape and
/// are validated at construction, naming the parameter and the bad value.
enum DistributionBuiltins {
    static let gaussianParameters: [Parameter] = [
        .required("mean"), .optional("std"), .optional("logvar"), .optional("var"),
    ]

    static let all: [Builtin] =
        [
            Builtin(
                "Normal", gaussianParameters, theme: .distributions,
                summary: "Normal(mean, std), or with logvar= or var=; parameters broadcast to a batch.",
                example: "Normal(0, logvar=[0, -2])"
            ) { a, session throws(KLSError) in
                let (mean, std) = try gaussian(&a, session)
                return .distribution(try Normal([mean, std]))
            }.differentiable(DistributionDerivatives.gaussian(diagonal: false)),
            Builtin(
                "DiagNormal", gaussianParameters, theme: .distributions,
                summary: "A diagonal Gaussian over vectors (the VAE posterior): event = the last axis.",
                example: "DiagNormal([0.5, -1], logvar=[0, -2])"
            ) { a, session throws(KLSError) in
                let (mean, std) = try gaussian(&a, session)
                return .distribution(try Independent(try Normal([mean, std]), k: 1, name: "DiagNormal"))
            }.differentiable(DistributionDerivatives.gaussian(diagonal: true)),
            Builtin(
                "StdNormal", [.optional("d").meaning("the dimension; none: the scalar Normal(0, 1)")],
                theme: .distributions,
                summary: "StdNormal(d) is DiagNormal(zeros(d), 1), the VAE prior; StdNormal() is Normal(0, 1).",
                example: "StdNormal(2)"
            ) { a, _ throws(KLSError) in
                if a.isNone("d") { return .distribution(try Normal([Tensor(scalar: 0), Tensor(scalar: 1)])) }
                let d = try a.integer("d", atLeast: 1)
                let base = try Normal([try Tensor(repeating: 0, shape: [d]), try Tensor(repeating: 1, shape: [d])])
                return .distribution(try Independent(base, k: 1, name: "StdNormal"))
            },
            Builtin(
                "MvNormal",
                [
                    .required("mean").meaning("the mean vector [d] (or a batch [..., d])"),
                    .required("cov").meaning("the covariance matrix [d, d], symmetric positive definite"),
                ], theme: .distributions,
                summary: "A Gaussian with full covariance (Cholesky); cov must be positive definite.",
                example: "MvNormal([0, 0], [[1, 0.5], [0.5, 2]])"
            ) { a, _ throws(KLSError) in
                .distribution(try MvNormal(mean: try a.tensor("mean"), cov: try a.tensor("cov")))
            }.differentiable(DistributionDerivatives.mvNormal),
        ] + ScalarFamilies.all.compactMap(constructor) + [
            Builtin(
                "Categorical",
                [
                    .required("probs").meaning(
                        "the weights of 0 … k−1 on the last axis, ≥ 0 (normalised to sum to 1)")
                ],
                theme: .distributions,
                summary: "Values 0…k−1; probs (last axis) are normalised for you.",
                example: "Categorical([1, 2, 1])"
            ) { a, _ throws(KLSError) in
                .distribution(try Categorical(probs: try a.tensor("probs")))
            }.differentiable(DistributionDerivatives.discrete(categorical: true))
        ] + VectorFamilies.all.map(vector) + [
            Builtin(
                "Mixture",
                [
                    .required("weights").meaning("the components' weights, ≥ 0 (normalised to sum to 1)"),
                    .required("components").meaning("a list of distributions of one shape"),
                ], theme: .distributions,
                summary: "Σ w_k p_k over a list of components of one shape; weights are normalised.",
                example: "Mixture([0.3, 0.7], [Normal(-2, 1), Normal(2, 0.5)])"
            ) { a, _ throws(KLSError) in
                let weights = try a.tensor("weights")
                guard case .list(let items) = a["components"] else {
                    throw KLSError(
                        "Mixture: components must be a list of distributions, got \(a["components"].typeName)")
                }
                var components: [any Distribution] = []
                for (i, item) in items.enumerated() {
                    guard case .distribution(let d) = item else {
                        throw KLSError("Mixture: components[\(i)] is a \(item.typeName), not a distribution")
                    }
                    components.append(d)
                }
                return .distribution(try Mixture(weights: weights, components: components))
            }.differentiable(DistributionDerivatives.mixture),
            Builtin(
                "independent",
                [
                    .required("dist").meaning("a distribution with a batch shape"),
                    .optional("k", .number(1)).meaning(
                        "how many of its rightmost batch axes become event axes (summed in logpdf)"),
                ], theme: .distributions,
                summary: "Treats the last k batch axes as event axes (PyTorch's Independent).",
                example: "independent(Normal([0, 0], 1))"
            ) { a, _ throws(KLSError) in
                .distribution(try Independent(try distribution(a, "dist"), k: try a.integer("k", atLeast: 0)))
            },
        ]

    /// The constructor of each family in `ScalarFamilies.all` but Normal (whose
    /// own takes logvar= and var=), differentiable by the family's formulas.
    private static func constructor(_ family: any ScalarFamily.Type) -> Builtin? {
        guard family != NormalFamily.self else { return nil }
        return constructor(of: family)
    }

    private static func constructor<F: ScalarFamily>(of family: F.Type) -> Builtin {
        if F.self == BernoulliFamily.self {
            return scalar(F.self).differentiable(DistributionDerivatives.discrete(categorical: false))
        }
        return scalar(F.self).differentiable(DistributionDerivatives.scalar(F.self))
    }

    /// The constructor builtin of a scalar family, read from the family's own
    /// declaration: name, parameter names and defaults, help and example.
    static func scalar<F: ScalarFamily>(_ family: F.Type) -> Builtin {
        let parameters = F.parameterNames.indices.map { i in
            let name = F.parameterNames[i]
            let parameter = F.parameterDefaults[i].map { Parameter.optional(name, .number($0)) } ?? .required(name)
            return parameter.meaning(F.parameterMeanings[i])
        }
        return Builtin(F.name, parameters, theme: .distributions, summary: F.summary, example: F.example) {
            a, _ throws(KLSError) in
            var values: [Tensor] = []
            for p in parameters { values.append(try a.tensor(p.name)) }
            return .distribution(try ScalarDistribution<F>(values))
        }
    }

    /// The constructor builtin of a vector family, read from its declaration;
    /// it differentiates when the family does (`DifferentiableVectorFamily`).
    static func vector(_ family: any VectorFamily.Type) -> Builtin {
        let parameters = zip(family.parameterNames, family.parameterMeanings).map { Parameter.required($0).meaning($1) }
        let builtin = Builtin(
            family.name, parameters, theme: .distributions, summary: family.summary, example: family.example
        ) { a, _ throws(KLSError) in
            var values: [Tensor] = []
            for p in parameters { values.append(try a.tensor(p.name)) }
            return .distribution(try family.make(values))
        }
        guard let differentiable = family as? any DifferentiableVectorFamily.Type else { return builtin }
        return builtin.differentiable(DistributionDerivatives.vector(differentiable))
    }

    /// (mean, std) from exactly one of std, logvar= and var=; warns when logvar
    /// overflows exp.
    static func gaussian(_ a: inout Arguments, _ session: Interpreter) throws(KLSError) -> (Tensor, Tensor) {
        let mean = try a.tensor("mean")
        let given = ["std", "logvar", "var"].filter { !a.isNone($0) }
        guard given.count == 1 else {
            throw KLSError(
                given.isEmpty
                    ? "\(a.function) needs a spread: std, logvar= or var="
                    : "\(a.function): give only one of std, logvar= and var=, not \(given.joined(separator: " and "))",
                hint: "e.g. \(a.function)(mean, logvar=lv)")
        }
        switch given[0] {
        case "std":
            return (mean, try a.tensor("std"))
        case "logvar":
            let logvar = try a.tensor("logvar")
            try warnOnOverflow(logvar, a.function, session)
            return (mean, try (try logvar.apply(cost: 1) { 0.5 * $0 }).map(.exp))
        default:
            let variance = try a.tensor("var")
            for i in 0..<variance.count where !(variance[flat: i] > 0) {
                throw KLSError("\(a.function): var must be > 0, got \(Formatter.number(variance[flat: i]))")
            }
            return (mean, try variance.map(.sqrt))
        }
    }

    /// exp(logvar) overflows past 709.78 and underflows below −745: the variance
    /// becomes inf or 0 and every KL and density with it.
    static func warnOnOverflow(_ logvar: Tensor, _ function: String, _ session: Interpreter) throws(KLSError) {
        let worst = logvar.withBuffer { b in
            b.reduce(0.0) { Swift.abs($1) > Swift.abs($0) ? $1 : $0 }
        }
        guard Swift.abs(worst) > 709.78 else { return }
        try session.warn(Messages.logvarOverflow(function: function, worst: worst))
    }

    /// Parameter `name` as a distribution.
    static func distribution(_ a: Arguments, _ name: String) throws(KLSError) -> any Distribution {
        try a.read(name) { v, what throws(KLSError) in
            guard case .distribution(let d) = v else {
                throw KLSError("\(what) must be a distribution, got \(v.typeName)")
            }
            return d
        }
    }
}
