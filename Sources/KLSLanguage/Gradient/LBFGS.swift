import Foundation
import KLSDiagnostics

/// Limited-memory BFGS (Nocedal & Wright, Algorithm 7.4 and 7.5) with a
/// backtracking line search on the Armijo condition, for a smooth function of
/// a few hundred variables at most. Deterministic functions only: `fit` holds
/// its draws fixed (common random numbers), so each start converges to an
/// optimum of the same function.
struct LBFGS {
    /// How many curvature pairs it remembers.
    var memory = 10
    var maximumIterations = 500
    /// Stop when every gradient component is at most this times max(1, |f|).
    var gradientTolerance = 1e-9

    struct Result {
        var x: [Double]
        var value: Double
        var iterations: Int
    }

    /// Minimises `f` from `start`; `f` returns the value and the gradient. A
    /// trial point where f is not finite, or throws, counts as a failed step
    /// (halved); an error at the start is f's own and is thrown.
    func minimize(
        from start: [Double], _ f: ([Double]) throws(KLSError) -> (Double, [Double])
    ) throws(KLSError) -> Result {
        var x = start
        var (value, gradient) = try f(x)
        var history: [(s: [Double], y: [Double], rho: Double)] = []
        var iteration = 0
        while iteration < maximumIterations, value.isFinite {
            iteration += 1
            if gradient.allSatisfy({ Swift.abs($0) <= gradientTolerance * Swift.max(1, Swift.abs(value)) }) { break }
            var direction = searchDirection(gradient, history)
            var slope = dot(direction, gradient)
            if !(slope < 0) {
                // Not a descent direction (curvature lost to rounding): start over downhill.
                (history, direction) = ([], gradient.map { -$0 })
                slope = dot(direction, gradient)
            }
            var step = history.isEmpty ? Swift.min(1, 1 / Swift.max(norm(gradient), 1e-300)) : 1.0
            var accepted: (x: [Double], value: Double, gradient: [Double])?
            for _ in 0..<40 {
                let trial = zip(x, direction).map { $0 + step * $1 }
                // A trial point f refuses (a parameter overflowing its family's
                // range) is a failed step like a non-finite value; Ctrl-C is not.
                let (trialValue, trialGradient): (Double, [Double])
                do {
                    (trialValue, trialGradient) = try f(trial)
                } catch  where error.kind != .interrupted {
                    (trialValue, trialGradient) = (.nan, [])
                }
                if trialValue.isFinite && trialValue <= value + 1e-4 * step * slope {
                    accepted = (trial, trialValue, trialGradient)
                    break
                }
                step *= 0.5
            }
            guard let next = accepted else { break }
            let s = zip(next.x, x).map { $0 - $1 }
            let y = zip(next.gradient, gradient).map { $0 - $1 }
            let curvature = dot(s, y)
            if curvature > 1e-12 * norm(s) * norm(y) {
                history.append((s, y, 1 / curvature))
                if history.count > memory { history.removeFirst() }
            }
            let decrease = value - next.value
            (x, value, gradient) = (next.x, next.value, next.gradient)
            if decrease <= 1e-15 * Swift.max(1, Swift.abs(value)) { break }
        }
        return Result(x: x, value: value, iterations: iteration)
    }

    /// −H·g by the two-loop recursion, H scaled by the last pair's sᵀy/yᵀy.
    private func searchDirection(_ gradient: [Double], _ history: [(s: [Double], y: [Double], rho: Double)])
        -> [Double]
    {
        var q = gradient
        var alphas = [Double](repeating: 0, count: history.count)
        for i in history.indices.reversed() {
            alphas[i] = history[i].rho * dot(history[i].s, q)
            for k in q.indices { q[k] -= alphas[i] * history[i].y[k] }
        }
        if let last = history.last {
            let scale = dot(last.s, last.y) / Swift.max(dot(last.y, last.y), 1e-300)
            for k in q.indices { q[k] *= scale }
        }
        for i in history.indices {
            let beta = history[i].rho * dot(history[i].y, q)
            for k in q.indices { q[k] += (alphas[i] - beta) * history[i].s[k] }
        }
        return q.map { -$0 }
    }

    private func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
    private func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }
}
