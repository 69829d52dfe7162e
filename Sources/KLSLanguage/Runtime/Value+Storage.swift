import KLSDiagnostics
import KLSTensor

/// A string value. One that is large enough to matter carries a `MemoryCharge`,
/// so strings count toward `KLS_MAX_MEMORY` for as long as they live.
public struct Text: Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// Strings below this many bytes are not charged: they are bounded by the
    /// source text or by a display, and charging them would cost more than they do.
    static let chargedFrom = 4096

    /// The characters.
    public let string: String
    let charge: MemoryCharge?

    /// A string that may be large (a concatenation): charged, or refused when it
    /// does not fit under the limit.
    public init(_ string: String) throws(KLSError) {
        let bytes = string.utf8.count
        charge = bytes < Text.chargedFrom ? nil : try MemoryCharge(bytes: bytes, what: "a string of \(bytes) bytes")
        self.string = string
    }

    /// A string known to be small or already accounted for (a name, a message, a
    /// slice of a charged string).
    public init(small string: String) {
        self.string = string
        charge = nil
    }

    public init(stringLiteral value: String) {
        self.init(small: value)
    }

    public var description: String { string }
}

/// A list value: items of any kind in order. A long list carries a charge for
/// its item slots (the items themselves are charged on their own), so lists
/// count toward `KLS_MAX_MEMORY` too.
public struct List: RandomAccessCollection, Sendable, ExpressibleByArrayLiteral {
    /// Lists below this many items are not charged.
    static let chargedFrom = 256

    /// The deepest nesting of lists in lists accepted. Comparing, displaying and
    /// freeing a list recurse once per level, so deeper lists are refused where
    /// they are made (as expression trees are by the parser).
    public static let maximumDepth = 10_000

    /// The items.
    public let items: [Value]
    /// 1 for a list of non-lists, 1 + the deepest item list otherwise.
    public let depth: Int
    let charge: MemoryCharge?

    /// A list that may be long or deep: charged, or refused when it does not fit
    /// or nests deeper than `maximumDepth`.
    public init(_ items: [Value]) throws(KLSError) {
        depth = List.depth(of: items)
        guard depth <= List.maximumDepth else {
            throw KLSError("lists nested too deeply (over \(List.maximumDepth) levels)", kind: .resource)
        }
        let bytes = items.count * MemoryLayout<Value>.stride
        charge =
            items.count < List.chargedFrom
            ? nil : try MemoryCharge(bytes: bytes, what: "a list of \(items.count) items")
        self.items = items
    }

    /// A list known to be short and shallow (a literal, a distribution's components).
    public init(small items: [Value]) {
        self.items = items
        depth = List.depth(of: items)
        charge = nil
    }

    static func depth(of items: [Value]) -> Int {
        var deepest = 0
        for case .list(let inner) in items { deepest = Swift.max(deepest, inner.depth) }
        return deepest + 1
    }

    public init(arrayLiteral elements: Value...) {
        self.init(small: elements)
    }

    public var startIndex: Int { items.startIndex }
    public var endIndex: Int { items.endIndex }
    public subscript(position: Int) -> Value { items[position] }
}
