import KLSDistributions
import KLSGradient
import KLSTensor

/// A kls value (language.md §2).
///
/// Scalars are `.number`; a rank-0 tensor behaves like a number everywhere.
/// Comparisons of two scalars give `.bool`; with a tensor operand they give a
/// tensor of 0/1 (NumPy).
public enum Value: @unchecked Sendable {
    case number(Double)
    case bool(Bool)
    case string(Text)
    case none
    case tensor(Tensor)
    case list(List)
    case record(Record)
    case function(Function)
    case distribution(any Distribution)
    /// A tensor inside `grad`: its value and its place on the gradient tape.
    case traced(Traced)
    /// A large tensor not computed yet (`DeferredTensor`): the element-wise
    /// operations that make it, evaluated block by block when it is needed.
    /// Every reader that is not an element-wise operation, a fusable reduction
    /// or a matrix product computes it (`Value.settled`).
    case deferred(DeferredTensor)

    /// The kind's name as users see it in messages and `:vars`.
    public var typeName: String {
        switch self {
        case .number: return "number"
        case .bool: return "bool"
        case .string: return "string"
        case .none: return "none"
        case .tensor: return "tensor"
        case .list: return "list"
        case .record(let r): return r.kind
        case .function: return "function"
        case .distribution: return "distribution"
        case .traced, .deferred: return "tensor"
        }
    }

    /// A tensor result, collapsed to a number when it has rank 0.
    public static func from(_ tensor: Tensor) -> Value {
        if tensor.rank == 0, let v = tensor.scalarValue { return .number(v) }
        return .tensor(tensor)
    }
}

/// Named fields in order, such as a Monte Carlo estimate. `kind` names what the
/// record is (`record`, `estimate`, …) so the display can choose a layout.
public final class Record: @unchecked Sendable {
    /// What the record represents, e.g. `estimate`.
    public let kind: String
    /// Field names in display order.
    public let names: [String]
    /// Field values, parallel to `names`.
    public let values: [Value]

    /// Creates a record from ordered fields.
    public init(kind: String = "record", _ fields: [(String, Value)]) {
        self.kind = kind
        self.names = fields.map(\.0)
        self.values = fields.map(\.1)
    }

    /// The value of field `name`, if present.
    public subscript(name: String) -> Value? {
        names.firstIndex(of: name).map { values[$0] }
    }
}

/// A callable value: a builtin from the registry, or a user function or lambda
/// with the frame it closes over.
public final class Function: @unchecked Sendable {
    /// What the function runs.
    public enum Body {
        case builtin(Builtin)
        case user(UserFunction)
    }

    /// What the function runs.
    public let body: Body
    /// The user function `body` holds, read by calls without copying `body`
    /// (a builtin's payload is a dozen references, so a copy of the enum costs
    /// a call to an outlined copy even when it holds a user function).
    let user: UserFunction?

    /// Wraps a body.
    public init(_ body: Body) {
        self.body = body
        if case .user(let user) = body { self.user = user } else { self.user = nil }
    }

    /// The name for display, or nil for a lambda.
    public var name: String? {
        switch body {
        case .builtin(let b): return b.name
        case .user(let u): return u.name
        }
    }

    /// `f(x, y=1)` as written.
    public var signature: String {
        switch body {
        case .builtin(let b): return b.signature
        case .user(let u): return "\(u.name ?? "")(\(u.parameterList))"
        }
    }
}
