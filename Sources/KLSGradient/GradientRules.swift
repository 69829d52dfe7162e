import KLSDiagnostics
import KLSTensor

/// The rules every derivative shares, on plain tensors.
package enum GradientRules {
    /// `g` summed down to `shape`: the gradient of an operand that was broadcast to g's shape.
    package static func unbroadcast(_ g: Tensor, to shape: [Int]) throws(KLSError) -> Tensor {
        guard g.shape != shape else { return g }
        let extra = g.rank - shape.count
        var axes = Array(0..<extra)
        for (k, extent) in shape.enumerated() where extent == 1 && g.shape[extra + k] != 1 { axes.append(extra + k) }
        let summed = axes.isEmpty ? g : try g.reduce(.sum, axes: axes, keepdims: true)
        return try summed.reshaped(shape)
    }

    /// `g` (the gradient of a reduction over `axes` of `shape`, the axes
    /// dropped) spread back over `shape`.
    package static func expand(_ g: Tensor, over axes: [Int]?, of shape: [Int]) throws(KLSError) -> Tensor {
        let rank = shape.count
        var kept = shape
        for a in axes ?? Array(0..<rank) { kept[try Shape.normalize(axis: a, rank: rank)] = 1 }
        return try g.reshaped(kept).broadcast(to: shape)
    }
}
