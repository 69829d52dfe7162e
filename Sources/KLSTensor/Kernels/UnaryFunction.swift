import Foundation
import KLSDiagnostics
import RealModule

/// The element-wise functions of the language, each with its numerically careful
/// scalar definition. `Tensor.map(_:)` runs them over whole tensors.
public enum UnaryFunction: String, CaseIterable, Sendable {
    case negate, exp, log, log1p, expm1, sqrt, abs, square, sin, cos, tan, tanh
    case sigmoid, softplus, lgamma, digamma, trigamma, erf, erfc, floor, ceil, round, sign
    case isnan, isfinite, logicalNot

    /// Relative cost per element, used to decide when a loop is worth splitting
    /// over cores.
    var cost: Int {
        switch self {
        case .negate, .abs, .square, .floor, .ceil, .round, .sign, .isnan, .isfinite, .logicalNot: return 1
        case .sqrt: return 2
        default: return 16
        }
    }

    /// The function at one point.
    @inlinable public func callAsFunction(_ x: Double) -> Double {
        switch self {
        case .negate: return -x
        case .exp: return Foundation.exp(x)
        case .log: return Foundation.log(x)
        case .log1p: return Foundation.log1p(x)
        case .expm1: return Foundation.expm1(x)
        case .sqrt: return x.squareRoot()
        case .abs: return Swift.abs(x)
        case .square: return x * x
        case .sin: return Foundation.sin(x)
        case .cos: return Foundation.cos(x)
        case .tan: return Foundation.tan(x)
        case .tanh: return Foundation.tanh(x)
        case .sigmoid: return SpecialFunctions.sigmoid(x)
        case .softplus: return SpecialFunctions.softplus(x)
        case .lgamma: return Double.logGamma(x)
        case .digamma: return SpecialFunctions.digamma(x)
        case .trigamma: return SpecialFunctions.trigamma(x)
        case .erf: return Double.erf(x)
        case .erfc: return Double.erfc(x)
        case .floor: return x.rounded(.down)
        case .ceil: return x.rounded(.up)
        case .round: return x.rounded(.toNearestOrEven)
        case .sign: return x > 0 ? 1 : (x < 0 ? -1 : (x.isNaN ? .nan : 0))
        case .isnan: return x.isNaN ? 1 : 0
        case .isfinite: return x.isFinite ? 1 : 0
        case .logicalNot: return x == 0 ? 1 : 0
        }
    }
}

extension UnaryFunction {
    /// The cost per element that decides when `map`'s loop is split over cores.
    var loopCost: Int {
        switch self {
        case .exp, .log, .expm1, .log1p, .tanh: return 4
        default: return cost
        }
    }

    /// The function at `input[i]` into `output[i]` for every i in `range`: the one
    /// loop behind `Tensor.map` and the fused kernels, so both give the same bits
    /// (the vector kernels group lanes from the range's start, which callers keep
    /// at a multiple of 8). `output` may be `input`.
    public func run(_ input: UnsafePointer<Double>, _ output: UnsafeMutablePointer<Double>, _ range: Range<Int>) {
        switch self {
        case .exp: VectorMath.apply(input, output, range, VectorMath.Exp.self)
        case .log: VectorMath.apply(input, output, range, VectorMath.Log.self)
        case .expm1: VectorMath.apply(input, output, range, VectorMath.Expm1.self)
        case .log1p: VectorMath.apply(input, output, range, VectorMath.Log1p.self)
        case .tanh: VectorMath.apply(input, output, range, VectorMath.Tanh.self)
        case .negate: Elementwise.loop(input, output, range, Elementwise.Negate())
        case .square: Elementwise.loop(input, output, range, Elementwise.Square())
        case .abs: Elementwise.loop(input, output, range, Elementwise.Magnitude())
        case .sqrt: Elementwise.loop(input, output, range, Elementwise.SquareRoot())
        default: Elementwise.loop(input, output, range, self)
        }
    }
}

extension Elementwise {
    /// `op` over `range`, specialised per operation so simple ones vectorise.
    @inline(__always)
    static func loop<Operation: ElementMap>(
        _ input: UnsafePointer<Double>, _ output: UnsafeMutablePointer<Double>, _ range: Range<Int>, _ op: Operation
    ) {
        // In place, one pointer: with two equal pointers LLVM's alias check
        // fails at run time and the loop falls back to scalar code.
        if UnsafePointer(output) == input {
            for i in range { output[i] = op(output[i]) }
        } else {
            for i in range { output[i] = op(input[i]) }
        }
    }
}

extension Tensor {
    /// Applies `function` to every element. Reuses this tensor's buffer when it is
    /// the only owner; splits the loop over cores when large.
    public consuming func map(_ function: UnaryFunction) throws(KLSError) -> Tensor {
        let target = try reusableStorage()
        let input = UnsafePointer(storage.pointer)
        let output = target.pointer
        withExtendedLifetime(storage) {
            Parallel.forEachChunk(count, cost: function.loopCost) { range in function.run(input, output, range) }
        }
        return Tensor(shape: shape, storage: target)
    }

    /// `op` at every element, as a closure: an indirect call per element (the
    /// typed `apply` inlines its operation).
    public consuming func apply(cost: Int, _ op: (Double) -> Double) throws(KLSError) -> Tensor {
        let target = try reusableStorage()
        withoutActuallyEscaping(op) { op in fill(target, cost: cost, Elementwise.Closure(body: op)) }
        return Tensor(shape: shape, storage: target)
    }

    /// `op` at every element. Reuses this tensor's buffer when it is the only
    /// owner; splits the loop over cores when large.
    public consuming func apply<Operation: ElementMap>(cost: Int, _ op: Operation) throws(KLSError) -> Tensor {
        let target = try reusableStorage()
        fill(target, cost: cost, op)
        return Tensor(shape: shape, storage: target)
    }

    /// The loop behind `apply`, specialised per operation so simple ones vectorise.
    private func fill<Operation: ElementMap>(_ target: TensorStorage, cost: Int, _ op: Operation) {
        let input = UnsafePointer(storage.pointer)
        let output = target.pointer
        withExtendedLifetime(storage) {
            Parallel.forEachChunk(count, cost: cost) { range in Elementwise.loop(input, output, range, op) }
        }
    }
}
