import KLSDiagnostics
import KLSTensor

/// A variable found by name where it lives: a slot of this function's frame or
/// an enclosing one, or a global.
struct VariableReference {
    let depth: Int
    let slot: Int
    let global: UnsafeMutablePointer<Value?>?

    func load(_ frame: Frame) -> Value? {
        if let global { return global.pointee }
        return frame.ancestor(depth).slots[slot]
    }

    func store(_ frame: Frame, _ value: Value?) {
        if let global {
            global.pointee = value
        } else {
            frame.ancestor(depth).slots[slot] = value
        }
    }
}

extension Compiler {
    /// The variable `name` as reads see it: the innermost function assigning it,
    /// else a global.
    func reference(_ name: String) throws(KLSError) -> VariableReference {
        var depth = 0
        var current = scope
        while let s = current {
            if let slot = s.slots[name] { return VariableReference(depth: depth, slot: slot, global: nil) }
            depth += 1
            current = s.parent
        }
        let slot = try interpreter.globals.slot(name)
        return VariableReference(depth: 0, slot: -1, global: interpreter.globals.values + slot)
    }

    /// `name[components] = value`. The value and the indices are evaluated first
    /// (so `x[i] += 1` and `x[0] = x[1]` read the old tensor), then the variable's
    /// tensor is taken out of its slot, changed in place when nothing else holds
    /// it, and put back: filling a tensor element by element is linear.
    mutating func indexAssignment(
        _ name: String, _ components: [IndexExpr], _ value: Expr, range: SourceRange, returning: Bool
    ) throws(KLSError) -> Code {
        let variable = try reference(name)
        let compute = try compile(value)
        let resolve = try indexComponents(components, range: range)
        return { frame throws(KLSError) in
            let new = try compute(frame)
            let resolved = try resolve(frame)
            guard var current = variable.load(frame) else {
                throw KLSError("unknown name '\(name)'", range: range)
            }
            if case .deferred = current { current = try at(range) { () throws(KLSError) in try current.settled() } }
            if case .tensor(var tensor) = current {
                // Drop every other reference first, so that a tensor only this
                // variable holds is changed in place.
                current = .none
                variable.store(frame, Value.none)
                do throws(KLSError) {
                    if case .number(let x) = new {
                        try tensor.assign(resolved, scalar: x)
                    } else {
                        try tensor.assign(resolved, try new.asTensor("the value assigned to \(name)[…]"))
                    }
                } catch {
                    variable.store(frame, .tensor(tensor))
                    throw error.located(at: range)
                }
                variable.store(frame, .tensor(tensor))
            } else if case .list(let items) = current {
                let updated = try at(range) { () throws(KLSError) in try Compiler.replacing(items, resolved, with: new)
                }
                variable.store(frame, .list(updated))
            } else {
                throw KLSError(
                    "cannot assign into a \(current.typeName) by index", range: range,
                    hint: current.isNumeric ? "\(name) holds one number: assign to \(name) itself" : nil)
            }
            return returning ? new : .none
        }
    }

    /// A list with item `i` replaced (lists are values: the old one is unchanged).
    private static func replacing(_ items: List, _ components: [IndexComponent], with value: Value) throws(KLSError)
        -> List
    {
        guard components.count == 1, case .single(let i) = components[0] else {
            throw KLSError("a list item is assigned one at a time: l[i] = v")
        }
        var copy = items.items
        copy[try IndexComponent.resolve(single: i, length: copy.count, axis: 0)] = value
        return try List(copy)
    }
}
