import KLSDiagnostics
import KLSTensor

/// A family that is another with a parameter fixed or rescaled (Chi2(df) is
/// Gamma(df/2, ½)). PyTorch makes such a family a subclass, so that every KL
/// registered for the general family applies to it; here the registry does the
/// same (`KLRegistry`), on either side of the pair, wherever the special case
/// has no rule of its own.
public protocol SpecialCaseFamily: ScalarFamily {
    associatedtype General: ScalarFamily
    /// The general family's parameters of the same distribution.
    static func general<N: FormulaNumber>(_ t: ParameterValues<Self, N>) throws(N.Failure)
        -> ParameterValues<General, N>
}

extension SpecialCaseFamily {
    /// The general family's rules, each applied to this family through `general`.
    static func inheritedRules(_ entries: [KLRegistry.Entry]) -> [KLRegistry.Entry] {
        let general = ObjectIdentifier(ScalarDistribution<General>.self)
        let special = ScalarDistribution<Self>.self
        var inherited: [KLRegistry.Entry] = []
        for entry in entries {
            let rule = entry.rule
            let (qGeneral, pGeneral) = (ObjectIdentifier(entry.q) == general, ObjectIdentifier(entry.p) == general)
            if qGeneral {
                inherited.append(.init(q: special, p: entry.p) { q, p throws(KLSError) in try rule(try widen(q), p) })
            }
            if pGeneral {
                inherited.append(.init(q: entry.q, p: special) { q, p throws(KLSError) in try rule(q, try widen(p)) })
            }
            if qGeneral && pGeneral {
                inherited.append(
                    .init(q: special, p: special) { q, p throws(KLSError) in try rule(try widen(q), try widen(p)) })
            }
        }
        return inherited
    }

    /// A batch of this family as the same batch of the general family.
    static func widen(_ d: any Distribution) throws(KLSError) -> any Distribution {
        guard let batch = d as? ScalarDistribution<Self> else {
            throw KLSError("internal: \(name) rule applied to \(d.family)")
        }
        let count = General.parameterNames.count
        var columns = [[Double]](repeating: [], count: count)
        for i in 0..<batch.batchCount {
            for (k, value) in general(batch.theta(i)).values.enumerated() { columns[k].append(value) }
        }
        var tensors: [Tensor] = []
        for column in columns { tensors.append(try Tensor(shape: batch.batchShape, values: column)) }
        return try ScalarDistribution<General>(tensors)
    }
}
