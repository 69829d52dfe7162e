import KLSDiagnostics
import KLSDistributions
import KLSGradient
import KLSTensor

/// How a builtin passes gradients back, declared with the builtin itself
/// (`Builtin.derivative`). A builtin without one refuses traced arguments, so
/// `grad` never silently treats a dependence as a constant.
public enum Derivative: Sendable {
    /// An element-wise function: its rule is `ElementwiseDerivatives.rule`.
    case elementwise(UnaryFunction)
    /// A rule of its own, which receives the arguments with traced values in them.
    case custom(@Sendable (inout Arguments, Interpreter) throws(KLSError) -> Value)
}

extension Arguments {
    /// True when some argument is being differentiated (a traced tensor, a
    /// distribution with traced parameters, or a list holding either).
    var hasTraced: Bool {
        GradientTape.active.load(ordering: .relaxed) > 0 && values.contains(where: Arguments.isTraced)
    }

    static func isTraced(_ v: Value) -> Bool {
        switch v {
        case .list(let items):
            // One level only (a Mixture's components): lists may share themselves
            // exponentially deep, and a scan must stay O(length).
            return items.items.contains { isTracedItself($0) }
        default:
            return isTracedItself(v)
        }
    }

    private static func isTracedItself(_ v: Value) -> Bool {
        switch v {
        case .traced: return true
        case .deferred(let d): return d.isTraced
        case .distribution(let d): return d is TracedDistribution || (d as? JointDistribution)?.tape != nil
        default: return false
        }
    }

    /// The name of the first traced argument.
    var firstTraced: String? {
        zip(names, values).first { Arguments.isTraced($0.1) }?.0
    }

    /// Parameter `name` as a traced value, if it is one.
    func traced(_ name: String) -> Traced? {
        if case .traced(let t) = self[name] { return t }
        return nil
    }

    /// Parameter `name`'s tensor, traced or not.
    func anyTensor(_ name: String) throws(KLSError) -> Tensor {
        try read(name) { v, what throws(KLSError) in try Differentiation.tensor(v, what) }
    }
}

extension Interpreter {
    /// Runs a builtin whose arguments include traced values: by its derivative
    /// rule, or an error naming the builtin when it has none.
    func callDifferentiating(_ builtin: Builtin, _ arguments: inout Arguments) throws(KLSError) -> Value {
        switch builtin.derivative {
        case .elementwise(let function):
            if let fused = try Fusion.map(function, arguments["x"]) { return fused }
            try arguments.settle()
            guard let t = arguments.traced("x") else { return try builtin.body(&arguments, self) }
            return try Differentiation.elementwise(function, t)
        case .custom(let rule):
            return try rule(&arguments, self)
        case nil:
            throw KLSError(
                "grad cannot differentiate through \(builtin.name) (argument '\(arguments.firstTraced ?? "?")' "
                    + "depends on the variable being differentiated)",
                hint: "grad covers arithmetic, @, indexing, .T, the smooth element-wise builtins, the reductions and "
                    + "scans, sort, quantile, the matrix builtins, and the continuous distributions")
        }
    }
}
