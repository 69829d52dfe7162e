import Foundation
import KLSDiagnostics
import KLSTensor
import Testing

@testable import KLSDistributions

/// The vectorised Normal kernels against the per-element formulas they replace:
/// draws equal to the bit, densities within 2 ulp (plus an absolute 1e-15 near 0),
/// for batches that are and are not multiples of the vector width, broadcast
/// against draws, and the same whatever the number of workers.
@Suite struct VectorizedFamilyTests {
    static func normal(_ shape: [Int]) throws -> Normal {
        let count = shape.reduce(1, *)
        let mean = try Tensor(shape: shape, values: (0..<count).map { sin(Double($0)) * 3 })
        let std = try Tensor(shape: shape, values: (0..<count).map { exp(cos(Double($0) * 0.7) * 2) })
        return try Normal([mean, std])
    }

    @Test(arguments: [[], [3], [8], [5, 13], [64, 8]])
    func drawsEqualTheScalarFormula(shape: [Int]) throws {
        let d = try Self.normal(shape)
        let batch = d.batchCount
        let generator = Philox(seed: 9)
        for count in [nil, 1, 37] as [Int?] {
            let z = try d.sample(count, generator: generator, start: 5)
            for e in 0..<z.count {
                let expected = NormalFamily.sample(generator, 5 &+ UInt64(e), d.theta(e % batch))
                #expect(z[flat: e] == expected, "shape \(shape), count \(String(describing: count)), element \(e)")
            }
        }
    }

    @Test(arguments: [[], [3], [8], [5, 13], [64, 8]])
    func densitiesMatchTheScalarFormula(shape: [Int]) throws {
        let d = try Self.normal(shape)
        let batch = d.batchCount
        let x = try d.sample(41, generator: Philox(seed: 3), start: 0)
        // Far tails too: scale the draws' distance from 0 by 40.
        for points in [x, try x.apply(cost: 1) { $0 * 40 }] {
            let values = try d.logpdf(points)
            #expect(values.shape == [41] + shape)
            for e in 0..<values.count {
                let expected = NormalFamily.logpdf(points[flat: e], d.theta(e % batch))
                let tolerance = 2 * expected.ulp + 1e-15
                #expect(abs(values[flat: e] - expected) <= tolerance, "shape \(shape), element \(e)")
            }
        }
        // A single point broadcast against the whole batch.
        let single = try d.logpdf(Tensor(scalar: 0.25))
        for e in 0..<single.count {
            let expected = NormalFamily.logpdf(0.25, d.theta(e))
            #expect(abs(single[flat: e] - expected) <= 2 * expected.ulp + 1e-15)
        }
    }

    /// Gamma ‖ LogNormal estimates take one log per draw for both densities
    /// (`LogArgumentDensity`): the same log-ratios, bit for bit, as two logs.
    @Test(arguments: [nil, 1, 203] as [Int?])
    func sharedLogsGiveTheSameLogRatios(count: Int?) throws {
        let q = try Gamma([try Tensor([2.0, 0.7, 30, 1]), try Tensor([1.0, 2.0, 0.5, 1e-3])])
        let p = try LogNormal([try Tensor([0.0, 0.3, -1, 4]), try Tensor([1.0, 0.5, 2, 0.1])])
        let z = try q.sample(count, generator: Philox(seed: 5), start: 3)
        let logZ = try ScalarLogs.of(z)
        let shared = try Tensor.binary(.subtract, try q.logpdf(z, logOfX: logZ), try p.logpdf(z, logOfX: logZ))
        let plain = try Tensor.binary(.subtract, try q.logpdf(z), try p.logpdf(z))
        #expect(shared.shape == plain.shape)
        for i in 0..<plain.count { #expect(shared[flat: i] == plain[flat: i], "element \(i)") }
    }

    @Test func resultsDoNotDependOnTheWorkers() throws {
        let d = try Self.normal([1_000, 9])
        let runs = try [1, 2, 5].map { n -> (Tensor, Tensor) in
            try Parallel.withWorkers(n) { () throws -> (Tensor, Tensor) in
                let z = try d.sample(nil, generator: Philox(seed: 1), start: 0)
                return (z, try d.logpdf(z))
            }
        }
        for (z, l) in runs {
            for i in 0..<z.count {
                #expect(z[flat: i] == runs[0].0[flat: i])
                #expect(l[flat: i] == runs[0].1[flat: i])
            }
        }
    }

    @Test func invalidParametersAreStillNamed() throws {
        var std = [Double](repeating: 1, count: 20)
        std[11] = 0
        let error = #expect(throws: KLSError.self) { try Normal([Tensor(repeating: 0, shape: [20]), try Tensor(std)]) }
        #expect(error?.message.contains("got 0 at index [11]") == true, "\(String(describing: error?.message))")
        for bad in [Double.nan, .infinity, -.infinity] {
            #expect(throws: (any Error).self) { try Normal([Tensor(scalar: bad), Tensor(scalar: 1)]) }
            #expect(throws: (any Error).self) { try Normal([Tensor(scalar: 0), Tensor(scalar: bad)]) }
        }
    }

    /// Parameters `[count]` cycling through `values`.
    static func cycle(_ values: [Double], _ count: Int) throws -> Tensor {
        try Tensor(shape: [count], values: (0..<count).map { values[$0 % values.count] })
    }

    /// A family's kernels against its per-element formulas, over a batch of 11
    /// parameter sets under 37 draws: at least `agreeing` of the draws equal to
    /// 1e-12 (rejection samplers may flip a borderline lane: their vector and
    /// scalar logs differ in the last bit), densities to 8 ulp at the draws and
    /// at points outside or at the edge of the support, and the same bits with
    /// one worker or three.
    static func check<F: VectorizedFamily>(_ d: ScalarDistribution<F>, agreeing: Double, points: [Double]) throws {
        let generator = Philox(seed: 21)
        let z = try d.sample(37, generator: generator, start: 3)
        let batch = d.batchCount
        var agree = 0
        for e in 0..<z.count {
            let expected = F.sample(generator, 3 &+ UInt64(e), d.theta(e % batch))
            if abs(z[flat: e] - expected) <= 1e-12 * abs(expected) { agree += 1 }
        }
        #expect(Double(agree) >= agreeing * Double(z.count), "\(F.name): \(agree) of \(z.count) draws agree")
        let edges = try Tensor(shape: [points.count, 1], values: points)
        for x in [z, try edges.broadcast(to: [points.count, batch])] {
            let values = try d.logpdf(x)
            for e in 0..<values.count {
                let expected = F.logpdf(x[flat: e], d.theta(e % batch))
                let close = abs(values[flat: e] - expected) <= 8 * expected.ulp + 1e-14
                #expect(
                    close || values[flat: e] == expected || (values[flat: e].isNaN && expected.isNaN),
                    "\(F.name) logpdf(\(x[flat: e])) = \(values[flat: e]), not \(expected)")
            }
        }
        let runs = try [1, 3].map { workers -> (Tensor, Tensor) in
            try Parallel.withWorkers(workers) { () throws -> (Tensor, Tensor) in
                let many = try d.sample(2_000, generator: generator, start: 0)
                return (many, try d.logpdf(many))
            }
        }
        for i in stride(from: 0, to: runs[0].0.count, by: 7) {
            #expect(runs[0].0[flat: i] == runs[1].0[flat: i] && runs[0].1[flat: i] == runs[1].1[flat: i])
        }
    }

    /// The eight-lane first attempts (`VectorGamma`) give each draw exactly what
    /// the scalar sampler gives it, over enough draws that every way out of the
    /// fast path (a ziggurat wedge or tail, v ≤ 0, the logarithmic test, a
    /// rejection, shape < 1) is taken many times.
    @Test func rejectionSamplersDrawWhatTheScalarSamplersDraw() throws {
        let n = 20_000
        try Self.exactly(try Gamma([try Self.cycle([0.3, 1, 1.7, 2, 9, 60], n), try Self.cycle([1, 0.5, 3], n)]))
        try Self.exactly(try Beta([try Self.cycle([0.4, 1, 2.5, 25], n), try Self.cycle([3, 1, 0.7, 40, 2], n)]))
        try Self.exactly(
            try StudentT([
                try Self.cycle([0.8, 1.5, 5, 300], n), try Self.cycle([0, 1], n), try Self.cycle([1, 2], n),
            ])
        )
    }

    /// Every draw of `d` (one batch, started off the 8-lane grid) equals `F.sample`'s.
    static func exactly<F: VectorizedFamily>(_ d: ScalarDistribution<F>) throws {
        let generator = Philox(seed: 5)
        let z = try d.sample(1, generator: generator, start: 3)
        var differing = 0
        for e in 0..<z.count where z[flat: e] != F.sample(generator, 3 &+ UInt64(e), d.theta(e)) { differing += 1 }
        #expect(differing == 0, "\(F.name): \(differing) of \(z.count) draws differ from the scalar sampler")
    }

    @Test func everyVectorizedFamilyMatchesItsFormulas() throws {
        let n = 11
        try Self.check(
            try Laplace([try Self.cycle([0, -1.5, 3], n), try Self.cycle([1, 0.2, 4, 0.7], n)]), agreeing: 1,
            points: [-1e3, -0.5, 0, 2, .nan])
        try Self.check(
            try Exponential([try Self.cycle([1, 0.3, 5], n)]), agreeing: 1, points: [-1, 0, 1e-300, 2, 1e3, .nan])
        try Self.check(
            try Uniform([try Self.cycle([0, -2], n), try Self.cycle([1, 3, 0.5], n)]), agreeing: 1,
            points: [-3, -2, 0, 0.5, 1, 3, 4, .nan])
        try Self.check(
            try LogNormal([try Self.cycle([0, -1, 2], n), try Self.cycle([1, 0.25, 2], n)]), agreeing: 1,
            points: [-1, 0, 1e-300, 0.5, 1, 1e5, .nan])
        try Self.check(
            try StudentT([
                try Self.cycle([1.5, 2, 5, 30, 3000], n), try Self.cycle([0, 1], n), try Self.cycle([1, 2.5], n),
            ]),
            agreeing: 0.99, points: [-1e6, -3, 0, 0.1, 40, .nan])
        try Self.check(
            try Gamma([try Self.cycle([0.5, 1, 2, 7.5, 30], n), try Self.cycle([0.5, 2, 1], n)]), agreeing: 0.99,
            points: [-1, 0, 1e-300, 0.3, 1, 25, 1e4, .nan])
        try Self.check(
            try Beta([try Self.cycle([0.4, 1, 2.5, 25], n), try Self.cycle([3, 1, 0.7, 40, 2], n)]), agreeing: 0.99,
            points: [-0.5, 0, 1e-300, 0.2, 0.5, 1 - 1e-12, 1, 2, .nan])
    }
}
