import KLSDiagnostics
import KLSTensor

/// Creating and reshaping tensors (language.md §4, "Tensors").
enum TensorBuiltins {
    static let all: [Builtin] = [
        Builtin(
            "zeros", [.required("shape")], theme: .tensors,
            summary: "A tensor of zeros; shape is a number or a list.", example: "zeros([2, 3])"
        ) { a, _ throws(KLSError) in
            .tensor(try Tensor(repeating: 0, shape: try a.shape("shape")))
        },
        Builtin(
            "ones", [.required("shape")], theme: .tensors,
            summary: "A tensor of ones; shape is a number or a list.", example: "ones(3)"
        ) { a, _ throws(KLSError) in
            .tensor(try Tensor(repeating: 1, shape: try a.shape("shape")))
        },
        Builtin(
            "full", [.required("shape"), .required("value").meaning("the number every element takes")], theme: .tensors,
            summary: "A tensor of one repeated value.", example: "full([2, 2], 0.5)"
        ) { a, _ throws(KLSError) in
            .tensor(try Tensor(repeating: try a.number("value"), shape: try a.shape("shape")))
        },
        Builtin(
            "linspace",
            [
                .required("start").meaning("the first value"), .required("stop").meaning("the last value (included)"),
                .required("n").meaning("how many evenly spaced values"),
            ], theme: .tensors,
            summary: "n evenly spaced numbers from start to stop, both included.", example: "linspace(0, 1, 5)"
        ) { a, _ throws(KLSError) in
            .tensor(
                try Tensor.linspace(try a.number("start"), try a.number("stop"), count: try a.integer("n", atLeast: 0)))
        },
        Builtin(
            "arange",
            [
                .required("start").meaning("the first value; with stop=none, the end (arange(5) is 0 … 4)"),
                .optional("stop").meaning("where to stop (not included)"),
                .optional("step", .number(1)).meaning("the spacing, non-zero"),
            ], theme: .tensors,
            summary: "Numbers from start up to, not including, stop; arange(n) counts 0…n−1.",
            example: "arange(0, 1, step=0.25)"
        ) { a, _ throws(KLSError) in
            let first = try a.number("start")
            let (start, stop) = a.isNone("stop") ? (0, first) : (first, try a.number("stop"))
            return .tensor(try Tensor.arange(start, stop, step: try a.number("step")))
        },
        Builtin(
            "eye", [.required("n").meaning("the number of rows and columns")], theme: .tensors,
            summary: "The n×n identity matrix.", example: "eye(3)"
        ) { a, _ throws(KLSError) in
            .tensor(try Tensor.eye(try a.integer("n", atLeast: 0)))
        },
        Builtin(
            "reshape",
            [
                .required("x"),
                .required("shape").meaning("the new shape; one length may be -1, inferred from the size"),
            ], theme: .tensors,
            summary: "The same elements in a new shape; one extent may be -1 (inferred).",
            example: "reshape(arange(6), [2, -1])"
        ) { a, _ throws(KLSError) in
            let shape = try a.read("shape") { v, what throws(KLSError) in try v.asIntegers(what, atLeast: -1) }
            return Value.from(try a.tensor("x").reshape(shape))
        }.differentiable(ReductionDerivatives.reshape),
        Builtin(
            "transpose",
            [.required("x"), .optional("axes").meaning("the new order of the axes (a permutation); none: reversed")],
            theme: .tensors,
            summary: "Reverses the axes (a matrix's transpose), or reorders them by axes.",
            example: "transpose([[1, 2], [3, 4]])"
        ) { a, _ throws(KLSError) in
            let x = try a.tensor("x")
            guard let axes = try a.axes("axes") else { return Value.from(try x.transposed()) }
            return Value.from(
                try x.permuted(
                    try axes.map { (axis: Int) throws(KLSError) in try Shape.normalize(axis: axis, rank: x.rank) }))
        }.differentiable(ReductionDerivatives.transpose),
        Builtin(
            "flatten", [.required("x").meaning("a tensor, read in row-major order")], theme: .tensors,
            summary: "The elements as a 1-D tensor, in row-major order.", example: "flatten(eye(2))"
        ) { a, _ throws(KLSError) in
            let x = try a.tensor("x")
            return .tensor(try x.reshaped([x.count]))
        }.differentiable(TensorDerivatives.flatten),
        Builtin(
            "concat",
            [
                .required("tensors").meaning("a list of tensors with the same shape except along axis"),
                .optional("axis", .number(0)).meaning("the existing axis to join along"),
            ], theme: .tensors,
            summary: "Joins a list of tensors along an existing axis.",
            example: "concat([arange(2), arange(3)], axis=0)"
        ) { a, _ throws(KLSError) in
            Value.from(try Tensor.concatenate(try tensorList(a, "tensors"), axis: try a.integer("axis")))
        }.differentiable(TensorDerivatives.join(stacking: false)),
        Builtin(
            "stack",
            [
                .required("tensors").meaning("a list of tensors of one shape"),
                .optional("axis", .number(0)).meaning("where the new axis goes"),
            ], theme: .tensors,
            summary: "Joins a list of same-shape tensors along a new axis.",
            example: "stack([[1, 2], [3, 4]], axis=1)"
        ) { a, _ throws(KLSError) in
            Value.from(try Tensor.stack(try tensorList(a, "tensors"), axis: try a.integer("axis")))
        }.differentiable(TensorDerivatives.join(stacking: true)),
        Builtin(
            "shape", [.required("x")], theme: .tensors,
            summary: "The extent of each axis, as a 1-D tensor.", example: "shape(zeros([2, 3]))"
        ) { a, _ throws(KLSError) in
            .tensor(try Members.shapeTensor(try a.tensor("x").shape))
        },
        Builtin(
            "size", [.required("x")], theme: .tensors,
            summary: "The number of elements.", example: "size(zeros([2, 3]))"
        ) { a, _ throws(KLSError) in
            .number(Double(try a.tensor("x").count))
        },
        Builtin(
            "len", [.required("x").meaning("a tensor (its first axis), list, record or string")], theme: .tensors,
            summary: "The length of the first axis, or of a list or string.", example: "len([1, 2, 3])"
        ) { a, _ throws(KLSError) in
            switch a["x"] {
            case .list(let items): return .number(Double(items.count))
            case .string(let s): return .number(Double(s.string.count))
            default:
                let x = try a.tensor("x")
                guard let first = x.shape.first else {
                    throw KLSError("len: a scalar has no length", hint: "use size(x)")
                }
                return .number(Double(first))
            }
        },
        Builtin(
            "matmul",
            [
                .required("x").meaning("a matrix, vector or stack of matrices (the last two axes)"),
                .required("y").meaning("the same, on the right; the inner lengths must agree"),
            ], theme: .tensors,
            summary: "The matrix product, the same as x @ y.", example: "matmul(eye(2), [1, 2])"
        ) { a, _ throws(KLSError) in
            Value.from(try Tensor.matmul(try a.tensor("x"), try a.tensor("y")))
        }.differentiable(TensorDerivatives.matmul),
        Builtin(
            "dot", [.required("x").meaning("a vector"), .required("y").meaning("a vector of the same length")],
            theme: .tensors,
            summary: "Inner product of vectors, or the matrix product (as x @ y).",
            example: "dot([1, 2, 3], [4, 5, 6])"
        ) { a, _ throws(KLSError) in
            Value.from(try Tensor.matmul(try a.tensor("x"), try a.tensor("y")))
        }.differentiable(TensorDerivatives.matmul),
    ]

    /// A list argument whose items are all tensors or numbers.
    static func tensorList(_ a: Arguments, _ name: String) throws(KLSError) -> [Tensor] {
        try a.read(name) { v, what throws(KLSError) in
            switch v {
            case .list(let items):
                var tensors: [Tensor] = []
                for (i, item) in items.enumerated() { tensors.append(try item.asTensor("\(what)[\(i)]")) }
                return tensors
            case .tensor(let t) where t.rank >= 1:
                return try Value.rows(of: t)
            default:
                throw KLSError("\(what) must be a list of tensors, got \(v.typeName)")
            }
        }
    }
}
