import KLSDiagnostics
import KLSTensor

/// A family whose draws are scale·ε, ε from its own member with scale 1
/// (HalfNormal, HalfCauchy): the standard draws and the pathwise draw follow.
public protocol ScaleFamily: ReparameterisedFamily {}

extension ScaleFamily {
    public static func standard(_ parameters: [Tensor], shape: [Int]) throws(KLSError) -> any Distribution {
        try constant([1], shape: shape)
    }

    public static func pathwiseDraw<N: FormulaNumber>(_ epsilon: N, _ t: ParameterValues<Self, N>) throws(N.Failure)
        -> N
    { try t.first * epsilon }
}
