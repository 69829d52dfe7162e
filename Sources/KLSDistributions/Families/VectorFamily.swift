import KLSDiagnostics
import KLSGradient
import KLSTensor

/// A family over vectors (event shape `[k]`), declared once: its name,
/// parameters and help, and how to make one from parameter tensors. The
/// language makes each one's constructor from this declaration.
public protocol VectorFamily: Sendable {
    static var name: String { get }
    /// Parameter names in constructor order (all required).
    static var parameterNames: [String] { get }
    /// What each parameter means, in `parameterNames` order, for help.
    static var parameterMeanings: [String] { get }
    /// One line of help for the constructor.
    static var summary: String { get }
    /// A constructor call that runs as written.
    static var example: String { get }
    /// One distribution (or a batch) from the parameters, validated.
    static func make(_ parameters: [Tensor]) throws(KLSError) -> any Distribution
}

/// Every vector family declared through `VectorFamily`, each registered once, here.
public enum VectorFamilies {
    public static let all: [any VectorFamily.Type] = [
        DirichletFamily.self, OneHotCategoricalFamily.self, LowRankMultivariateNormalFamily.self,
    ]
}

/// A vector family with closed forms of its own (KL against itself, and the
/// pairs it makes with others), which the registry collects.
protocol VectorFamilyKL: VectorFamily {
    static var klRules: [KLRegistry.Entry] { get }
}

/// A vector family `grad` differentiates through: it makes itself from
/// parameters that may be traced, with the parts its own gradients use.
package protocol DifferentiableVectorFamily: VectorFamily {
    static func makeTraced(_ parameters: [TracedNumber]) throws(KLSError) -> TracedDistribution
    /// The parts of a plain member of the family, when it has parts of its
    /// own (a family that is another in disguise — LowRankMultivariateNormal,
    /// an MvNormal — has none: the other's parts serve).
    static func parts(of d: any Distribution) -> (any VectorParts)?
}

extension DifferentiableVectorFamily {
    package static func parts(of d: any Distribution) -> (any VectorParts)? { nil }
}

extension VectorFamilies {
    /// The parts of `d` from the first vector family that knows it.
    package static func parts(of d: any Distribution) -> (any VectorParts)? {
        for family in all {
            if let differentiable = family as? any DifferentiableVectorFamily.Type,
                let parts = differentiable.parts(of: d)
            {
                return parts
            }
        }
        return nil
    }
}

/// A vector family's formulas on parameters that may be traced: what `grad`
/// differentiates (`DifferentiableParts.vector`).
package protocol VectorParts {
    /// The parameters, which become the leaves of a chunk's tape.
    var values: [TracedNumber] { get }
    /// The same family with other parameter values.
    func with(_ values: [TracedNumber]) -> any VectorParts
    func logpdf(_ x: TracedNumber) throws(KLSError) -> TracedNumber
    func entropy() throws(KLSError) -> TracedNumber
    func moments() throws(KLSError) -> (mean: TracedNumber, variance: TracedNumber)
    /// The closed-form KL to `p` (another member of the family, or an error).
    func kl(to p: any VectorParts) throws(KLSError) -> TracedNumber
    /// The distribution of the noise a draw is a formula of.
    func standard(_ d: any Distribution) throws(KLSError) -> any Distribution
    /// The pathwise draw from that noise.
    func draw(_ noise: Tensor) throws(KLSError) -> TracedNumber
}
