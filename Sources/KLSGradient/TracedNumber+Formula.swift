import KLSDiagnostics
import KLSTensor

/// Traced numbers are numbers the families' formulas compute with: `grad`
/// differentiates a family's own logpdf, entropy, moments and KL.
extension TracedNumber: FormulaNumber {
    public typealias Failure = KLSError

    public static func constant(_ c: Double) -> TracedNumber { TracedNumber(c) }
    public var plainValues: [Double] {
        let plain = value
        return (0..<plain.count).map { plain[flat: $0] }
    }
    public static func log(_ x: TracedNumber) throws(KLSError) -> TracedNumber { try apply(.log, x) }
    public static func log1p(_ x: TracedNumber) throws(KLSError) -> TracedNumber { try apply(.log1p, x) }
    public static func exp(_ x: TracedNumber) throws(KLSError) -> TracedNumber { try apply(.exp, x) }
    public static func expm1(_ x: TracedNumber) throws(KLSError) -> TracedNumber { try apply(.expm1, x) }
    public static func sqrt(_ x: TracedNumber) throws(KLSError) -> TracedNumber { try apply(.sqrt, x) }
    public static func abs(_ x: TracedNumber) throws(KLSError) -> TracedNumber { try apply(.abs, x) }
    public static func square(_ x: TracedNumber) throws(KLSError) -> TracedNumber { try apply(.square, x) }
    public static func lgamma(_ x: TracedNumber) throws(KLSError) -> TracedNumber { try apply(.lgamma, x) }
    public static func digamma(_ x: TracedNumber) throws(KLSError) -> TracedNumber { try apply(.digamma, x) }
    public static func cos(_ x: TracedNumber) throws(KLSError) -> TracedNumber { try apply(.cos, x) }

    public static func branches(_ condition: TracedNumber, _ test: (Double) -> Bool) -> FormulaBranches {
        let plain = condition.value
        guard plain.count > 0 else { return .mixed }
        let first = test(plain[flat: 0])
        for i in 1..<plain.count where test(plain[flat: i]) != first { return .mixed }
        return first ? .all : .none
    }

    public static func choose(
        _ condition: TracedNumber, _ test: (Double) -> Bool, _ a: TracedNumber, _ b: TracedNumber
    ) throws(KLSError) -> TracedNumber {
        let plain = condition.value
        let mask = try Tensor(shape: plain.shape) { out in
            for i in 0..<out.count { out[i] = test(plain[flat: i]) ? 1 : 0 }
        }
        return try select(mask, a, b)
    }
}
