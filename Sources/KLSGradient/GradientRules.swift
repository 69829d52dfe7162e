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
}
