import Foundation
import KLSDiagnostics
import KLSTensor
import Testing

@testable import KLSGradient

/// The derivative rules of `TracedNumber`, each against an independent
/// reference: central differences of the plain computation (a step of 1e-6,
/// agreement to 1e-6 relative), or a known closed form.
@Suite struct TracedNumberTests {
    /// The gradient of Σ f(x) with respect to x, through the tape.
    static func gradient(
        _ x: Tensor, _ f: (TracedNumber) throws(KLSError) -> TracedNumber
    ) throws -> Tensor {
        let tape = GradientTape()
        let leaf = tape.leaf(x)
        let out = try TracedNumber.sum(try f(.traced(leaf)), axes: nil)
        guard case .traced(let node) = out else { return try Tensor(repeating: 0, shape: x.shape) }
        return try tape.gradients(of: node)[leaf.id] ?? Tensor(repeating: 0, shape: x.shape)
    }

    /// Central differences of Σ f(x), element by element, on plain numbers.
    static func differences(
        _ x: Tensor, _ f: (TracedNumber) throws(KLSError) -> TracedNumber
    ) throws -> [Double] {
        func total(_ y: Tensor) throws -> Double {
            let value = try f(.plain(y)).value
            return (0..<value.count).reduce(0) { $0 + value[flat: $1] }
        }
        return try (0..<x.count).map { i in
            let h = 1e-6 * Swift.max(1, Swift.abs(x[flat: i]))
            var (up, down) = (x.values, x.values)
            up[i] += h
            down[i] -= h
            return (try total(Tensor(shape: x.shape, values: up)) - total(Tensor(shape: x.shape, values: down)))
                / (2 * h)
        }
    }

    static func expectMatchesDifferences(
        _ x: Tensor, _ f: (TracedNumber) throws(KLSError) -> TracedNumber, _ what: String
    ) throws {
        let g = try gradient(x, f)
        let reference = try differences(x, f)
        #expect(g.shape == x.shape, "\(what): gradient shape")
        for i in 0..<x.count {
            let tolerance = 1e-6 * Swift.max(1, Swift.abs(reference[i]))
            #expect(
                Swift.abs(g[flat: i] - reference[i]) <= tolerance, "\(what)[\(i)]: \(g[flat: i]) vs \(reference[i])")
        }
    }

    static let matrix = try! Tensor(shape: [2, 3], values: [0.3, -1.2, 2.5, 0.7, 1.1, -0.4])

    @Test func operatorsBroadcastAndUnbroadcast() throws {
        let row = try Tensor(shape: [3], values: [1.5, -0.5, 2])
        try Self.expectMatchesDifferences(
            Self.matrix, { x throws(KLSError) in try x * .plain(row) / (x + 4) }, "x·r/(x+4)")
        // The row is broadcast over the matrix's rows: its gradient sums over them.
        let g = try Self.gradient(row) { r throws(KLSError) in try .plain(Self.matrix) * r }
        #expect(g.shape == [3])
        #expect(g.values == [0.3 + 0.7, -1.2 + 1.1, 2.5 - 0.4])
        try Self.expectMatchesDifferences(
            try Tensor(shape: [3], values: [0.5, 1.5, 2.5]),
            { x throws(KLSError) in try TracedNumber.binary(.power, x, .plain(row)) },
            "x^r")
    }

    @Test(arguments: ["sum", "mean", "prod", "max", "logsumexp", "var", "std"])
    func reductionsAlongAnAxis(name: String) throws {
        let reductions: [String: Reduction] = [
            "sum": .sum, "mean": .mean, "prod": .prod, "max": .max, "logsumexp": .logsumexp,
            "var": .variance(ddof: 1), "std": .std(ddof: 0),
        ]
        let reduction = try #require(reductions[name])
        for axes in [[1], [0], nil] as [[Int]?] {
            try Self.expectMatchesDifferences(
                Self.matrix,
                { x throws(KLSError) in
                    try TracedNumber.square(TracedNumber.reduce(x, reduction, axes: axes, keepdims: false))
                }, "\(name) over \(String(describing: axes))")
        }
    }

    /// At exact ties and zeros, where differences cannot decide, the conventions:
    /// max shares the gradient equally among ties; prod's gradient at a lane's
    /// only zero is the product of the others.
    @Test func conventionsAtTiesAndZeros() throws {
        let tied = try Tensor(shape: [4], values: [2, 1, 2, 2])
        let max = try Self.gradient(tied) { x throws(KLSError) in
            try TracedNumber.reduce(x, .max, axes: nil, keepdims: false)
        }
        let third: Double = 1.0 / 3
        #expect(max.values == [third, 0, third, third])
        let zero = try Tensor(shape: [3], values: [3, 0, -2])
        let prod = try Self.gradient(zero) { x throws(KLSError) in
            try TracedNumber.reduce(x, .prod, axes: nil, keepdims: false)
        }
        #expect(prod.values == [0, -6, 0])
    }

    @Test func scansAndOrderStatistics() throws {
        let x = try Tensor(shape: [2, 4], values: [0.5, -1, 2, 1.5, 3, 0.25, -0.75, 1])
        let weights = try Tensor(shape: [2, 4], values: [1, 2, 3, 4, -1, 0.5, 2, -3])
        func weighted(_ y: TracedNumber) throws(KLSError) -> TracedNumber { try y * .plain(weights) }
        try Self.expectMatchesDifferences(
            x, { y throws(KLSError) in try weighted(TracedNumber.scan(y, mean: false, axis: 1)) }, "cumsum")
        try Self.expectMatchesDifferences(
            x, { y throws(KLSError) in try weighted(TracedNumber.scan(y, mean: true, axis: 0)) }, "cummean")
        try Self.expectMatchesDifferences(
            x, { y throws(KLSError) in try weighted(TracedNumber.cumulativeProduct(y, axis: 1)) }, "cumprod")
        try Self.expectMatchesDifferences(
            x, { y throws(KLSError) in try weighted(TracedNumber.sort(y, axis: 1)) }, "sort")
        try Self.expectMatchesDifferences(
            x,
            { y throws(KLSError) in try TracedNumber.quantiles(y, Tensor(shape: [2], values: [0.3, 0.8]), axis: 1) },
            "quantile")
    }

    @Test func matrixFunctions() throws {
        let a = try Tensor(shape: [3, 3], values: [4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 2])
        let w = try Tensor(shape: [3, 3], values: [1, -2, 0.5, 3, 1, -1, 0.25, 2, 1])
        // Symmetric inputs, so a perturbation of one entry is a perturbation of the symmetric matrix.
        func symmetric(_ x: TracedNumber) throws(KLSError) -> TracedNumber {
            try 0.5 * (x + TracedNumber.matrixTranspose(x))
        }
        try Self.expectMatchesDifferences(
            a, { x throws(KLSError) in try TracedNumber.cholesky(symmetric(x)) * .plain(w) }, "cholesky")
        try Self.expectMatchesDifferences(
            a, { x throws(KLSError) in try TracedNumber.inverse(x) * .plain(w) }, "inverse")
        try Self.expectMatchesDifferences(
            a, { x throws(KLSError) in try TracedNumber.determinant(x, logarithm: true) }, "logdet")
        try Self.expectMatchesDifferences(
            a, { x throws(KLSError) in try TracedNumber.matmul(x, .plain(w)) * .plain(w) }, "matmul")
        let b = try Tensor(shape: [3], values: [1, -1, 2])
        try Self.expectMatchesDifferences(
            a, { x throws(KLSError) in try TracedNumber.solve(x, .plain(b)) * .plain(b) }, "solve in a")
        try Self.expectMatchesDifferences(
            b, { y throws(KLSError) in try TracedNumber.solve(.plain(a), y) * .plain(b) }, "solve in b")
    }

    /// A formula written once over `FormulaNumber` gives the same value on
    /// traced numbers as on Doubles (to the ulps the tensor kernels' exp and
    /// log may differ by), and its gradient is the derivative the mathematics
    /// says: d/dx log I₀(x) = I₁(x)/I₀(x).
    @Test func aGenericFormulaDifferentiatesToItsDerivative() throws {
        let xs = [0.1, 1, 3.5, 12, 40]
        let x = try Tensor(shape: [xs.count], values: xs)
        let traced = try TracedNumber.logBesselI0(.plain(x)).value
        for (i, v) in xs.enumerated() {
            let plain = Double.logBesselI0(v)
            #expect(Swift.abs(traced[flat: i] - plain) <= 4 * plain.ulp, "x = \(v)")
        }
        let g = try Self.gradient(x) { y throws(KLSError) in try TracedNumber.logBesselI0(y) }
        for (i, v) in xs.enumerated() {
            #expect(Swift.abs(g[flat: i] - Double.besselRatio(v)) <= 1e-13 * Double.besselRatio(v), "x = \(v)")
        }
    }

    @Test func choiceFollowsTheBranchTaken() throws {
        let x = try Tensor(shape: [4], values: [-2, -0.5, 0.5, 2])
        let g = try Self.gradient(x) { y throws(KLSError) in
            try TracedNumber.choose(y, { $0 > 0 }, TracedNumber.square(y), 3 * y)
        }
        #expect(g.values == [3, 3, 1, 4])
        #expect(TracedNumber.branches(.plain(x), { $0 > -5 }) == .all)
        #expect(TracedNumber.branches(.plain(x), { $0 > 5 }) == .none)
        #expect(TracedNumber.branches(.plain(x), { $0 > 0 }) == .mixed)
    }

    /// Two tapes in one formula are a nested grad, which kls refuses by name.
    @Test func operandsOnTwoTapesAreRefused() throws {
        let (first, second) = (GradientTape(), GradientTape())
        let a = TracedNumber.traced(first.leaf(Tensor(scalar: 1)))
        let b = TracedNumber.traced(second.leaf(Tensor(scalar: 2)))
        #expect(throws: KLSError.self) { try a + b }
    }
}
