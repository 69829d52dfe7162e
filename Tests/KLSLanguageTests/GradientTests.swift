import KLSDiagnostics
import KLSTensor
import Testing

@testable import KLSLanguage

/// grad, value_and_grad and gradcheck: gradients against hand-derived formulas,
/// and every differentiable builtin against central differences.
@Suite struct GradientTests {
    @Test func handDerivedGradients() throws {
        #expect(try value("grad(x -> sum(x^2))([1, 2, 3])") == "[2, 4, 6]")
        #expect(try value("grad(x -> x^3)(2)") == "12")
        #expect(try value("grad(x -> sum(exp(x) * [1, 2]))([0, 0])") == "[1, 2]")
        // d/dm of the Gaussian KL term 0.5 (m² + e^lv − lv − 1) is m; d/dlv is 0.5 (e^lv − 1).
        let kl = "f(r) = 0.5 * sum(r.m^2 + exp(r.lv) - r.lv - 1)"
        #expect(try value("\(kl); g = grad(f)({m: [1, -2], lv: [0, log(3)]}); g.m") == "[1, -2]")
        #expect(try value("\(kl); g = grad(f)({m: [1, -2], lv: [0, log(3)]}); g.lv") == "[0, 1]")
        #expect(try value("grad((a, b) -> a * b, argnums=1)(3, 5)") == "3")
        #expect(try value("v = value_and_grad(x -> sum(x @ x))([1, 2]); v.value") == "5")
        #expect(try value("grad(x -> sum([[1, 2], [3, 4]] @ x))([1, 1])") == "[4, 6]")
        #expect(try value("grad(x -> x[1] * 10 + sum(x[::2]))([1, 2, 3])") == "[1, 10, 1]")
        #expect(try value("grad(x -> 7)([1, 2])") == "[0, 0]")
    }

    @Test func controlFlowClosuresAndUserFunctions() throws {
        let source = """
            h(x, k) = { s = 0; for i in arange(k) { if i % 2 == 0 { s = s + x^i } }; s }
            grad(x -> h(x, 5))(2)
            """
        // s = 1 + x^2 + x^4, s' = 2x + 4x^3 = 36 at x = 2.
        #expect(try value(source) == "36")
        #expect(try value("c = 3; grad(x -> c * x + (y -> y * x)(2))(1)") == "5")
        #expect(try value("grad(x -> { t = x; while t < 100 { t = t * 2 }; t })(3)") == "64")
    }

    @Test func conventionsAtKinks() throws {
        #expect(try value("grad(x -> sum(abs(x)))([-2, 0, 3])") == "[-1, 0, 1]")
        #expect(try value("grad(x -> sum(maximum(x, 0)))([-1, 0, 2])") == "[0, 1, 1]")
        #expect(try value("grad(x -> sum(clip(x, 0, 1)))([-1, 0.5, 2])") == "[0, 1, 0]")
        #expect(try value("grad(x -> sum(where(x > 0, x, 2 * x)))([-1, 3])") == "[2, 1]")
        #expect(try value("grad(y -> 0^y)(2)") == "0")
    }

    @Test(arguments: [
        "exp", "log", "log1p", "expm1", "sqrt", "square", "sin", "cos", "tan", "tanh", "sigmoid", "softplus",
        "lgamma", "erf", "erfc",
    ])
    func elementwiseAgainstCentralDifferences(_ name: String) throws {
        #expect(try value("gradcheck(x -> sum(\(name)(x) * [1, -2, 0.5]), [0.3, 0.7, 1.9]).ok") == "true")
    }

    @Test func compositionsAgainstCentralDifferences() throws {
        let cases = [
            "x -> logsumexp(x[:3] * [1, 2, 3]) + sum(x[3:])",
            "x -> sum(reshape(x, [3, 2]) @ [1, -1])",
            "x -> sum(transpose(reshape(x, [2, 3])) * arange(6).reshape([3, 2]))",
            "x -> mean(reshape(x, [2, 3])^2, axis=0)[1] + sum(x / (1 + x^2))",
            "x -> sum(pow(x, 3) - minimum(x, 0.5))",
            "x -> sum(tanh(reshape(x, [2, 3]).T @ [1, 2]))",
        ].map { $0.replacingOccurrences(of: "arange(6).reshape([3, 2])", with: "reshape(arange(6), [3, 2])") }
        for f in cases {
            #expect(try value("gradcheck(\(f), [0.3, -0.7, 1.9, 0.2, 1.1, -0.4]).ok") == "true", "\(f)")
        }
    }

    @Test func errorsNameWhatIsNotDifferentiable() {
        #expect(
            failure("grad(x -> sum(argsort(x)))([1, 2])")?.message.hasPrefix(
                "grad cannot differentiate through argsort")
                == true)
        #expect(failure("grad(x -> x)([1, 2])")?.message.hasPrefix("grad needs f to return one number") == true)
        #expect(failure("grad(x -> x)(\"a\")")?.message.hasPrefix("grad differentiates with respect to") == true)
        #expect(failure("grad(x -> trigamma(x))(1)")?.message.contains("trigamma") == true)
        #expect(failure("grad((a, b) -> a, argnums=2)(1, 2)")?.message.contains("differentiates argument 2") == true)
    }

    @Test func gradcheckNamesTheWorstElement() throws {
        // A wrong "gradient": f uses floor, whose derivative is 0 but whose differences are not.
        #expect(try value("gradcheck(x -> sum(floor(x * 1e7)), [0.1, 0.2]).ok") == "false")
        #expect(try value("r = gradcheck(x -> sum(x^2), [1, 2, 3]); r.max_error < 1e-6") == "true")
    }
}

/// Gradients through Gaussian distributions and Monte Carlo estimates, and minimize.
@Suite struct DistributionGradientTests {
    @Test func closedFormsAgainstHandDerivatives() throws {
        // Σ d/dm log N(x; m, 2) = Σ (x − m)/4.
        #expect(try value("grad(m -> sum(logpdf(Normal(m, 2), [1, 3])))([0, 0])") == "[0.25, 0.75]")
        #expect(try value("grad(s -> entropy(Normal(0, s)))(2)") == "0.5")
        // KL(N(m, s) ‖ N(1, 2)) = log(2/s) + (s² + (m − 1)²)/8 − ½: d/dm = (m − 1)/4, d/ds = −1/s + s/4.
        #expect(
            try value("grad(r -> kl(Normal(r.m, r.s), Normal(1, 2)))({m: 0.5, s: 1.5})") == "{m: -0.125, s: -0.291667}")
        // The VAE term: d/dm = m, d/dlv = ½ (e^lv − 1).
        let vae = "grad(r -> sum(kl(DiagNormal(r.m, logvar=r.lv), StdNormal(2))))({m: [1, -2], lv: [0, log(3)]})"
        #expect(try value(vae) == "{m: [1, -2], lv: [0, 1]}")
        #expect(try value("grad(v -> logpdf(Normal(0, var=v), 1))(4)") == "-0.09375")
    }

    @Test func pathwiseDrawsMoveWithTheParameters() throws {
        #expect(try value("grad(m -> sum(mean(sample(Normal(m, 1), n=1000, seed=1), axis=0)))([0, 5])") == "[1, 1]")
        // d/ds mean(m + s ε) = mean(ε): the same draws as the standard normal's with the seed.
        let same =
            "grad(s -> mean(sample(Normal(0, s), n=500, seed=4)))(2) == mean(sample(Normal(0, 1), n=500, seed=4))"
        #expect(try value(same) == "true")
    }

    @Test func monteCarloGradientsAgreeWithTheExactGradient() throws {
        // n = 1e5: the per-draw gradients have std ≤ 0.75 here, so 4.5 stderr ≤ 0.011.
        for estimator in ["k1", "k3"] {
            let source = """
                g = grad(r -> sum(kl_mc(DiagNormal(r.m, logvar=r.lv), StdNormal(2), n=100000, seed=7, \
                estimator="\(estimator)").value))({m: [0.5, -1], lv: [0, log(3)]})
                all(abs(g.m - [0.5, -1]) < 0.015) and all(abs(g.lv - [0, 1]) < 0.03)
                """
            #expect(try value(source) == "true", "\(estimator)")
        }
    }

    @Test func theSameSeedGivesTheSameGradientOnAnyNumberOfCores() throws {
        let source = "grad(m -> kl_mc(DiagNormal(m, logvar=zeros(8)), StdNormal(8), n=50000, seed=3).value)(ones(8))"
        let one = try Parallel.withWorkers(1) { try value(source) }
        let two = try Parallel.withWorkers(2) { try value(source) }
        let five = try Parallel.withWorkers(5) { try value(source) }
        #expect(one == two && two == five)
    }

    @Test func minimizeFindsTheMinimum() throws {
        #expect(try value("minimize(x -> sum((x - [1, 2])^2), [0, 0], steps=300).x") == "[1, 2]")
        #expect(try value("minimize(x -> x^2, 1, optimizer=\"sgd\", lr=0.1, steps=50).x") == "1.78406e-05")
        let fit = "minimize(p -> kl(Normal(p.m, exp(p.s)), Normal(3, 2)), {m: 0, s: 0}, steps=500).x"
        #expect(try value(fit) == "{m: 3, s: 0.693147}")
        #expect(try value("r = minimize(x -> x^2, 3, steps=10); [len(r.trace), r.steps]") == "[10, 10]")
        #expect(failure("minimize(x -> x^2, 1, optimizer=\"newton\")")?.message.contains("adam") == true)
    }

    /// The classic mass-covering lesson: a Normal fitted to a two-bump mixture by
    /// forward KL, kl_mc(mixture, Normal(…)) — draws from the fixed mixture, only
    /// p's density differentiated — lands on the mixture's moments (its draws':
    /// n = 10,000, so each within 4.5 standard errors, σ/√n and σ/√(2n)).
    @Test func forwardKLFitsTheMixturesMoments() throws {
        let fit = """
            m = Mixture([0.5, 0.5], [Normal(-2, 0.5), Laplace(2, 0.5)])
            f(t) = kl_mc(m, Normal(t[0], exp(t[1])), n=10000, seed=4).value
            t = minimize(f, [1.0, 0.0], steps=250, lr=0.05).x
            z = sample(m, n=10000, seed=4)
            [abs(t[0] - mean(z)) < 1e-3, abs(exp(t[1]) - std(z)) < 1e-3, abs(t[0] - mean(m)) < 4.5 * std(m) / 100,
             abs(exp(t[1]) - std(m)) < 4.5 * std(m) / sqrt(20000)]
            """
        #expect(try value(fit) == "[1, 1, 1, 1]")
        let refits =
            "gradcheck(m -> kl_mc(Normal(m, 1), Mixture([1, 1], [Laplace(0, 1), Normal(0, 1)]), n=2000, seed=1)"
        #expect(try value(refits + ".value, 2).ok") == "true")
    }

    @Test func unsupportedFamiliesSaySo() {
        #expect(
            failure("grad(p -> kl_mc(Bernoulli(p), Bernoulli(0.5), n=10).value)(0.3)")?.message.contains("Bernoulli")
                == true)
    }
}

/// Pathwise gradients of the other reparameterised families.
@Suite struct FamilyGradientTests {
    /// Pathwise draws against finite differences with common random numbers: with
    /// the seed fixed, f(x ± h) draws the same ε, so the differences see only the
    /// parameters move.
    @Test(arguments: [
        "Normal(x[0], x[1])", "LogNormal(x[0], x[1])", "Laplace(x[0], x[1])", "Uniform(x[0], x[1] + 1)",
        "Exponential(x[1])", "StudentT(5, x[0], x[1])", "DiagNormal([x[0], 1], logvar=[x[1], 0])",
    ])
    func pathwiseDrawsAgainstCommonRandomNumbers(_ family: String) throws {
        #expect(try value("gradcheck(x -> mean(sample(\(family), n=500, seed=3)^2), [0.3, 1.2]).ok") == "true")
    }

    @Test func densitiesAndEntropiesAgainstHandDerivatives() throws {
        #expect(try value("grad(s -> entropy(Laplace(0, s)))(2)") == "0.5")
        #expect(try value("grad(r -> sum(logpdf(Uniform(r[0], r[1]), [0.5, 0.7])))([0, 2])") == "[1, -1]")
        #expect(try value("grad(l -> logpdf(Exponential(l), 2))(0.5)") == "0")
        #expect(try value("grad(m -> logpdf(LogNormal(m, 1), exp(2)))(0.5)") == "1.5")
        #expect(try value("gradcheck(d -> logpdf(StudentT(d, 0.3, 2), 0.7), 5).ok") == "true")
        // Outside the support: −inf, and no gradient.
        #expect(try value("grad(l -> logpdf(Exponential(l), -1))(2)") == "0")
    }

    @Test func monteCarloGradientOfANonGaussianPair() throws {
        // KL(Laplace(m, 1) ‖ N(0, 1)) = const + m²/2: the gradient is m. Per-draw
        // k1 gradients have std √2, so 4.5 stderr at n = 20000 is 0.045.
        let source = "abs(grad(m -> kl_mc(Laplace(m, 1), Normal(0, 1), n=20000, seed=1).value)(0.5) - 0.5) < 0.045"
        #expect(try value(source) == "true")
    }

    @Test func discreteFamiliesNameTheScoreFunctionEstimator() {
        #expect(failure("grad(p -> mean(sample(Bernoulli(p), n=10)))(0.5)")?.hint?.contains("score-function") == true)
        #expect(
            failure("grad(p -> mean(sample(Categorical([p, 1]), n=10)))(0.5)")?.hint?.contains("score-function") == true
        )
        let mixture = "grad(w -> mean(sample(Mixture([w, 1], [Normal(0, 1), Normal(1, 1)]), n=10)))(0.5)"
        #expect(failure(mixture)?.hint?.contains("score-function") == true)
    }

    @Test func discreteDensitiesDifferentiateSoTheScoreFunctionCanBeWritten() throws {
        // d/dp E[f(z)] for z ~ Bernoulli(p) is f(1) − f(0) = 0.16 − 0.36 = −0.2; the estimator's per-draw
        // std is below 0.5, so at n = 1e5 4.5 stderr is 0.0071.
        let source = """
            z = sample(Bernoulli(0.3), n=100000, seed=1); f = z -> (z - 0.6)^2
            abs(grad(p -> mean(f(z) * logpdf(Bernoulli(p), z)))(0.3) + 0.2) < 0.0071
            """
        #expect(try value(source) == "true")
        #expect(try value("grad(p -> logpdf(Categorical(p), 1))([1.0, 1.0])") == "[-0.5, 0.5]")
        #expect(try value("grad(p -> kl(Bernoulli(p), Bernoulli(0.5)))(0.5)") == "0")
    }
}

/// compare(q, p, grad=true): the gradient estimators side by side.
@Suite struct GradientComparisonTests {
    @Test func unbiasedEstimatorsMatchTheExactGradientWithinTheirSpread() throws {
        // KL(N(m, s) ‖ N(0, 1)): d/dm = m, d/ds = s − 1/s. n = 40000, tolerance 4.5 stderr.
        let source = """
            c = compare(Normal(0.5, 1.2), Normal(0, 1), n=40000, seed=5, grad=true).grad
            ok(e) = all(abs(e.bias.mean) <= 4.5 * e.std.mean / 200) and all(abs(e.bias.std) <= 4.5 * e.std.std / 200)
            [ok(c.k1), ok(c.k3), ok(c.score_function)]
            """
        #expect(try value(source) == "[1, 1, 1]")
        #expect(
            try value("compare(Normal(0.5, 1.2), Normal(0, 1), n=100, seed=5, grad=true).grad.analytic.mean")
                == "{mean: 0.5, std: 0.366667}")
    }

    @Test func theScoreFunctionEstimatorIsTheNoisiest() throws {
        let source = """
            c = compare(DiagNormal([0.5, -1], logvar=[0, -1]), StdNormal(2), n=20000, seed=2, grad=true).grad
            all(c.score_function.std.mean > c.k1.std.mean) and all(c.analytic.std.std == 0)
            """
        #expect(try value(source) == "true")
    }

    @Test(arguments: [
        ("Gamma(2.0, 1.5), Gamma(3.0, 1.0)", "shape"), ("LogNormal(0.3, 0.8), LogNormal(0, 1)", "mu"),
        ("MvNormal([0.3, 0], [[1, 0.3], [0.3, 0.5]]), StdNormal(2)", "mean"),
        ("Laplace(0.2, 1.3), Laplace(0, 1)", "loc"),
    ])
    func anyReparameterisedPairAgainstTheClosedFormsGradient(_ pair: String, _ parameter: String) throws {
        // Per-draw gradients of the unbiased estimators average to the closed form's: |bias| ≤ 4.5 stderr.
        let source = """
            c = compare(\(pair), n=20000, seed=5, grad=true).grad
            ok(e) = all(abs(e.bias.\(parameter)) <= 4.5 * e.std.\(parameter) / sqrt(20000))
            [ok(c.k1), ok(c.k3), ok(c.score_function), all(c.analytic.std.\(parameter) == 0)]
            """
        #expect(try value(source) == "[1, 1, 1, 1]", "\(pair)")
    }

    @Test func discreteQAndUncoveredPSaySo() throws {
        #expect(
            failure("compare(Bernoulli(0.3), Bernoulli(0.5), n=100, grad=true)")?.message.contains("reparameterised")
                == true)
        // Without a closed form the table has no bias and no analytic row.
        #expect(
            try value(
                "type(compare(StudentT(5, 0, 1), Normal(0, 1), n=1000, seed=1, grad=true).grad.k1.bias) == \"none\"")
                == "true")
    }
}
