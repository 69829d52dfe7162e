import Foundation
import KLSTensor
import Testing

@testable import KLSDistributions

/// The hand-written lane kernels against the families' generic formulas
/// evaluated on SIMD lanes (`FormulaNumber` on `SIMD8<Double>`, with the same
/// `VectorMath` functions): bit for bit where the kernel is the formula with
/// its constants hoisted, and the generic formula on Doubles within a few ulp
/// of either (libm's log against `VectorMath.log`).
@Suite struct FormulaLanesTests {
    /// Eight points inside the support and one parameter set per lane.
    static func lanes<F: VectorizedFamily>(
        _ family: F.Type, _ x: [Double], _ parameters: [[Double]]
    ) throws -> (kernel: [Double], lanes: [Double], doubles: [Double]) {
        let tensors = try parameters.map { try Tensor(shape: [8], values: $0) }
        let d = try ScalarDistribution<F>(tensors)
        let kernel = try d.logpdf(try Tensor(shape: [8], values: x))
        let columns = parameters.map { SIMD8<Double>($0) }
        let zero = SIMD8<Double>(repeating: 0)
        let t = ParameterValues<F, SIMD8<Double>>(
            columns[0], columns.count > 1 ? columns[1] : zero, columns.count > 2 ? columns[2] : zero)
        let lanes = F.logDensity(SIMD8<Double>(x), t)
        let doubles = (0..<8).map { i in F.logDensity(x[i], d.theta(i)) }
        return ((0..<8).map { kernel[flat: $0] }, (0..<8).map { lanes[$0] }, doubles)
    }

    static let points = [0.1, 0.5, 1.3, 2.0, 0.01, 0.9, 3.7, 0.25]
    static let first = [0.5, 1.0, 2.0, 3.0, 0.7, 1.5, 4.0, 0.2]
    static let second = [1.0, 0.3, 2.5, 0.8, 1.2, 5.0, 0.6, 2.2]

    @Test func kernelsAreTheFormulaBitForBit() throws {
        for (name, result) in [
            ("Laplace", try Self.lanes(LaplaceFamily.self, Self.points, [Self.first, Self.second])),
            ("Exponential", try Self.lanes(ExponentialFamily.self, Self.points, [Self.first])),
        ] {
            #expect(result.kernel == result.lanes, "\(name): kernel \(result.kernel), formula \(result.lanes)")
        }
    }

    @Test func lanesAndDoublesAgreeToAFewUlp() throws {
        let uniform = try Self.lanes(
            UniformFamily.self, Self.points, [Self.first.map { -$0 }, Self.second.map { $0 + 3.7 }])
        for result in [
            try Self.lanes(NormalFamily.self, Self.points, [Self.first, Self.second]),
            try Self.lanes(LaplaceFamily.self, Self.points, [Self.first, Self.second]),
            try Self.lanes(ExponentialFamily.self, Self.points, [Self.first]),
            try Self.lanes(LogNormalFamily.self, Self.points, [Self.first, Self.second]),
            try Self.lanes(GammaFamily.self, Self.points, [Self.first, Self.second]),
            try Self.lanes(StudentTFamily.self, Self.points, [Self.first, Self.second, Self.first]),
            uniform,
        ] {
            for i in 0..<8 {
                let tolerance = 8 * result.doubles[i].ulp + 1e-15
                #expect(abs(result.lanes[i] - result.doubles[i]) <= tolerance)
                #expect(abs(result.kernel[i] - result.doubles[i]) <= tolerance)
            }
        }
    }
}
