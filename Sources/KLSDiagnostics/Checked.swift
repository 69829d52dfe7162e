/// The one place where a user's number becomes an `Int`, and where sizes are
/// multiplied: every count, length, bin, index, extent and command argument goes
/// through here, so no conversion or product can trap on user input.
public enum Checked {
    /// The largest magnitude below which every integer is exactly a Double (2^53).
    public static let exactIntegerLimit = 9_007_199_254_740_992.0

    /// `value` as an `Int` when it is a whole number of magnitude below 2^53 (where
    /// doubles still count one by one); nil for fractions, ±inf, nan and larger
    /// magnitudes. Callers turn nil into an error that names the value.
    public static func wholeNumber(_ value: Double) -> Int? {
        guard value.isFinite, value == value.rounded(), Swift.abs(value) < exactIntegerLimit else { return nil }
        return Int(value)
    }

    /// `value` rounded to the nearest whole number and clamped into `range`, for
    /// positions computed from data (a plot's cells, a histogram's bins): nan goes
    /// to the lower bound, ±inf to the ends. Never traps.
    public static func clamped(_ value: Double, to range: ClosedRange<Int>) -> Int {
        guard !value.isNaN else { return range.lowerBound }
        let rounded = value.rounded()
        if rounded <= Double(range.lowerBound) { return range.lowerBound }
        if rounded >= Double(range.upperBound) { return range.upperBound }
        return Int(rounded)
    }

    /// The product of sizes, or a resource error naming `what` when it overflows.
    public static func product(_ factors: [Int], what: @autoclosure () -> String) throws(KLSError) -> Int {
        var total = 1
        for factor in factors {
            guard factor >= 0 else { throw KLSError("\(what()) has a negative size \(factor)") }
            let (next, overflow) = total.multipliedReportingOverflow(by: factor)
            if overflow { throw KLSError("\(what()) has too many elements", kind: .resource) }
            total = next
        }
        return total
    }

    /// The sum of two sizes, or a resource error naming `what` when it overflows.
    public static func sum(_ a: Int, _ b: Int, what: @autoclosure () -> String) throws(KLSError) -> Int {
        let (total, overflow) = a.addingReportingOverflow(b)
        if overflow { throw KLSError("\(what()) has too many elements", kind: .resource) }
        return total
    }
}
