import KLSTensor

/// What goes wrong with joints, each naming the layer.
enum JointMessages {
    static func badLayer(_ name: String, got: String) -> String {
        "joint: layer '\(name)' must be a distribution or a function of earlier layers returning one, got \(got)"
    }

    static func builtinLayer(_ name: String) -> String {
        "joint: layer '\(name)' is a builtin; a layer's function must be a lambda or a function whose parameters "
            + "name earlier layers"
    }

    static func unknownParent(_ name: String, _ parameter: String, earlier: [String]) -> String {
        let known = earlier.isEmpty ? "there are none before it" : "earlier layers: \(earlier.joined(separator: ", "))"
        return "joint: layer '\(name)' takes '\(parameter)', which names no earlier layer (\(known)); a layer may "
            + "depend only on the layers before it"
    }

    static func notADistribution(_ name: String, got: String) -> String {
        "joint: layer '\(name)' must return a distribution, got \(got)"
    }

    static func unstableShape(_ name: String, _ a: [Int], _ b: [Int]) -> String {
        "joint: layer '\(name)' returned draws of shape \(Shape.describe(a)) for 2 rows of its parents and "
            + "\(Shape.describe(b)) for 3: it must give [rows] + one shape, or one shape for every row"
    }

    static func shapeChanged(_ name: String, expected: [Int], got: [Int]) -> String {
        "joint: layer '\(name)' changed shape: expected draws of shape \(Shape.describe(expected)), got "
            + Shape.describe(got)
    }

    static func flatShape(_ width: Int, got: [Int]) -> String {
        "joint: a draw must be a record of layers (or a flat [\(width)] / [n, \(width)] tensor), got shape "
            + Shape.describe(got)
    }

    static func noClosedForm(_ what: String) -> String {
        "joint: \(what) has no closed form for a joint; estimate it from draws, e.g. -mean(logpdf(q, sample(q, n)))"
    }
}
