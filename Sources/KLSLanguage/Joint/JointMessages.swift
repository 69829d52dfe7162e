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

    static func flatShape(_ shape: [Int], got: [Int]) -> String {
        "joint: a draw must be a record of layers (or a flat \(Shape.describe(shape)) / [n] + that tensor), got "
            + "shape \(Shape.describe(got))"
    }

    static func batchClash(_ name: String, _ batch: [Int], _ other: String, _ otherBatch: [Int]) -> String {
        "joint: layer '\(name)' has batch \(Shape.describe(batch)), which does not broadcast with layer "
            + "'\(other)''s batch \(Shape.describe(otherBatch)); a joint's layers share one batch (one per data point)"
    }

    static func layerBatch(_ name: String, got: [Int], batch: [Int]) -> String {
        "joint: layer '\(name)' gives log-densities of batch \(Shape.describe(got)), which does not broadcast "
            + "with the batch \(Shape.describe(batch))"
    }

    static func pairBatch(_ qName: String, _ qBatch: [Int], _ pName: String, _ pBatch: [Int]) -> String {
        "q and p have batches that do not broadcast: q's layer '\(qName)' has batch \(Shape.describe(qBatch)), "
            + "p's layer '\(pName)' has \(Shape.describe(pBatch))"
    }

    static func differentLayers(q: [String], p: [String]) -> String {
        let missing = q.filter { !p.contains($0) }
        let extra = p.filter { !q.contains($0) }
        var parts: [String] = []
        if !missing.isEmpty { parts.append("p has no layer \(missing.map { "'\($0)'" }.joined(separator: ", "))") }
        if !extra.isEmpty { parts.append("q has no layer \(extra.map { "'\($0)'" }.joined(separator: ", "))") }
        return "q and p must have the same layers (in any order): q has \(q.joined(separator: ", ")), p has "
            + "\(p.joined(separator: ", ")); \(parts.joined(separator: "; "))"
    }

    static func differentEvents(_ name: String, q: [Int], p: [Int]) -> String {
        "q and p disagree on layer '\(name)': q's draws have event shape \(Shape.describe(q)), p's "
            + Shape.describe(p)
    }

    static func noClosedForm(_ what: String) -> String {
        "joint: \(what) has no closed form for a joint; estimate it from draws, e.g. -mean(logpdf(q, sample(q, n)))"
    }
}
