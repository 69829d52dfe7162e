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
}
