import KLSTensor

/// One distribution's parameters as numbers of type `N` — Doubles for one
/// element, SIMD lanes, or traced values — in the family's `parameterNames`
/// order. Each family names the slots in an extension (`t.loc`, `t.scale`), so
/// its formulas, written once and generic over `N`, read as the maths.
///
/// Scalar families have at most three parameters; unused slots hold 0.
public struct ParameterValues<F: ScalarFamily, N: FormulaNumber> {
    public var first: N
    public var second: N
    public var third: N

    @inline(__always)
    public init(_ first: N, _ second: N, _ third: N) {
        (self.first, self.second, self.third) = (first, second, third)
    }

    /// The parameters in `parameterNames` order (missing ones are 0).
    public init(_ values: [N]) {
        let zero = N.constant(0)
        self.init(
            values.first ?? zero, values.count > 1 ? values[1] : zero, values.count > 2 ? values[2] : zero)
    }

    /// The parameters in `parameterNames` order.
    public var values: [N] { Array([first, second, third].prefix(F.parameterNames.count)) }
}

extension ParameterValues: Sendable where N: Sendable {}
