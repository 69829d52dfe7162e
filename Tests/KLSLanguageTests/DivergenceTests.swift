import Foundation
import KLSDiagnostics
import Testing

@testable import KLSLanguage

/// `divergence`, `divergence_mc` and `divergence_quad`: arguments, errors and
/// the properties the reference catalogue (divergences.kls) does not pin.
@Suite struct DivergenceTests {
    @Test func badKindsAndOrdersSayWhatIsWanted() throws {
        let unknown = try #require(failure("divergence(Normal(0, 1), Normal(1, 1), \"helinger\")"))
        #expect(unknown.message.contains("unknown divergence kind \"helinger\""))
        #expect(unknown.hint?.contains("\"hellinger\"") == true)
        #expect(failure("divergence(Normal(0, 1), Normal(1, 1), \"renyi\")")?.message.contains("needs alpha=") == true)
        #expect(
            failure("divergence(Normal(0, 1), Normal(1, 1), \"renyi\", alpha=0)")?.message.contains("above 0") == true)
        #expect(
            failure("divergence(Normal(0, 1), Normal(1, 1), \"chi2\", alpha=2)")?.message.contains("alpha= is for")
                == true)
        let none = try #require(failure("divergence(Gamma(2, 1), Normal(0, 1), \"tv\")"))
        #expect(none.message.contains("no closed form for \"tv\" between Gamma and Normal"))
        #expect(none.hint?.contains("divergence_quad") == true)
        #expect(failure("divergence_mc(Normal(0, 1), Normal(1, 1), \"tv\", n=1)") != nil)
        #expect(failure("divergence_quad(DiagNormal(zeros(2), ones(2)), StdNormal(2), \"tv\")") != nil)
    }

    /// An exponential family's closed form needs one base measure: members
    /// with different fixed parameters (Laplace's loc, Binomial's count,
    /// Weibull's concentration, Pareto's scale) have none, and say so.
    @Test func exponentialFamiliesNeedOneBase() throws {
        for (q, p) in [
            ("Laplace(0, 1)", "Laplace(1, 2)"), ("Binomial(10, 0.3)", "Binomial(12, 0.3)"),
            ("Weibull(1, 2)", "Weibull(1, 3)"), ("Pareto(1, 3)", "Pareto(2, 3)"),
        ] {
            let error = try #require(failure("divergence(\(q), \(p), \"hellinger\")"), "\(q) ‖ \(p)")
            #expect(error.message.contains("no closed form for \"hellinger\""))
        }
        // A batch where one element's base differs has none either.
        #expect(failure("divergence(Laplace([0, 1], 1), Laplace(0, 2), \"renyi\", alpha=0.5)") != nil)
        #expect(try value("divergence(Laplace([0, 0], 1), Laplace(0, [2, 3]), \"renyi\", alpha=0.5)").hasPrefix("["))
    }

    /// Sobol and antithetic draws for the kinds drawn from q: within 4.5
    /// standard errors of the closed form, Sobol's far tighter where the terms
    /// are smooth and bounded (Hellinger's: 12×; χ²'s grow as q/p, 6×); the
    /// kinds that draw from p, and f-divergences, refuse them by name.
    @Test func samplersForDivergences() throws {
        let pair = "DiagNormal(0.1 * ones(4), 1.1 * ones(4)), StdNormal(4)"
        for kind in ["\"renyi\", alpha=0.5", "\"chi2\"", "\"hellinger\"", "\"bhattacharyya\"", "\"tv\""] {
            for sampler in ["sobol", "antithetic"] {
                let call = "divergence_mc(\(pair), \(kind), n=20000, seed=3, sampler=\"\(sampler)\")"
                let exact = "divergence(\(pair), \(kind))"
                if kind == "\"tv\"" {
                    #expect(try value("\(call).units") == (sampler == "sobol" ? "32" : "10000"))
                    continue
                }
                #expect(
                    try value("r = \(call); abs(r.value - \(exact)) <= 4.5 * r.stderr") == "true", "\(kind) \(sampler)")
            }
        }
        #expect(
            try value(
                "divergence_mc(\(pair), \"hellinger\", n=20000, seed=3, sampler=\"sobol\").stderr * 10 < "
                    + "divergence_mc(\(pair), \"hellinger\", n=20000, seed=3).stderr") == "true")
        #expect(failure("divergence_mc(\(pair), \"js\", sampler=\"sobol\")")?.message.contains("from p") == true)
        #expect(failure("divergence_mc(\(pair), t -> t * log(t), sampler=\"sobol\")") != nil)
        #expect(failure("divergence_mc(Poisson(3), Poisson(4), \"tv\", sampler=\"sobol\")") != nil)
        // A continuous scalar q is drawn through its inverse cdf.
        let laplace = "Laplace(0, 1), Normal(0, 1), \"hellinger\""
        #expect(
            try value(
                "r = divergence_mc(\(laplace), n=20000, seed=3, sampler=\"sobol\"); "
                    + "abs(r.value - divergence_quad(\(laplace)).value) <= 4.5 * r.stderr") == "true")
    }

    @Test func renyiAtOneIsKLAndHalfIsTwiceBhattacharyya() throws {
        let q = "DiagNormal([0.1, 0.5], [0.8, 1.4])"
        #expect(try value("divergence(\(q), StdNormal(2), \"renyi\", alpha=1)") == value("kl(\(q), StdNormal(2))"))
        #expect(
            try value("divergence(\(q), StdNormal(2), \"renyi\", alpha=0.5) / 2")
                == value("divergence(\(q), StdNormal(2), \"bhattacharyya\")"))
    }

    /// MvNormal's closed forms: a diagonal covariance gives the diagonal
    /// Gaussians' values, α → 1 approaches KL, and a correlated pair's value
    /// lies within 4.5 standard errors of a Monte Carlo estimate.
    @Test func multivariateGaussians() throws {
        let diagonal = "MvNormal([0.1, -0.3], [[0.64, 0], [0, 1.96]])"
        let same = "DiagNormal([0.1, -0.3], [0.8, 1.4])"
        for kind in ["\"chi2\"", "\"hellinger\"", "\"renyi\", alpha=0.3", "\"renyi\", alpha=1.5"] {
            let gap = try value(
                "abs(divergence(\(diagonal), StdNormal(2), \(kind)) - divergence(\(same), StdNormal(2), \(kind)))")
            #expect(try #require(Double(gap)) < 1e-12, "\(kind): \(gap)")
        }
        let q = "MvNormal([0.2, -0.1], [[1, 0.6], [0.6, 1.5]])"
        let p = "MvNormal([0, 0.3], [[1.2, -0.2], [-0.2, 0.9]])"
        let nearOne = try value("abs(divergence(\(q), \(p), \"renyi\", alpha=1 + 1e-7) - kl(\(q), \(p)))")
        #expect(try #require(Double(nearOne)) < 1e-6)
        for kind in ["\"renyi\", alpha=0.5", "\"bhattacharyya\"", "\"hellinger\""] {
            let estimate = "divergence_mc(\(q), \(p), \(kind), n=400000, seed=5)"
            let z = try value("abs(\(estimate).value - divergence(\(q), \(p), \(kind))) / \(estimate).stderr")
            #expect(try #require(Double(z)) < 4.5, "\(kind): z = \(z)")
        }
        // 2Σp − Σq has a negative eigenvalue: ∫ q²/p diverges.
        #expect(try value("divergence(\(q), \(p), \"chi2\")") == "inf")
    }

    @Test func batchesBroadcastAndSeedsReproduce() throws {
        let batched = try value("divergence(Normal([0, 1, 2], 1), Normal(0, [1, 2, 3]), \"hellinger\").shape")
        #expect(batched == "[3]")
        let run = "divergence_mc(Normal([0, 1], 1), Normal(0, 2), \"js\", n=5000, seed=7)"
        #expect(try value(run + ".value") == value(run + ".value"))
        #expect(try value(run + ".value.shape") == "[2]")
        #expect(try value(run + ".kind") == "\"js\"")
    }

    /// A q without p's batch axes: each draw of q meets every batch element of p
    /// (kl_mc failed with "shapes [n] and [2] do not broadcast"), and so does
    /// each draw of p on the other side of js.
    @Test func drawsMeetEveryBatchElementOfTheOtherSide() throws {
        let z = try value("abs(kl_mc(Normal(0, 2), Normal([0, 1], 1), n=100000, seed=3).z) < 4.5")
        #expect(z == "[1, 1]")
        let js = "divergence_mc(Normal([0, 1], 1), Normal(0, 2), \"js\", n=100000, seed=4)"
        let reference = "divergence_quad(Normal(1, 1), Normal(0, 2), \"js\").value"
        #expect(try value("abs(\(js).value[1] - \(reference)) < 4.5 * \(js).stderr[1]") == "true")
    }

    /// A function as kind: the f-divergence E_p[f(q/p)] — t·log t is KL(q‖p),
    /// −log t is KL(p‖q), ½|t − 1| total variation, (t − 1)² Pearson's χ².
    @Test func fDivergencesOfYourOwn() throws {
        let (q, p) = ("Normal(0, 1)", "Normal(1, 2)")
        let pairs = [
            ("t -> t * log(t)", "kl(\(q), \(p))"), ("t -> -log(t)", "kl(\(p), \(q))"),
            ("t -> 0.5 * abs(t - 1)", "divergence_quad(\(q), \(p), \"tv\").value"),
            ("t -> (t - 1) ^ 2", "divergence(\(q), \(p), \"chi2\")"),
        ]
        for (f, reference) in pairs {
            let quadrature = try value("abs(divergence_quad(\(q), \(p), \(f)).value - \(reference))")
            #expect(try #require(Double(quadrature)) < 1e-9, "\(f): \(quadrature)")
            let estimate = "divergence_mc(\(q), \(p), \(f), n=200000, seed=9)"
            let z = try value("abs(\(estimate).value - \(reference)) / \(estimate).stderr")
            #expect(try #require(Double(z)) < 4.5, "\(f): z = \(z)")
        }
        #expect(failure("divergence_mc(\(q), \(p), t -> t, n=10)")?.message.contains("f(1) must be 0") == true)
        #expect(failure("divergence_mc(\(q), \(p), t -> sum(t - 1), n=10)")?.message.contains("same shape") == true)
        #expect(failure("divergence(\(q), \(p), t -> t * log(t))")?.message.contains("no closed form") == true)
    }

    @Test func equalDistributionsAreZeroApart() throws {
        for kind in ["kl", "chi2", "neyman", "hellinger", "bhattacharyya", "jeffreys"] {
            #expect(try value("divergence(Normal(0.5, 2), Normal(0.5, 2), \"\(kind)\")") == "0")
        }
        #expect(try value("divergence_mc(Normal(0, 1), Normal(0, 1), \"tv\", n=100, seed=1).value") == "0")
    }
}
