import KLSDistributions
import KLSTensor
import Testing

@testable import KLSLanguage

/// Gradients through the matrix builtins and MvNormal, against central
/// differences and hand-derived formulas evaluated by NumPy.
@Suite struct MatrixGradientTests {
    static let spd = "[[4.0, 1.2, 0.3], [1.2, 3.0, -0.5], [0.3, -0.5, 2.0]]"
    static let weights = "[[1.0, 0.5], [-0.3, 2.0], [0.7, 0.1]]"

    @Test(arguments: [
        "x -> sum(cholesky(x @ x.T + eye(3)) * reshape(arange(9), [3, 3]))",
        "x -> sum(inv(x) * (W @ W.T))",
        "x -> logdet(x @ x.T)",
        "x -> det(x)",
        "x -> sum(solve(x, W) * W)",
        "x -> sum(solve(x, [1.0, 2, 3]) * [1, 2, 3])",
        "x -> sum(diag(x) * [1, 2, 3])",
        "x -> sum(reshape(stack([x, 2 * x]), [2, 3, 3]) @ W)",
        "x -> sum(cholesky(stack([x @ x.T, x.T @ x + eye(3)])) * 1.5)",
        "x -> sum(inv(stack([x, x + eye(3)])))",
        "x -> sum(logdet(stack([x @ x.T, 2 * x @ x.T])))",
    ])
    func matrixBuiltinsAgainstCentralDifferences(_ f: String) throws {
        let source = "W = \(Self.weights); gradcheck(\(f), \(Self.spd)).ok"
        #expect(try value(source) == "true", "\(f)")
    }

    @Test func rightHandSidesAndVectorsAgainstCentralDifferences() throws {
        #expect(
            try value("A = \(Self.spd); gradcheck(b -> sum(solve(A, b) * \(Self.weights)), \(Self.weights)).ok")
                == "true")
        #expect(try value("A = \(Self.spd); gradcheck(v -> sum(diag(v) * A), [1.0, 2, 3]).ok") == "true")
        #expect(try value("A = \(Self.spd); gradcheck(v -> sum((A @ v) * [1, 2, 3]), [0.1, 0.2, 0.3]).ok") == "true")
    }

    @Test func singularMatricesSaySo() {
        #expect(failure("grad(x -> det(x))([[1, 2], [2, 4]])")?.message.contains("singular") == true)
    }

    @Test func mvNormalClosedFormAgainstHandDerivatives() throws {
        let r = ImplicitGradientReference.mvNormal
        let setup = """
            mq = \(r.muQ); mp = \(r.muP); Fq = \(r.factorQ); Fp = \(r.factorP)
            Sq = Fq @ Fq.T; Sp = Fp @ Fp.T
            """
        let checks = [
            ("abs(kl(MvNormal(mq, Sq), MvNormal(mp, Sp)) - \(r.kl))", "1e-12"),
            ("grad(m -> kl(MvNormal(m, Sq), MvNormal(mp, Sp)))(mq) - \(r.dMuQ)", "1e-12"),
            ("grad(S -> kl(MvNormal(mq, S), MvNormal(mp, Sp)))(Sq) - reshape(\(r.dCovQ), [3, 3])", "1e-10"),
            ("grad(S -> kl(MvNormal(mq, Sq), MvNormal(mp, S)))(Sp) - reshape(\(r.dCovP), [3, 3])", "1e-10"),
        ]
        for (difference, tolerance) in checks {
            #expect(try value("\(setup); max(abs(\(difference))) < \(tolerance)") == "true", "\(difference)")
        }
    }

    @Test func mvNormalDensityEntropyAndMixedPairsAgainstCentralDifferences() throws {
        let setup = "C = [[1.5, 0.4], [0.4, 0.8]]; P = [[2.0, -0.3], [-0.3, 1.0]]"
        let cases = [
            ("m -> logpdf(MvNormal(m, C), [0.5, 0.1])", "[0.3, -0.2]"),
            ("A -> logpdf(MvNormal([0.3, -0.2], A @ A.T), [[0.5, 0.1], [-1, 2]])[1]", "C"),
            ("A -> entropy(MvNormal([0.3, -0.2], A @ A.T))", "C"),
            ("A -> kl(MvNormal([1, 2], P), MvNormal([0.3, -0.2], A @ A.T))", "C"),
            ("m -> kl(MvNormal(m, C), StdNormal(2))", "[0.3, -0.2]"),
            ("s -> kl(DiagNormal([0.3, -0.2], s), MvNormal([1, 2], P))", "[0.7, 1.3]"),
            ("A -> mean(sample(MvNormal([0.3, -0.2], A @ A.T), n=200, seed=3)^2)", "C"),
            ("m -> kl_mc(MvNormal(m, C), MvNormal([1, 2], P), n=1000, seed=1).value", "[0.3, -0.2]"),
        ]
        for (f, x) in cases {
            #expect(try value("\(setup); gradcheck(\(f), \(x)).ok") == "true", "\(f)")
        }
        // A DiagNormal is the MvNormal with diagonal covariance.
        let same =
            "P = [[2.0, -0.3], [-0.3, 1.0]]; kl(DiagNormal([0.3, -0.2], [0.7, 1.3]), MvNormal([1, 2], P)) == "
            + "kl(MvNormal([0.3, -0.2], diag([0.49, 1.69])), MvNormal([1, 2], P))"
        #expect(try value(same) == "true")
    }

    @Test func mvNormalDrawsUnderGradAreTheOrdinaryDraws() throws {
        let source = """
            C = [[1.5, 0.4], [0.4, 0.8]]
            plain = sample(MvNormal([0.3, -0.2], C), n=50, seed=9)
            g = grad(m -> sum(sample(MvNormal(m, C), n=50, seed=9) * plain))([0.3, -0.2])
            max(abs(g - sum(plain, axis=0))) < 1e-12
            """
        #expect(try value(source) == "true")
    }

    @Test func mvNormalMonteCarloGradientWithinItsSpread() throws {
        // Per draw, ∂k1/∂μq = Σp⁻¹(μq − μp) + (Σp⁻¹Lq − Lq⁻ᵀ)ε: the rows of that
        // matrix give each component's std; tolerance 4.5 stderr at n = 1e5.
        let r = ImplicitGradientReference.mvNormal
        let source = """
            mq = \(r.muQ); mp = \(r.muP); Fq = \(r.factorQ); Fp = \(r.factorP)
            g = grad(m -> kl_mc(MvNormal(m, Fq @ Fq.T), MvNormal(mp, Fp @ Fp.T), n=100000, seed=4).value)(mq)
            M = inv(Fp @ Fp.T) @ Fq - inv(Fq).T
            all(abs(g - \(r.dMuQ)) <= 4.5 * sqrt(sum(M^2, axis=1)) / sqrt(100000))
            """
        #expect(try value(source) == "true")
    }
}

/// Implicit reparameterisation (Gamma, Beta) and trigamma against mpmath.
@Suite struct ImplicitGradientTests {
    @Test func gammaSlopesAgainstMpmath() {
        for (x, alpha, expected) in ImplicitGradientReference.gamma {
            let slope = ImplicitReparameterisation.gammaShape(x, alpha)
            #expect(abs(slope - expected) <= 1e-9 * abs(expected), "x = \(x), α = \(alpha): \(slope)")
        }
    }

    @Test func betaSlopesAgainstMpmath() {
        for (z, a, b, da, db) in ImplicitGradientReference.beta {
            let (sa, sb) = ImplicitReparameterisation.beta(z, a, b)
            #expect(abs(sa - da) <= 1e-8 * abs(da), "z = \(z), a = \(a), b = \(b): \(sa)")
            #expect(abs(sb - db) <= 1e-8 * abs(db), "z = \(z), a = \(a), b = \(b): \(sb)")
        }
    }

    @Test func studentTSlopesAgainstMpmath() {
        for (t, nu, expected) in ImplicitGradientReference.studentT {
            // Near t = 0 the slope vanishes: there the error is measured against its O(1) scale.
            let slope = ImplicitReparameterisation.studentT(t, nu)
            #expect(abs(slope - expected) <= 1e-8 * abs(expected) + 1e-12, "t = \(t), ν = \(nu): \(slope)")
        }
        #expect(ImplicitReparameterisation.studentT(0, 5) == 0)
    }

    @Test func trigammaAgainstMpmath() {
        for (x, expected) in ImplicitGradientReference.trigamma {
            #expect(abs(SpecialFunctions.trigamma(x) - expected) <= 1e-14 * abs(expected), "x = \(x)")
        }
        #expect(SpecialFunctions.trigamma(0) == .infinity && SpecialFunctions.trigamma(-2).isNaN)
        #expect(SpecialFunctions.trigamma(.infinity) == 0)
    }

    @Test func densitiesEntropiesAndClosedFormsAgainstCentralDifferences() throws {
        let cases = [
            ("x -> logpdf(Gamma(x[0], x[1]), 0.7)", "[1.7, 2.0]"),
            ("x -> logpdf(Beta(x[0], x[1]), 0.3)", "[1.7, 2.5]"),
            ("x -> entropy(Gamma(x[0], x[1])) + entropy(Beta(x[0], x[1]))", "[1.7, 2.5]"),
            ("x -> entropy(StudentT(x[0] + 3, 0.2, x[1]))", "[1.7, 2.5]"),
            ("x -> kl(Gamma(x[0], x[1]), Gamma(x[2], x[3]))", "[1.7, 2.0, 3.0, 1.0]"),
            ("x -> kl(Beta(x[0], x[1]), Beta(x[2], x[3]))", "[0.7, 2.0, 3.0, 1.5]"),
            ("x -> kl(Laplace(x[0], x[1]), Laplace(x[2], x[3]))", "[0.3, 1.2, -0.5, 0.8]"),
            ("x -> kl(LogNormal(x[0], x[1]), LogNormal(x[2], x[3]))", "[0.3, 1.2, -0.5, 0.8]"),
            ("x -> kl(Uniform(x[0], x[1]), Uniform(x[2], x[3]))", "[0.3, 1.2, -0.5, 1.8]"),
            ("x -> kl(Exponential(x[0]), Exponential(x[1]))", "[0.3, 1.2]"),
        ]
        for (f, x) in cases {
            #expect(try value("gradcheck(\(f), \(x)).ok") == "true", "\(f)")
        }
        #expect(try value("grad(x -> kl(Uniform(x[0], x[1]), Uniform(0, 1)))([-0.5, 0.5])") == "[0, 0]")
    }

    /// kl_mc's implicit gradient estimates the closed form's gradient: six
    /// seeds' estimates, within 4.5 of their standard errors of the mpmath value.
    @Test(arguments: [
        ("Gamma(r[0], r[1]), Gamma(3, 1)", "[1.7, 2.0]", ImplicitGradientReference.gammaKLGradient),
        ("Beta(r[0], r[1]), Beta(3, 1.5)", "[0.7, 2.0]", ImplicitGradientReference.betaKLGradient),
        ("StudentT(r[0], 0, r[1]), Normal(0, 1)", "[5.0, 1.0]", ImplicitGradientReference.studentTKLGradient),
    ])
    func monteCarloGradientsWithinTheirSpread(_ pair: String, _ at: String, _ exact: [Double]) throws {
        let source = """
            est = zeros([6, 2])
            for s in arange(6) { est[s] = grad(r -> kl_mc(\(pair), n=20000, seed=s + 1).value)(\(at)) }
            all(abs(mean(est, axis=0) - [\(exact[0]), \(exact[1])]) <= 4.5 * std(est, axis=0, ddof=1) / sqrt(6))
            """
        #expect(try value(source) == "true")
    }
}

/// Gradients through joints: reparameterised layer by layer, streamed in chunks.
@Suite struct JointGradientTests {
    static let prior = "p = joint(z1=Normal(0, 1), z2=(z1) -> Normal(0 * z1, 1))"
    static let posterior = "(m, w) -> joint(z1=Normal(m, 1), z2=(z1) -> Normal(w * z1, 1))"

    @Test func linearGaussianAgainstItsClosedForm() throws {
        // KL = m²/2 + w²(m² + 1)/2: ∂/∂m = m(1 + w²) = 0.82, ∂/∂w = w(m² + 1) = 1 at m = 0.5, w = 0.8.
        // Six seeds' estimates, within 4.5 of their standard errors.
        let source = """
            \(Self.prior); q = \(Self.posterior)
            est = zeros([6, 2])
            for s in arange(6) { est[s] = grad(t -> kl_mc(q(t[0], t[1]), p, n=20000, seed=s + 1).value)([0.5, 0.8]) }
            all(abs(mean(est, axis=0) - [0.82, 1]) <= 4.5 * std(est, axis=0, ddof=1) / sqrt(6))
            """
        #expect(try value(source) == "true")
    }

    @Test(arguments: [
        "m -> kl_mc(q(m, 0.8), p, n=1000, seed=1).value",
        "w -> kl_mc(q(0.5, w), p, n=1000, seed=1, estimator=\"k3\").value",
        "s -> kl_mc(q(0.5, 0.8), joint(z1=Normal(0, s), z2=(z1) -> Normal(0.5 * z1, s)), n=1000, seed=2).value",
        "m -> sum(sample(q(m, m), n=5, seed=2).z2)",
        "m -> sum(logpdf(q(m, m), {z1: [0.1, 0.5], z2: [1, 2]}))",
        "m -> logpdf(q(m, m), {z1: 0.1, z2: 1})",
    ])
    func againstCentralDifferencesWithCommonRandomNumbers(_ f: String) throws {
        #expect(try value("\(Self.prior); q = \(Self.posterior); gradcheck(\(f), 0.7).ok") == "true", "\(f)")
    }

    @Test func rowwiseDiagonalLayers() throws {
        let source = """
            p = joint(z1=StdNormal(2), z2=(z1) -> DiagNormal(zeros(2), 1))
            f = m -> kl_mc(joint(z1=DiagNormal(m, 1), z2=(z1) -> DiagNormal(tanh(z1) * m, exp(0.1 * z1))), p, \
            n=2000, seed=3).value
            gradcheck(f, [0.3, -0.2]).ok
            """
        #expect(try value(source) == "true")
    }

    @Test func drawsUnderGradAreTheOrdinaryDraws() throws {
        let source = """
            \(Self.prior); q = \(Self.posterior)
            plain = sample(q(0.7, 0.3), n=4, seed=2)
            r = value_and_grad(m -> sum(sample(q(m, 0.3), n=4, seed=2).z2 * [1, 10, 100, 1000]))(0.7)
            r.value == sum(plain.z2 * [1, 10, 100, 1000])
            """
        #expect(try value(source) == "true")
    }

    @Test func theSameSeedGivesTheSameGradientOnAnyNumberOfCores() throws {
        let source = "\(Self.prior); q = \(Self.posterior); grad(w -> kl_mc(q(0.5, w), p, n=30000, seed=3).value)(0.8)"
        let one = try Parallel.withWorkers(1) { try value(source) }
        let three = try Parallel.withWorkers(3) { try value(source) }
        #expect(one == three)
    }

    @Test func layerByLayerEstimatesSaySo() {
        let source =
            "\(Self.prior); q = \(Self.posterior); grad(w -> kl_mc(q(0.5, w), p, n=10, per_layer=true).value)(1)"
        #expect(failure(source)?.message.contains("per_layer") == true)
    }
}
