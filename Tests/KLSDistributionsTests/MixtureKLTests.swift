import Foundation
import KLSDiagnostics
import KLSTensor
import Testing

@testable import KLSDistributions

/// The bounds of `MixtureKL` against the true KL on hundreds of random pairs —
/// near-identical, overlapping and far apart — and the assignment behind the
/// matched bound against every permutation. The estimates' values are checked
/// against NumPy in Tests/References/mixture_kl.py.
@Suite struct MixtureKLTests {
    /// SplitMix64: a seeded stream of uniforms, so every run tries the same pairs.
    struct Uniforms {
        var state: UInt64
        mutating func next(_ range: ClosedRange<Double>) -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return range.lowerBound + (range.upperBound - range.lowerBound) * Double(z >> 11) / Double(1 << 53)
        }
        mutating func count(_ range: ClosedRange<Int>) -> Int {
            Swift.min(range.upperBound, range.lowerBound + Int(next(0...Double(range.count))))
        }
    }

    static func s(_ v: Double) -> Tensor { Tensor(scalar: v) }

    /// A mixture of 1–4 Normals; `spread` scales how far apart the means are.
    static func scalarMixture(_ u: inout Uniforms, spread: Double) throws -> Mixture {
        let k = u.count(1...4)
        let weights = try Tensor((0..<k).map { _ in u.next(0.05...1) })
        let parts: [any Distribution] = try (0..<k).map { _ in
            try Normal([s(spread * u.next(-1...1)), s(u.next(0.2...3))])
        }
        return try Mixture(weights: weights, components: parts)
    }

    /// q itself with every mean and std moved by a relative `step`.
    static func perturbed(_ q: Mixture, step: Double) throws -> Mixture {
        let parts: [any Distribution] = try q.components.map { c in
            let (m, sd) = (try c.mean()[flat: 0], try c.variance()[flat: 0].squareRoot())
            return try Normal([s(m + step), s(sd * (1 + step))])
        }
        return try Mixture(weights: try Tensor(q.weights), components: parts)
    }

    /// Every bound on its side of `truth` (give or take `slack`), and the
    /// variational upper bound no worse than the matched one it generalises.
    static func checkBounds(_ r: MixtureKL, truth: Double, slack: Double, _ label: String) {
        let value = { (e: MixtureEstimate) in r.values[e]?[flat: 0] ?? .nan }
        #expect(value(.upperBound) >= truth - slack, "\(label): upper \(value(.upperBound)) < \(truth)")
        #expect(value(.lowerBound) <= truth + slack, "\(label): lower \(value(.lowerBound)) > \(truth)")
        #expect(value(.lowerBound) >= 0)
        let matched = value(.matchedBound)
        if !matched.isNaN {
            #expect(matched >= truth - slack, "\(label): matched \(matched) < \(truth)")
            #expect(value(.upperBound) <= matched + 1e-7 * Swift.max(1, matched), "\(label): upper above matched")
        }
    }

    @Test func boundsHoldOnRandomScalarPairs() throws {
        var u = Uniforms(state: 20_070_415)
        for trial in 0..<160 {
            let spread = [0.5, 3, 30][trial % 3]
            let q = try Self.scalarMixture(&u, spread: spread)
            let p: Mixture =
                trial % 8 == 0
                ? try Self.perturbed(q, step: [0, 1e-6, 1e-3][trial / 8 % 3])
                : try Self.scalarMixture(&u, spread: spread)
            let truth = try Quadrature.kl(q, p, tolerance: 1e-6)
            let r = try MixtureKL(q: q, p: p)
            Self.checkBounds(r, truth: truth.value, slack: 1e-9 * Swift.max(1, truth.value) + truth.error, "\(trial)")
        }
    }

    @Test func boundsHoldOnRandomMultivariatePairs() throws {
        var u = Uniforms(state: 20_120_325)
        for trial in 0..<80 {
            let d = 2 + trial % 2
            func mixture() throws -> Mixture {
                let k = u.count(1...3)
                let parts: [any Distribution] = try (0..<k).map { c in
                    let mean = try Tensor((0..<d).map { _ in 4 * u.next(-1...1) })
                    let a = (0..<(d * d)).map { _ in u.next(-1...1) }
                    // A Aᵀ + I/2 is positive definite; every other component is diagonal.
                    let cov = (0..<(d * d)).map { ij in
                        let (i, j) = (ij / d, ij % d)
                        guard c % 2 == 0 || i == j else { return 0.0 }
                        return (0..<d).reduce(i == j ? 0.5 : 0) { $0 + a[i * d + $1] * a[j * d + $1] }
                    }
                    return try MvNormal(mean: mean, cov: try Tensor(shape: [d, d], values: cov))
                }
                return try Mixture(weights: try Tensor((0..<k).map { _ in u.next(0.05...1) }), components: parts)
            }
            let (q, p) = (try mixture(), try mixture())
            let run = try MonteCarloEngine(q: q, p: p).run(
                n: 20_000, estimators: [.k1], generator: Philox(seed: UInt64(trial + 1)), start: 0)
            let truth = run.moments[0][0]
            let r = try MixtureKL(q: q, p: p)
            Self.checkBounds(r, truth: truth.mean, slack: 4.5 * truth.standardError, "d=\(d) \(trial)")
        }
    }

    @Test func identicalMixturesGiveZero() throws {
        var u = Uniforms(state: 7)
        let q = try Self.scalarMixture(&u, spread: 3)
        let r = try MixtureKL(q: q, p: q)
        // Goldberger's may send f_a to another component of larger weight: an
        // approximation, not 0 even here.
        for estimate in MixtureEstimate.allCases where estimate != .goldberger {
            #expect(Swift.abs(r.values[estimate]?[flat: 0] ?? .nan) < 1e-12, "\(estimate)")
        }
    }

    @Test func refusesComponentsThatAreNotGaussian() throws {
        let q = try Mixture(
            weights: try Tensor([0.5, 0.5]),
            components: [try Normal([Self.s(0), Self.s(1)]), try Laplace([Self.s(0), Self.s(1)])])
        #expect(throws: KLSError.self) { try MixtureKL(q: q, p: try Normal([Self.s(0), Self.s(1)])) }
    }

    @Test func assignmentIsTheLeastOverEveryPermutation() throws {
        var u = Uniforms(state: 1_955)
        func permutations(_ n: Int) -> [[Int]] {
            guard n > 0 else { return [[]] }
            return permutations(n - 1).flatMap { p in
                (0...p.count).map {
                    var q = p
                    q.insert(n - 1, at: $0)
                    return q
                }
            }
        }
        for n in 1...6 {
            for _ in 0..<20 {
                let cost = (0..<n).map { _ in (0..<n).map { _ in u.next(-5...5) } }
                let match = try #require(LinearAssignment.minimumCost(cost))
                #expect(Set(match).count == n)
                let total = { (m: [Int]) in m.indices.reduce(0.0) { $0 + cost[$1][m[$1]] } }
                let best = permutations(n).map(total).min() ?? .nan
                #expect(Swift.abs(total(match) - best) <= 1e-12 * Swift.max(1, Swift.abs(best)))
            }
        }
        #expect(LinearAssignment.minimumCost([[1, .nan], [0, 1]]) == nil)
    }
}
