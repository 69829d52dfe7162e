import KLSTensor
import Testing

@testable import KLSLanguage

/// Every builtin declared differentiable is checked against central
/// differences: the table below must name each one (a new differentiable
/// builtin without a case fails the first test), and each case runs at
/// points drawn from a fixed seed.
@Suite struct EveryDerivativeTests {
    /// name → a scalar function of x (a [2, 3] tensor, entries in (0.2, 1.2)).
    static let cases: [String: String] = [
        "exp": "x -> sum(exp(x) * W)", "log": "x -> sum(log(x) * W)", "log1p": "x -> sum(log1p(x) * W)",
        "expm1": "x -> sum(expm1(x) * W)", "sqrt": "x -> sum(sqrt(x) * W)", "abs": "x -> sum(abs(x - 2) * W)",
        "square": "x -> sum(square(x) * W)", "sin": "x -> sum(sin(x) * W)", "cos": "x -> sum(cos(x) * W)",
        "tan": "x -> sum(tan(x) * W)", "tanh": "x -> sum(tanh(x) * W)", "sigmoid": "x -> sum(sigmoid(x) * W)",
        "softplus": "x -> sum(softplus(x) * W)", "lgamma": "x -> sum(lgamma(x) * W)",
        "digamma": "x -> sum(digamma(x) * W)", "erf": "x -> sum(erf(x) * W)", "erfc": "x -> sum(erfc(x) * W)",
        "floor": "x -> sum(floor(x + 0.5) * W) + sum(x)", "ceil": "x -> sum(ceil(x + 0.5) * W) + sum(x)",
        "round": "x -> sum(round(x + 0.25) * W) + sum(x)", "sign": "x -> sum(sign(x) * W) + sum(x)",
        "isnan": "x -> sum(isnan(x) * W) + sum(x)", "isfinite": "x -> sum(isfinite(x) * W) + sum(x)",
        "pow": "x -> sum(pow(x, W) + pow(W + 2, x))", "maximum": "x -> sum(maximum(x, 0.7) * W)",
        "minimum": "x -> sum(minimum(x, 0.7) * W)", "clip": "x -> sum(clip(x, 0.5, 0.9) * W)",
        "where": "x -> sum(where(x > 0.7, x^2, -x) * W)",
        "sum": "x -> sum(sum(x, axis=0) * [1, 2, 3])", "mean": "x -> sum(mean(x, axis=1) * [1, 2])",
        "prod": "x -> sum(prod(x, axis=1) * [1, 2])", "min": "x -> sum(min(x, axis=0) * [1, 2, 3])",
        "max": "x -> max(x)", "logsumexp": "x -> sum(logsumexp(x, axis=0) * [1, 2, 3])",
        "logmeanexp": "x -> logmeanexp(x * W)", "var": "x -> sum(var(x, axis=1) * [1, 2])",
        "std": "x -> sum(std(x, axis=0, ddof=1) * [1, 2, 3])", "cumsum": "x -> sum(cumsum(x, axis=1) * W)",
        "cummean": "x -> sum(cummean(x, axis=0) * W)", "cumprod": "x -> sum(cumprod(x, axis=1) * W)",
        "sort": "x -> sum(sort(x, axis=1) * W)", "quantile": "x -> sum(quantile(x, [0.2, 0.9], axis=1))",
        "median": "x -> sum(median(x, axis=0) * [1, 2, 3])", "reshape": "x -> sum(reshape(x, [3, 2]) @ [1, -1])",
        "transpose": "x -> sum(transpose(x) * W.T)", "flatten": "x -> sum(flatten(x) * flatten(W))",
        "concat": "x -> sum(concat([x, W * x], axis=1))", "stack": "x -> sum(stack([x, x^2], axis=2) * 1.5)",
        "matmul": "x -> sum(matmul(x, W.T) * [[1, 2], [3, 4]])", "dot": "x -> dot(x[0], x[1])",
        "diag": "x -> sum(diag(x[0]) * M) + sum(diag(M * x[1, 0]))",
        "cholesky": "x -> sum(cholesky(S(x)) * M)", "inv": "x -> sum(inv(S(x)) * M)",
        "solve": "x -> sum(solve(S(x), x[0]) * [1, 2, 3])", "det": "x -> det(S(x))", "logdet": "x -> logdet(S(x))",
        "Normal": "x -> logpdf(Normal(x[0, 0], x[0, 1]), x[1, 2])",
        "DiagNormal": "x -> logpdf(DiagNormal(x[0], logvar=x[1]), [0.1, 0.2, 0.3])",
        "MvNormal": "x -> logpdf(MvNormal(x[0], S(x)), [0.1, 0.2, 0.3])",
        "LogNormal": "x -> logpdf(LogNormal(x[0, 0], x[0, 1]), x[1, 2])",
        "Laplace": "x -> logpdf(Laplace(x[0, 0], x[0, 1]), x[1, 2] + 1)",
        "Uniform": "x -> entropy(Uniform(x[0, 0], x[0, 1] + 2))",
        "Exponential": "x -> logpdf(Exponential(x[0, 0]), x[1, 2])",
        "StudentT": "x -> logpdf(StudentT(x[0, 0] + 2, x[0, 1], x[0, 2]), x[1, 2])",
        "Bernoulli": "x -> logpdf(Bernoulli(0.7 * x[0, 0]), 1) + entropy(Bernoulli(0.7 * x[0, 1]))",
        "Categorical": "x -> sum(logpdf(Categorical(x[0]), [0, 2, 1])) + entropy(Categorical(x[1]))",
        "Gamma": "x -> logpdf(Gamma(x[0, 0], x[0, 1]), x[1, 2])", "Beta": "x -> logpdf(Beta(x[0, 0], x[0, 1]), 0.3)",
        "Cauchy": "x -> logpdf(Cauchy(x[0, 0], x[0, 1]), x[1, 2]) + kl(Cauchy(x[1, 0], x[1, 1]), Cauchy(0, 1))",
        "Gumbel": "x -> logpdf(Gumbel(x[0, 0], x[0, 1]), x[1, 2]) + kl(Gumbel(x[1, 0], x[1, 1]), Gumbel(0, 2))",
        "Logistic": "x -> logpdf(Logistic(x[0, 0], x[0, 1]), x[1, 2]) + var(Logistic(0, x[1, 1]))",
        "HalfNormal": "x -> logpdf(HalfNormal(x[0, 1]), x[1, 2]) + kl(HalfNormal(x[1, 1]), HalfNormal(2))",
        "Weibull": "x -> logpdf(Weibull(x[0, 1], x[0, 0] + 0.5), x[1, 2]) + entropy(Weibull(x[1, 0], x[1, 1]))",
        "HalfCauchy": "x -> logpdf(HalfCauchy(x[0, 1]), x[1, 2]) + kl(HalfCauchy(x[1, 1]), HalfCauchy(2))",
        "Pareto": "x -> logpdf(Pareto(x[0, 1], x[0, 0] + 0.5), x[1, 2] + 1.3) + var(Pareto(x[1, 0], x[1, 1] + 2))"
            + " + kl(Pareto(x[1, 2] + 1, 3), Pareto(1, x[0, 2] + 1))",
        "Chi2": "x -> logpdf(Chi2(x[0, 1] + 1), x[1, 2]) + kl(Chi2(x[1, 1] + 1), Chi2(x[0, 2] + 2))",
        "InverseGamma": "x -> logpdf(InverseGamma(x[0, 0] + 1, x[0, 1]), x[1, 2])"
            + " + entropy(InverseGamma(x[1, 0], x[1, 1])) + kl(InverseGamma(3, x[1, 2]), InverseGamma(x[0, 2], 2))",
        "Kumaraswamy": "x -> logpdf(Kumaraswamy(x[0, 0] + 1, x[0, 1] + 0.5), x[1, 2] * 0.7)"
            + " + var(Kumaraswamy(x[1, 0] + 1, x[1, 1] + 1)) + entropy(Kumaraswamy(x[0, 2] + 1, 2))",
        "VonMises": "x -> logpdf(VonMises(x[0, 0], x[0, 1] * 40), x[1, 2]) + entropy(VonMises(0, x[1, 0] * 40))"
            + " + var(VonMises(1, x[1, 1])) + kl(VonMises(x[0, 2], 2), VonMises(0.3, x[1, 2] * 30))",
        "Poisson": "x -> logpdf(Poisson(x[0, 0] * 3), 2) + entropy(Poisson(x[1, 0] * 4))"
            + " + kl(Poisson(x[0, 1]), Poisson(x[1, 1] + 1)) + var(Poisson(x[0, 2]))",
        "Geometric": "x -> logpdf(Geometric(x[0, 0] * 0.7), 3) + entropy(Geometric(0.7 * x[1, 0]))"
            + " + kl(Geometric(0.7 * x[0, 1]), Geometric(0.5)) + var(Geometric(0.2 + 0.5 * x[1, 2]))",
        "Binomial": "x -> logpdf(Binomial(12, x[0, 0] * 0.7), 4) + entropy(Binomial(9, 0.7 * x[1, 0]))"
            + " + kl(Binomial(6, 0.7 * x[0, 1]), Binomial(8, 0.2 + 0.6 * x[1, 1])) + var(Binomial(5, 0.7 * x[1, 2]))",
        "NegativeBinomial": "x -> logpdf(NegativeBinomial(x[0, 0] * 3, 0.7 * x[0, 1]), 4)"
            + " + entropy(NegativeBinomial(x[1, 0] + 1, 0.6 * x[1, 1])) + var(NegativeBinomial(2, 0.7 * x[1, 2]))",
        "LowRankMultivariateNormal": "x -> logpdf(LowRankMultivariateNormal(x[0], reshape(x[1], [3, 1]), x[0] + 0.1),"
            + " [0.1, 0.2, 0.3]) + kl(LowRankMultivariateNormal(x[1], reshape(x[0], [3, 1]), x[1]), StdNormal(3))",
        "Dirichlet": "x -> logpdf(Dirichlet(x[0] + 0.5), [0.2, 0.3, 0.5]) + entropy(Dirichlet(x[1] * 3))"
            + " + kl(Dirichlet(x[0] + 1), Dirichlet(x[1] + 0.5)) + sum(var(Dirichlet(x[1] + 1)) * [1, 2, 3])",
        "ContinuousBernoulli": "x -> logpdf(ContinuousBernoulli(x[0, 0] * 0.7), x[1, 2] * 0.7)"
            + " + entropy(ContinuousBernoulli(0.3 + 0.4 * x[1, 0])) + var(ContinuousBernoulli(0.45 + 0.1 * x[1, 1]))"
            + " + kl(ContinuousBernoulli(0.5 * x[0, 1]), ContinuousBernoulli(0.2 + 0.6 * x[0, 2]))",
        "Mixture": "x -> logpdf(Mixture(x[0, 0:2], [Normal(x[0, 2], x[1, 0]), Laplace(-1, x[1, 1])]), x[1, 2])"
            + " + var(Mixture([1, x[0, 1]], [Normal(x[0, 0], 1), Gamma(x[1, 0] + 1, 2)]))"
            + " + kl_mc(Gamma(2, 3), Mixture([x[0, 0], 1], [Normal(x[0, 1], x[1, 1]), Normal(1, 2)]), n=500,"
            + " seed=1).value",
        "logpdf": "x -> sum(logpdf(Normal(x[0], x[1]), [0.1, 0.2, 0.3]))",
        "log_prob": "x -> sum(log_prob(Laplace(x[0], x[1]), [0.1, 0.2, 0.3]))",
        "pdf": "x -> sum(pdf(Normal(x[0], x[1]), x[0] + 0.1))", "entropy": "x -> sum(entropy(Gamma(x[0], x[1])))",
        "kl": "x -> sum(kl(Normal(x[0], x[1]), Normal(0, 1)))",
        "kl_mc": "x -> kl_mc(DiagNormal(x[0], x[1]), StdNormal(3), n=2000, seed=1).value",
        "joint": "x -> kl_mc(joint(z1=Normal(x[0, 0], 1), z2=(z1) -> Normal(x[0, 1] * z1, x[1, 1])), "
            + "joint(z1=Normal(0, 1), z2=(z1) -> Normal(0 * z1, 1)), n=500, seed=1).value",
        "sample": "x -> mean(sample(DiagNormal(x[0], x[1]), n=100, seed=2)^2)",
    ]

    /// Shared names: W a weight of x's shape, M a 3 × 3 weight, S(x) an SPD matrix made from x.
    static let setup = """
        W = [[1.0, -2, 0.5], [0.3, 0.8, -1.2]]; M = [[1.0, 0.2, -0.4], [0.6, 2.0, 0.1], [-0.3, 0.5, 1.5]]
        S(x) = M @ diag(x[0]) @ M.T + diag(x[1])
        """

    @Test func everyDifferentiableBuiltinHasACase() {
        let differentiable = BuiltinRegistry.all.filter { $0.derivative != nil }.map(\.name)
        let missing = differentiable.filter { Self.cases[$0] == nil }
        #expect(missing.isEmpty, "differentiable builtins without a gradcheck case: \(missing)")
    }

    /// A mixture's draws pick a component: sampling through one that depends on
    /// the variable refuses and names the estimator that works.
    @Test func drawsOfATracedMixtureNameTheScoreFunction() {
        let error = failure("grad(s -> sum(sample(Mixture([0.3, 0.7], [Normal(-1, s), Normal(1, 1)]), n=3)))(1.0)")
        #expect(error?.hint?.contains("score-function") == true)
    }

    @Test(arguments: Array(cases.keys).sorted())
    func againstCentralDifferencesAtRandomPoints(_ name: String) throws {
        guard let f = Self.cases[name] else { return }
        for seed in 1...3 {
            let source = "\(Self.setup)\nx = 0.2 + rand([2, 3], seed=\(seed)); gradcheck(\(f), x).ok"
            #expect(try value(source) == "true", "\(name), seed \(seed): \(f)")
        }
    }
}
