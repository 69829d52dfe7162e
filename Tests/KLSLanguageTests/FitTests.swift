import Foundation
import KLSDiagnostics
import Testing

@testable import KLSLanguage

/// `fit` and the L-BFGS behind it: the directions' known behaviour and every
/// bad argument. The optima's values are checked against SciPy in fit.kls
/// (Tests/References/fit_optima.py).
@Suite struct FitTests {
    static let twoBumps = "Mixture([0.5, 0.5], [Normal(-2, 0.6), Normal(2, 0.6)])"

    @Test func lbfgsFindsRosenbrocksMinimum() throws {
        let result = try LBFGS().minimize(from: [-1.2, 1]) { x throws(KLSError) in
            let (a, b) = (1 - x[0], x[1] - x[0] * x[0])
            return (a * a + 100 * b * b, [-2 * a - 400 * x[0] * b, 200 * b])
        }
        #expect(Swift.abs(result.x[0] - 1) < 1e-6 && Swift.abs(result.x[1] - 1) < 1e-6, "\(result.x)")
        #expect(result.iterations < 100)
    }

    @Test func lbfgsStepsBackFromWhereTheFunctionIsNotFinite() throws {
        // log barrier at x = 0: a first step past it must be halved, not accepted.
        let result = try LBFGS().minimize(from: [3]) { x throws(KLSError) in
            x[0] > 0 ? (x[0] - 2 * Foundation.log(x[0]), [1 - 2 / x[0]]) : (.nan, [.nan])
        }
        #expect(Swift.abs(result.x[0] - 2) < 1e-7)
    }

    /// Rényi moves from mass-covering (α small) to mode-seeking (α = 1, which
    /// is reverse KL on the same draws), and χ² seeks a mode.
    @Test func divergencesPullTheFitWhereTheyShould() throws {
        let p = Self.twoBumps
        func best(_ arguments: String) throws -> (mean: Double, std: Double) {
            let m = try value("r = fit(Normal(0.5, 1), \(p), \(arguments), n=4000, seed=5); mean(r.q)")
            let s = try value("r = fit(Normal(0.5, 1), \(p), \(arguments), n=4000, seed=5); sqrt(var(r.q))")
            return (try #require(Double(m)), try #require(Double(s)))
        }
        let covering = try best("divergence=\"renyi\", alpha=0.2")
        #expect(Swift.abs(covering.mean) < 0.3 && covering.std > 1.5, "\(covering)")
        let seeking = try best("divergence=\"chi2\"")
        #expect(Swift.abs(Swift.abs(seeking.mean) - 2) < 0.1 && seeking.std < 0.8, "\(seeking)")
        #expect(
            try value("fit(Normal(0.5, 1), \(p), divergence=\"renyi\", alpha=1, n=4000, seed=5).value")
                == value("fit(Normal(0.5, 1), \(p), n=4000, seed=5).value"))
    }

    @Test func aSeedReproducesTheFit() throws {
        let call = "fit(Laplace(0, 1), \(Self.twoBumps), n=2000, restarts=2)"
        #expect(try value("\(call.dropLast()), seed=9)") == value("\(call.dropLast()), seed=9)"))
    }

    @Test func badArgumentsSayWhatIsWanted() throws {
        let p = Self.twoBumps
        #expect(failure("fit(Normal(0, 1), \(p), divergence=\"reverse\")")?.message.contains("\"reverse_kl\"") == true)
        #expect(failure("fit(Normal(0, 1), \(p), divergence=\"renyi\")")?.message.contains("needs alpha=") == true)
        #expect(
            failure("fit(Normal(0, 1), \(p), divergence=\"renyi\", alpha=-1)")?.message.contains("> 0") == true)
        #expect(failure("fit(Normal(0, 1), \(p), alpha=0.5)")?.message.contains("alpha= is for") == true)
        #expect(failure("fit(StdNormal(2), DiagNormal([0, 1], [1, 1]))")?.hint?.contains("DiagNormal") == true)
        #expect(failure("fit(Normal([0, 1], 1), \(p))")?.message.contains("one distribution") == true)
        #expect(failure("fit(Bernoulli(0.3), Bernoulli(0.5))")?.message.contains("discrete") == true)
        #expect(failure("fit(Uniform(0, 1), Normal(0, 1))")?.message.contains("'low'") == true)
        #expect(failure("fit(Normal(0, 1), StdNormal(2))")?.message.contains("event shape") == true)
        #expect(failure("fit(Normal(0, 1), \(p), n=1)") != nil)
        #expect(failure("plot(fit(DiagNormal([0, 0], [1, 1]), StdNormal(2), n=100))")?.hint?.contains("hist") == true)
    }
}
