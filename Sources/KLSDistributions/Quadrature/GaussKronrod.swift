import Foundation
import KLSDiagnostics
import KLSTensor

/// The 21-point Gauss–Kronrod rule and adaptive bisection on a finite interval,
/// after QUADPACK's QK21 and QAG (Piessens, de Doncker-Kapenga, Überhuber &
/// Kahaner, "QUADPACK: A Subroutine Package for Automatic Integration",
/// Springer 1983).
struct GaussKronrod {
    /// The integral over one interval and QUADPACK's estimate of its error.
    struct Estimate {
        var value: Double
        var error: Double
        /// ∫|f|, the scale against which rounding error is judged.
        var absolute: Double
    }

    /// Kronrod abscissae on [0, 1] (the rule is symmetric); odd indices are the
    /// 10-point Gauss nodes.
    static let nodes: [Double] = [
        0.995657163025808080735527280689003, 0.973906528517171720077964012084452,
        0.930157491355708226001207180059508, 0.865063366688984510732096688423493,
        0.780817726586416897063717578345042, 0.679409568299024406234327365114874,
        0.562757134668604683339000099272694, 0.433395394129247190799265943165784,
        0.294392862701460198131126603103866, 0.148874338981631210884826001129720, 0,
    ]
    static let kronrodWeights: [Double] = [
        0.011694638867371874278064396062192, 0.032558162307964727478818972459390,
        0.054755896574351996031381300244580, 0.075039674810919952767043140916190,
        0.093125454583697605535065465083366, 0.109387158802297641899210590325805,
        0.123491976262065851077208932610211, 0.134709217311473325928054001771707,
        0.142775938577060080797094273138717, 0.147739104901338491374841515972068,
        0.149445554002916905664936468389821,
    ]
    /// Gauss weights for nodes 1, 3, 5, 7 and 9.
    static let gaussWeights: [Double] = [
        0.066671344308688137593568809893332, 0.149451349150580593145776339657697,
        0.219086362515982043995534934228163, 0.269266719309996355091226921569469,
        0.295524224714752870173892994651338,
    ]

    /// The integrand; throws to stop (cancellation, an invalid value).
    let f: (Double) throws(KLSError) -> Double
    /// Evaluations so far.
    private(set) var evaluations = 0

    init(_ f: @escaping (Double) throws(KLSError) -> Double) {
        self.f = f
    }

    /// QK21 on [lo, hi], with QUADPACK's error estimate: |K21 − G10| scaled by
    /// (200·err/∫|f − mean|)^1.5, and never below 50ε·∫|f|.
    mutating func rule(_ lo: Double, _ hi: Double) throws(KLSError) -> Estimate {
        let center = 0.5 * (lo + hi)
        let half = 0.5 * (hi - lo)
        var values = [Double](repeating: 0, count: 21)
        for (i, node) in Self.nodes.enumerated() {
            if node == 0 {
                values[20] = try f(center)
            } else {
                values[2 * i] = try f(center - half * node)
                values[2 * i + 1] = try f(center + half * node)
            }
        }
        evaluations += 21
        var kronrod = Self.kronrodWeights[10] * values[20]
        var gauss = 0.0
        var absolute = Self.kronrodWeights[10] * Swift.abs(values[20])
        for i in 0..<10 {
            let pair = values[2 * i] + values[2 * i + 1]
            kronrod += Self.kronrodWeights[i] * pair
            absolute += Self.kronrodWeights[i] * (Swift.abs(values[2 * i]) + Swift.abs(values[2 * i + 1]))
            if i % 2 == 1 { gauss += Self.gaussWeights[i / 2] * pair }
        }
        let mean = 0.5 * kronrod
        var spread = Self.kronrodWeights[10] * Swift.abs(values[20] - mean)
        for i in 0..<10 {
            spread += Self.kronrodWeights[i] * (Swift.abs(values[2 * i] - mean) + Swift.abs(values[2 * i + 1] - mean))
        }
        let width = Swift.abs(half)
        var error = Swift.abs((kronrod - gauss) * half)
        spread *= width
        if spread != 0 && error != 0 { error = spread * Swift.min(1, Foundation.pow(200 * error / spread, 1.5)) }
        absolute *= width
        if absolute > Double.leastNormalMagnitude / (50 * Double.ulpOfOne) {
            error = Swift.max(50 * Double.ulpOfOne * absolute, error)
        }
        return Estimate(value: kronrod * half, error: error, absolute: absolute)
    }

    /// QAG over several intervals at once: bisects the piece with the largest
    /// error until the errors sum below `tolerance(value)` or there are `limit`
    /// pieces; returns the sum. A non-finite piece ends the work at once (the
    /// caller decides what it means).
    mutating func adaptive(
        _ intervals: [(lo: Double, hi: Double)], limit: Int = 200, tolerance: (Double) -> Double
    ) throws(KLSError) -> Estimate {
        var pieces: [(lo: Double, hi: Double, estimate: Estimate)] = []
        for interval in intervals {
            pieces.append((interval.lo, interval.hi, try rule(interval.lo, interval.hi)))
        }
        while pieces.count < limit {
            try Cancellation.check()
            let total = Self.total(pieces.map(\.estimate))
            if !total.value.isFinite || total.error <= tolerance(total.value) { return total }
            guard let worst = pieces.indices.max(by: { pieces[$0].estimate.error < pieces[$1].estimate.error })
            else { break }
            let piece = pieces[worst]
            let middle = 0.5 * (piece.lo + piece.hi)
            // Bisection has reached the resolution of doubles: nothing more to gain here.
            guard middle > Swift.min(piece.lo, piece.hi), middle < Swift.max(piece.lo, piece.hi) else { break }
            pieces[worst] = (piece.lo, middle, try rule(piece.lo, middle))
            pieces.append((middle, piece.hi, try rule(middle, piece.hi)))
        }
        return Self.total(pieces.map(\.estimate))
    }

    /// The sum of estimates.
    static func total(_ estimates: [Estimate]) -> Estimate {
        var sum = Estimate(value: 0, error: 0, absolute: 0)
        for e in estimates {
            sum.value += e.value
            sum.error += e.error
            sum.absolute += e.absolute
        }
        return sum
    }
}
