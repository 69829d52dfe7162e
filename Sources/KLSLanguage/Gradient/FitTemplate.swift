import Foundation
import KLSDiagnostics
import KLSDistributions
import KLSTensor

/// q's family as `fit` moves it: its constructor, and each parameter as an
/// unconstrained tensor θ that maps onto the parameter's domain — so every
/// step of the optimiser gives a valid q, and the family is kept.
struct FitTemplate {
    /// How an unconstrained θ becomes a parameter.
    enum Domain {
        /// The parameter is θ (a mean, a location).
        case real
        /// exp(θ) (a scale, a rate, a shape).
        case positive
        /// L Lᵀ, L lower-triangular with diagonal exp(θᵢᵢ) (an MvNormal's cov).
        case covariance
    }

    /// The domain of each parameter name kls's families use — the one table
    /// that says which parameters `fit` can move and how.
    static let domains: [String: Domain] = [
        "mean": .real, "loc": .real, "mu": .real, "cov_factor": .real,
        "std": .positive, "scale": .positive, "rate": .positive, "df": .positive, "concentration": .positive,
        "a": .positive, "b": .positive, "shape": .positive, "sigma": .positive, "alpha": .positive,
        "cov_diag": .positive, "cov": .covariance,
    ]

    let family: String
    let constructor: Function
    /// Each parameter's name and domain, in constructor order.
    let parameters: [(name: String, domain: Domain)]

    init(_ q: any Distribution) throws(KLSError) {
        family = q.family
        guard q.batchShape.isEmpty else {
            throw KLSError(
                "fit: q must be one distribution, got a batch of shape \(Shape.describe(q.batchShape))",
                hint: "fit each element on its own, or use a DiagNormal over the vector")
        }
        if q.family == "StdNormal" {
            throw KLSError(
                "fit: StdNormal has no parameters to move",
                hint: "start from DiagNormal(zeros(d), ones(d)) to fit a diagonal Gaussian")
        }
        guard !q.isDiscrete else {
            throw KLSError("fit: q is a \(q.family), which is discrete; fit needs a reparameterisable q")
        }
        guard case .function(let make)? = BuiltinRegistry.value(q.family) else {
            throw KLSError("fit: cannot rebuild a \(q.family) from its parameters; give q as a family's constructor")
        }
        constructor = make
        var parameters: [(String, Domain)] = []
        for (name, _) in q.parameters {
            guard let domain = Self.domains[name] else {
                throw KLSError(
                    "fit: cannot keep \(q.family)'s parameter '\(name)' valid while it moves",
                    hint: "fit moves real and positive parameters and covariances (Normal, DiagNormal, MvNormal, "
                        + "Laplace, StudentT, Gamma, …)")
            }
            parameters.append((name, domain))
        }
        self.parameters = parameters
    }

    /// θ for a plain distribution of this family.
    func unconstrained(_ q: any Distribution) throws(KLSError) -> [Tensor] {
        try zip(parameters, q.parameters).map { (parameter, given) throws(KLSError) -> Tensor in
            switch parameter.domain {
            case .real: return given.value
            case .positive: return try given.value.map(.log)
            case .covariance: return try Self.logCholesky(given.value)
            }
        }
    }

    /// The lower Cholesky factor of a d×d covariance with its diagonal's log.
    static func logCholesky(_ cov: Tensor) throws(KLSError) -> Tensor {
        let factor = try cov.cholesky()
        let d = cov.shape.first ?? 0
        return try Tensor(shape: [d, d]) { out in
            for i in 0..<d {
                for j in 0..<d {
                    let v = factor[flat: i * d + j]
                    out[i * d + j] = i == j ? Foundation.log(v) : (j < i ? v : 0)
                }
            }
        }
    }

    /// The distribution with parameters mapped from θ (traced values under
    /// `grad`, so the result is a traced distribution).
    func distribution(_ theta: [Value], _ session: Interpreter) throws(KLSError) -> Value {
        var arguments: [Value] = []
        for (parameter, value) in zip(parameters, theta) {
            switch parameter.domain {
            case .real: arguments.append(value)
            case .positive: arguments.append(try call("exp", [value], session))
            case .covariance: arguments.append(try covariance(value, session))
            }
        }
        return try session.call(constructor, arguments)
    }

    /// L Lᵀ with L = θ below the diagonal and exp(θᵢᵢ) on it.
    private func covariance(_ theta: Value, _ session: Interpreter) throws(KLSError) -> Value {
        let d = try theta.asTensor().shape.first ?? 0
        let strictlyLower = try Tensor(shape: [d, d]) { out in
            for i in 0..<d { for j in 0..<d { out[i * d + j] = j < i ? 1 : 0 } }
        }
        let diagonal = try call("exp", [try call("diag", [theta], session)], session)
        let lower = try Operators.arithmetic(
            .add, try Operators.arithmetic(.multiply, theta, .tensor(strictlyLower)),
            try call("diag", [diagonal], session))
        return try call("matmul", [lower, try call("transpose", [lower], session)], session)
    }

    /// A builtin by name.
    func call(_ name: String, _ arguments: [Value], _ session: Interpreter, keywords: [(String, Value)] = [])
        throws(KLSError) -> Value
    {
        guard case .function(let f)? = BuiltinRegistry.value(name) else {
            throw KLSError("internal: no builtin '\(name)'")
        }
        return try session.call(f, arguments, keywords: keywords)
    }
}
