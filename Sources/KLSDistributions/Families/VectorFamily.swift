import KLSDiagnostics
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
