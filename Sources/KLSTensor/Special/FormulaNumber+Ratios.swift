/// Ratios of two positive scales (or rates) in closed forms, keeping their
/// digits for every ratio a Double can hold. Near 1 they read t = (a − b)/b,
/// exact there, so q ≈ p loses nothing; elsewhere they read log a − log b, so
/// that a ratio of 1e-300 does not round t to −1 (log1p(−1) = −inf) and a
/// ratio beyond 1e308 does not overflow inside a logarithm. Each picks its
/// branch per element (`branches`); the branch not taken sees a harmless
/// stand-in, so a gradient through it is 0, not 0·∞.
extension FormulaNumber {
    /// `inside(x)` where `test` holds for x's plain value, else `outside(x)`,
    /// element by element: a formula with two forms written once. Only a form
    /// some element takes is computed. When the elements disagree, both are,
    /// joined by `choose`; `inside` then sees `standIn` (when given) where
    /// `outside` is taken, so it stays finite there — log1p of a huge t would be
    /// a gradient of 0·∞, not 0.
    @inlinable public static func piecewise(
        _ x: Self, _ test: (Double) -> Bool, standIn: Double? = nil,
        inside: (Self) throws(Failure) -> Self, outside: (Self) throws(Failure) -> Self
    ) throws(Failure) -> Self {
        switch branches(x, test) {
        case .all: return try inside(x)
        case .none: return try outside(x)
        case .mixed:
            let shielded = try standIn.map { c throws(Failure) in try choose(x, test, x, .constant(c)) } ?? x
            return try choose(x, test, inside(shielded), outside(x))
        }
    }

    /// Whether t = a/b − 1 is in the range where the t-forms are used.
    @inlinable public static func isNearOne(_ t: Double) -> Bool { Swift.abs(t) < 0.5 }

    /// log(a/b) for positive a and b.
    @inlinable public static func logRatio(_ a: Self, _ b: Self) throws(Failure) -> Self {
        try logRatio(a, b, t: (a - b) / b)
    }

    /// The same, given t = a/b − 1 (from an exact difference, or one the caller has).
    @inlinable public static func logRatio(_ a: Self, _ b: Self, t: Self) throws(Failure) -> Self {
        try piecewise(
            t, isNearOne, standIn: 0, inside: log1p, outside: { _ throws(Failure) in try log(a) - log(b) })
    }

    /// log(a/b) − (a/b − 1) = `log1pMinus`(a/b − 1) for positive a and b: −∞
    /// only as a/b overflows.
    @inlinable public static func log1pMinusRatio(_ a: Self, _ b: Self) throws(Failure) -> Self {
        try log1pMinusRatio(a, b, difference: a - b)
    }

    /// The same, given a − b exactly: where a and b are complements, 1 − p and
    /// 1 − q, their difference q − p is exact and (1 − p) − (1 − q) is not.
    @inlinable public static func log1pMinusRatio(_ a: Self, _ b: Self, difference: Self) throws(Failure) -> Self {
        try log1pMinusRatio(a, b, t: difference / b)
    }

    /// The same, given t = a/b − 1 (a caller that has it already saves a division).
    @inlinable public static func log1pMinusRatio(_ a: Self, _ b: Self, t: Self) throws(Failure) -> Self {
        try piecewise(
            t, isNearOne, standIn: 0, inside: log1pMinus, outside: { t throws(Failure) in try log(a) - log(b) - t })
    }

    /// log √(x² + y²) for x, y ≥ 0 not both 0, with no square overflowing or
    /// underflowing: log of the larger plus ½ log1p((smaller/larger)²).
    @inlinable public static func logHypot(_ x: Self, _ y: Self) throws(Failure) -> Self {
        let xLarger = try x - y
        let large = try choose(xLarger, { $0 >= 0 }, x, y)
        let small = try choose(xLarger, { $0 >= 0 }, y, x)
        return try log(large) + 0.5 * log1p(square(small / large))
    }
}

extension FormulaNumber {
    /// Whether u = z²/ν is small enough for log1p(u) (and z² did not overflow).
    @inlinable public static func squareFits(_ u: Double) -> Bool { u < 1e200 }

    /// log1p(z²/ν) for ν > 0 — the heavy tails' log-density term — for every z:
    /// beyond z²/ν = 1e200, where z² may overflow, as 2 log|z| − log ν + log1p(ν/z²).
    @inlinable public static func log1pSquareOver(_ z: Self, _ nu: Self) throws(Failure) -> Self {
        let u = try z * z / nu
        return try piecewise(
            u, squareFits, standIn: 0, inside: log1p,
            outside: { _ throws(Failure) in try 2 * log(abs(z)) - log(nu) + log1p(nu / (z * z)) })
    }
}
