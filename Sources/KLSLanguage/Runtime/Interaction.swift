import Foundation
import KLSDiagnostics

/// One control of `interact`: a slider over numbers, a choice among strings,
/// or a true/false toggle, with the value it starts at.
public struct Control {
    public enum Kind {
        case slider(low: Double, high: Double, step: Double)
        case choice([String])
        case toggle
    }

    public let name: String
    public let kind: Kind
    public let start: Value

    /// The control `value` (an argument of interact) describes, as ipywidgets'
    /// `interact` reads its abbreviations: `(low, high[, step[, start]])` a
    /// slider starting in the middle (on a step), a list of strings a choice
    /// starting at the first, a bool a toggle, a lone number v a slider over
    /// −v…3v (0…1 for 0) starting at v.
    public init(name: String, from value: Value) throws(KLSError) {
        self.name = name
        let what = "interact: \(name)"
        switch value {
        case .bool(let b):
            (kind, start) = (.toggle, .bool(b))
        case .number(let v):
            guard v.isFinite else { throw KLSError("\(what) must be finite, got \(Formatter.number(v))") }
            let (low, high) = v > 0 ? (-v, 3 * v) : v < 0 ? (3 * v, -v) : (0.0, 1.0)
            let step = Control.defaultStep(low, high)
            (kind, start) = (.slider(low: low, high: high, step: step), .number(v))
        case .list(let items) where items.items.allSatisfy({ if case .string = $0 { true } else { false } }):
            let options = try items.items.map { v throws(KLSError) in try v.asString(what) }
            guard let first = options.first else { throw KLSError("\(what): a choice needs at least one option") }
            (kind, start) = (.choice(options), .string(Text(small: first)))
        default:
            let numbers = try value.asTensor(what).values
            guard numbers.count >= 2, numbers.count <= 4 else {
                throw KLSError(
                    "\(what) must be (low, high), (low, high, step) or (low, high, step, start), a list of "
                        + "strings or true/false; got \(numbers.count) number\(numbers.count == 1 ? "" : "s")")
            }
            let (low, high) = (numbers[0], numbers[1])
            guard low.isFinite, high.isFinite, low < high else {
                throw KLSError(
                    "\(what): low must be below high, got (\(Formatter.number(low)), \(Formatter.number(high)))")
            }
            let step = numbers.count > 2 ? numbers[2] : Control.defaultStep(low, high)
            guard step > 0, step.isFinite, step <= high - low else {
                throw KLSError("\(what): step must be above 0 and at most high − low, got \(Formatter.number(step))")
            }
            var first = low + (high - low) / 2
            if numbers.count > 3 {
                first = numbers[3]
                guard first >= low, first <= high else {
                    throw KLSError(
                        "\(what): start \(Formatter.number(first)) is outside \(Formatter.number(low))…"
                            + Formatter.number(high))
                }
            }
            kind = .slider(low: low, high: high, step: step)
            // On a step from low, as ipywidgets puts it (rounded down).
            start = .number(Control.snapped(first, low: low, high: high, step: step, down: true))
        }
    }

    /// A round step (1, 2 or 5 × 10ᵏ) giving 40 to 100 positions over low…high.
    static func defaultStep(_ low: Double, _ high: Double) -> Double {
        let raw = (high - low) / 100
        let magnitude = Foundation.pow(10, Foundation.floor(Foundation.log10(raw)))
        return [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
    }

    /// `value` on the step grid from low, within low…high, without the float
    /// noise of low + k·step (0.30000000000000004 → 0.3).
    static func snapped(_ value: Double, low: Double, high: Double, step: Double, down: Bool = false) -> Double {
        let ticks = (value - low) / step
        let tick = down ? Foundation.floor(ticks + 1e-9) : ticks.rounded()
        let raw = Swift.min(high, Swift.max(low, low + tick * step))
        let decimals = Checked.clamped(Foundation.ceil(-Foundation.log10(step)) + 2, to: 0...15)
        let scale = Foundation.pow(10, Double(decimals))
        let clean = (raw * scale).rounded() / scale
        return clean.isFinite ? clean : raw
    }

    /// The value `steps` positions from `value` (within the range; a choice
    /// moves through its options, a toggle flips).
    public func moved(_ value: Value, by steps: Int) -> Value {
        switch (kind, value) {
        case (.slider(let low, let high, let step), .number(let v)):
            return .number(Control.snapped(v + Double(steps) * step, low: low, high: high, step: step))
        case (.choice(let options), .string(let s)):
            let i = options.firstIndex(of: s.description) ?? 0
            return .string(Text(small: options[Swift.min(options.count - 1, Swift.max(0, i + steps))]))
        case (.toggle, .bool(let b)):
            return steps == 0 ? value : .bool(!b)
        default:
            return value
        }
    }

    /// A value from outside (a notebook's widget) made valid: a number snapped
    /// to the slider, an option of the choice, a bool.
    public func accepting(_ value: Value) throws(KLSError) -> Value {
        switch (kind, value) {
        case (.slider(let low, let high, let step), .number(let v)) where v.isFinite:
            return .number(Control.snapped(v, low: low, high: high, step: step))
        case (.choice(let options), .string(let s)) where options.contains(s.description):
            return value
        case (.toggle, .bool):
            return value
        default:
            throw KLSError("interact: \(value.typeName) is not a value of the control \(name)")
        }
    }
}

/// A call of `interact`: its controls, and how to show f's output at chosen
/// values (through the session's environment, whatever that is at the time).
public final class Interaction {
    /// The function's name, for headers.
    public let label: String
    public let controls: [Control]
    private let render: ([Value]) throws(KLSError) -> Void

    init(label: String, controls: [Control], render: @escaping ([Value]) throws(KLSError) -> Void) {
        self.label = label
        self.controls = controls
        self.render = render
    }

    /// Calls f with `values` (one per control) and shows what it returns.
    public func show(_ values: [Value]) throws(KLSError) {
        try render(values)
    }
}
