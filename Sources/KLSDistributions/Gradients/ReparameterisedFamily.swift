import KLSDiagnostics
import KLSTensor

/// A scalar family whose draws are a smooth formula of plain draws ε, so a
/// gradient reaches its parameters through the draws (`grad` of `sample`,
/// `kl_mc`, `compare(grad=true)`).
///
/// ε is drawn from `standard`; the draw is `pathwiseDraw(ε, θ)`. Where ε
/// itself depends on some parameters (Gamma's shape, Beta's a and b,
/// StudentT's df: no parameter-free noise gives them smoothly), those are
/// `implicitParameters`, and `implicitSlopes` gives dε/dθ along a draw by
/// implicit reparameterisation (Figurnov, Mohamed & Mnih 2018).
public protocol ReparameterisedFamily: ScalarFamily {
    /// The distribution of ε, batch-shaped `shape`, from the parameters' plain values.
    static func standard(_ parameters: [Tensor], shape: [Int]) throws(KLSError) -> any Distribution
    /// The draw from ε.
    static func pathwiseDraw<N: FormulaNumber>(_ epsilon: N, _ t: ParameterValues<Self, N>) throws(N.Failure) -> N
    /// The parameters (by index) that ε depends on.
    static var implicitParameters: [Int] { get }
    /// dε/dθ for each of `implicitParameters`, in their order.
    static func implicitSlopes(_ epsilon: Double, _ t: Parameters) -> [Double]
}

extension ReparameterisedFamily {
    public static var implicitParameters: [Int] { [] }
    public static func implicitSlopes(_ epsilon: Double, _ t: Parameters) -> [Double] { [] }

    /// dε/dθ for each draw and each implicit parameter, the parameters
    /// broadcast to the draws' shape, split over the cores (each draw costs a
    /// few incomplete-function evaluations).
    public static func implicitSlopes(_ epsilon: Tensor, _ parameters: [Tensor]) throws(KLSError) -> [Tensor] {
        var broadcast: [Tensor] = []
        for p in parameters { broadcast.append(try p.broadcast(to: epsilon.shape)) }
        let count = implicitParameters.count
        let parts = Parallel.mapChunks(epsilon.count, cost: 512) { range -> [[Double]] in
            var slopes = [[Double]](repeating: [], count: count)
            for i in range {
                for (k, slope) in implicitSlopes(epsilon[flat: i], self.parameters(broadcast, at: i)).enumerated() {
                    slopes[k].append(slope)
                }
            }
            return slopes
        }
        var out: [Tensor] = []
        for k in 0..<count { out.append(try Tensor(shape: epsilon.shape, values: parts.flatMap { $0[k] })) }
        return out
    }

    /// The same family with fixed parameters, each broadcast to `shape`.
    public static func constant(_ values: [Double], shape: [Int]) throws(KLSError) -> ScalarDistribution<Self> {
        var tensors: [Tensor] = []
        for v in values { tensors.append(try Tensor(repeating: v, shape: shape)) }
        return try ScalarDistribution<Self>(tensors)
    }
}
