import Foundation
import KLSDiagnostics
import KLSTensor

/// f′ of each element-wise builtin, from its input x and output y. Piecewise
/// constant functions (`floor`, `ceil`, `round`, `sign`) have derivative 0;
/// `abs` has `sign(x)`, so 0 at 0 (the convention of PyTorch and JAX).
package enum ElementwiseDerivatives {
    package typealias Rule = (Tensor, Tensor) throws(KLSError) -> Tensor

    package static func rule(_ function: UnaryFunction) -> Rule? {
        switch function {
        case .exp: return { _, y in y }
        case .log: return { x, _ throws(KLSError) in try reciprocal(x) }
        case .log1p: return { x, _ throws(KLSError) in try reciprocal(try add(x, 1)) }
        case .expm1: return { _, y throws(KLSError) in try add(y, 1) }
        case .sqrt: return { _, y throws(KLSError) in try Tensor.binary(.divide, y, scalar: 0.5, scalarOnLeft: true) }
        case .abs: return { x, _ throws(KLSError) in try x.map(.sign) }
        case .square: return { x, _ throws(KLSError) in try times(x, 2) }
        case .sin: return { x, _ throws(KLSError) in try x.map(.cos) }
        case .cos: return { x, _ throws(KLSError) in try x.map(.sin).map(.negate) }
        case .tan: return { _, y throws(KLSError) in try add(try y.map(.square), 1) }
        case .tanh:
            return { _, y throws(KLSError) in
                try Tensor.binary(.subtract, try y.map(.square), scalar: 1, scalarOnLeft: true)
            }
        case .sigmoid:
            return { _, y throws(KLSError) in
                try Tensor.binary(
                    .multiply, y, try Tensor.binary(.subtract, y, scalar: 1, scalarOnLeft: true))
            }
        case .softplus: return { x, _ throws(KLSError) in try x.map(.sigmoid) }
        case .lgamma: return { x, _ throws(KLSError) in try x.map(.digamma) }
        case .digamma: return { x, _ throws(KLSError) in try x.map(.trigamma) }
        case .erf, .erfc:
            let sign = function == .erf ? 1.0 : -1.0
            return { x, _ throws(KLSError) in
                try times(try x.map(.square).map(.negate).map(.exp), sign * 2 / Double.pi.squareRoot())
            }
        case .floor, .ceil, .round, .sign, .isnan, .isfinite:
            return { x, _ throws(KLSError) in try Tensor(repeating: 0, shape: x.shape) }
        default:
            return nil
        }
    }

    private static func reciprocal(_ x: Tensor) throws(KLSError) -> Tensor {
        try Tensor.binary(.divide, x, scalar: 1, scalarOnLeft: true)
    }

    private static func add(_ x: Tensor, _ c: Double) throws(KLSError) -> Tensor {
        try Tensor.binary(.add, x, scalar: c, scalarOnLeft: false)
    }

    private static func times(_ x: Tensor, _ c: Double) throws(KLSError) -> Tensor {
        try Tensor.binary(.multiply, x, scalar: c, scalarOnLeft: false)
    }
}
