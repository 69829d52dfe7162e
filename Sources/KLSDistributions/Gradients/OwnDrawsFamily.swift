import KLSDiagnostics
import KLSTensor

/// A reparameterised family whose standard draws are its own draws (Gamma,
/// Beta, Chi2): no parameter-free noise gives them smoothly, so the draw is ε
/// itself and each parameter reaches it implicitly (`implicitParameters`,
/// `implicitSlopes`).
public protocol OwnDrawsFamily: ReparameterisedFamily {}

extension OwnDrawsFamily {
    public static func standard(_ parameters: [Tensor], shape: [Int]) throws(KLSError) -> any Distribution {
        var broadcast: [Tensor] = []
        for p in parameters { broadcast.append(try p.broadcast(to: shape)) }
        return try ScalarDistribution<Self>(broadcast)
    }

    public static func pathwiseDraw<N: FormulaNumber>(_ epsilon: N, _ t: ParameterValues<Self, N>) throws(N.Failure)
        -> N
    { epsilon }
}
