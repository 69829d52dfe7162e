import KLSDiagnostics
import KLSTensor

/// A family whose draws are loc + scale·ε, ε from its own member with loc 0
/// and scale 1 (Laplace, Cauchy, Gumbel, Logistic): the first parameter is a
/// finite location, the second a finite scale > 0, and the validation, the
/// standard draws and the pathwise draw follow from that alone.
public protocol LocationScaleFamily: ReparameterisedFamily {}

extension LocationScaleFamily {
    public static func validate(_ t: Parameters) -> (parameter: String, requirement: String, value: Double)? {
        if !t.first.isFinite { return (parameterNames[0], "finite", t.first) }
        if !(t.second > 0 && t.second.isFinite) { return (parameterNames[1], "finite and > 0", t.second) }
        return nil
    }

    public static func standard(_ parameters: [Tensor], shape: [Int]) throws(KLSError) -> any Distribution {
        try constant([0, 1], shape: shape)
    }

    public static func pathwiseDraw<N: FormulaNumber>(_ epsilon: N, _ t: ParameterValues<Self, N>) throws(N.Failure)
        -> N
    { try t.first + t.second * epsilon }
}
