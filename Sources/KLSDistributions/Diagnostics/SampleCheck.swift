import Foundation
import KLSDiagnostics
import KLSTensor

/// Does a set of draws look like it came from a distribution? Per coordinate:
/// z-scores of the sample mean and standard deviation against the
/// distribution's, and a Kolmogorov–Smirnov test against its marginal CDF.
public struct SampleCheck: Sendable {
    /// Per coordinate (flattened batch × event).
    public let meanZ: [Double], stdRatio: [Double], stdZ: [Double]
    /// Largest KS distance over the coordinates, and its p-value (nil when the
    /// distribution is discrete or has no marginal CDF).
    public let ksStatistic: Double?, ksPValue: Double?
    /// True when nothing is significant at |z| < 4.5 and KS p ≥ 0.001 / coordinates.
    public let ok: Bool
    /// The finding in plain words.
    public let verdict: String
    /// Draws per coordinate.
    public let n: Int

    /// |z| beyond which a moment counts as off.
    public static let zLimit = 4.5

    /// Checks `z` (leading sample axis, then the distribution's batch and event).
    public init(_ z: Tensor, _ d: any Distribution) throws(KLSError) {
        let shape = d.batchShape + d.eventShape
        guard z.rank == shape.count + 1, Array(z.shape.dropFirst()) == shape else {
            throw KLSError(DistributionError.checkShape(z.shape, family: d.family, draws: shape))
        }
        let n = z.shape[0]
        let m = Swift.max(1, shape.reduce(1, *))
        guard n >= 2 else { throw KLSError("check: needs at least 2 samples, got \(n)") }
        let mean = try d.mean()
        let variance = try d.variance()
        var meanZ: [Double] = []
        var ratios: [Double] = []
        var stdZ: [Double] = []
        var column = [Double](repeating: 0, count: n)
        var worstKS = 0.0
        var worstKSCoordinate = 0
        let cdfs = Marginals(d)
        for j in 0..<m {
            for s in 0..<n { column[s] = z[flat: s * m + j] }
            let moments = column.withUnsafeBufferPointer { b in b.baseAddress.map { Moments($0, n) } ?? Moments() }
            let mu = mean[flat: j]
            let sigma = variance[flat: j].squareRoot()
            meanZ.append((moments.mean - mu) / (sigma / Double(n).squareRoot()))
            let sampleStd = moments.variance.squareRoot()
            ratios.append(sampleStd / sigma)
            stdZ.append((sampleStd - sigma) / (sigma / (2 * Double(n - 1)).squareRoot()))
            if let cdf = cdfs?.cdf(coordinate: j) {
                column.sort()
                var distance = 0.0
                for (i, x) in column.enumerated() {
                    let f = cdf(x)
                    distance = Swift.max(distance, Double(i + 1) / Double(n) - f, f - Double(i) / Double(n))
                }
                if distance > worstKS {
                    worstKS = distance
                    worstKSCoordinate = j
                }
            }
        }
        self.n = n
        self.meanZ = meanZ
        self.stdRatio = ratios
        self.stdZ = stdZ
        ksStatistic = cdfs == nil ? nil : worstKS
        ksPValue = cdfs == nil ? nil : SampleCheck.kolmogorovPValue(worstKS, n: n)
        let (ok, verdict) = SampleCheck.judge(
            meanZ: meanZ, ratios: ratios, stdZ: stdZ, ks: ksPValue, ksCoordinate: worstKSCoordinate,
            coordinates: m, n: n, family: d.family)
        self.ok = ok
        self.verdict = verdict
    }

    static func judge(
        meanZ: [Double], ratios: [Double], stdZ: [Double], ks: Double?, ksCoordinate: Int,
        coordinates m: Int, n: Int, family: String
    ) -> (Bool, String) {
        let worstMean =
            meanZ.indices.max { Swift.abs(meanZ[$0]).nanToInfinity < Swift.abs(meanZ[$1]).nanToInfinity } ?? 0
        let worstStd = stdZ.indices.max { Swift.abs(stdZ[$0]).nanToInfinity < Swift.abs(stdZ[$1]).nanToInfinity } ?? 0
        let coordinateNote = { (j: Int) in m > 1 ? " (coordinate \(j))" : "" }
        let stdOff = Swift.abs(stdZ[worstStd]).nanToInfinity >= zLimit
        let meanOff = Swift.abs(meanZ[worstMean]).nanToInfinity >= zLimit
        if stdOff && (!meanOff || Swift.abs(stdZ[worstStd]) >= Swift.abs(meanZ[worstMean])) {
            return (
                false,
                "std is \(String(format: "%.2g", ratios[worstStd]))× what \(family) implies\(coordinateNote(worstStd))"
            )
        }
        if meanOff {
            return (
                false,
                SampleCheck.meanVerdict(meanZ[worstMean], family: family) + coordinateNote(worstMean)
            )
        }
        if let ks, ks < 1e-3 / Double(m) {
            return (
                false,
                "the spread of values does not follow \(family) (Kolmogorov–Smirnov p = \(format(ks))"
                    + "\(coordinateNote(ksCoordinate)))"
            )
        }
        return (
            true,
            SampleCheck.consistentVerdict(
                family: family, n: n, largest: Swift.max(Swift.abs(meanZ[worstMean]), Swift.abs(stdZ[worstStd])))
        )
    }

    static func format(_ x: Double) -> String { String(format: "%.3g", x) }

    /// "mean is 4.7 standard errors above what Normal implies".
    static func meanVerdict(_ z: Double, family: String) -> String {
        "mean is \(format(Swift.abs(z))) standard errors \(z > 0 ? "above" : "below") what \(family) implies"
    }

    static func consistentVerdict(family: String, n: Int, largest z: Double) -> String {
        "consistent with draws from \(family) (n = \(n), largest |z| = \(format(z)))"
    }

    /// P(D > d) for the one-sample KS statistic, by the asymptotic Kolmogorov
    /// series with Stephens' finite-n correction (Numerical Recipes §14.3).
    public static func kolmogorovPValue(_ d: Double, n: Int) -> Double {
        let root = Double(n).squareRoot()
        let lambda = (root + 0.12 + 0.11 / root) * d
        if lambda < 0.2 { return 1 }
        var sum = 0.0
        var sign = 1.0
        for j in 1...100 {
            let term = sign * 2 * Foundation.exp(-2 * Double(j * j) * lambda * lambda)
            sum += term
            if Swift.abs(term) < 1e-16 { break }
            sign = -sign
        }
        return Swift.min(1, Swift.max(0, sum))
    }
}

extension Double {
    var nanToInfinity: Double { isNaN ? .infinity : self }
}

/// Marginal CDFs of each coordinate (flattened batch × event), where known.
struct Marginals {
    let cdf: (Int) -> ((Double) -> Double)?

    init?(_ d: any Distribution) {
        if d.isDiscrete { return nil }
        if let m = d as? MvNormal {
            let k = m.dimension
            cdf = { j in
                let mu = m.means[flat: j]
                let sigma = m.covariances[flat: j * k + j % k].squareRoot()
                return { SpecialFunctions.normalCDF(($0 - mu) / sigma) }
            }
            return
        }
        if let i = d as? Independent {
            guard let inner = Marginals(i.base) else { return nil }
            cdf = inner.cdf
            return
        }
        guard d.eventShape.isEmpty else { return nil }
        // A scalar family (or mixture of them): evaluate its cdf at one coordinate.
        cdf = { j in
            { x in
                guard let full = try? d.cdf(Tensor(repeating: x, shape: d.batchShape)) else { return .nan }
                return full[flat: j]
            }
        }
    }

    func cdf(coordinate j: Int) -> ((Double) -> Double)? { cdf(j) }
}
