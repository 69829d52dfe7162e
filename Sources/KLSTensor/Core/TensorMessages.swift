import KLSDiagnostics

/// The longer messages of the tensor layer, kept out of the kernels.
enum TensorMessages {
    static func cannotReshape(_ shape: [Int], count: Int, into requested: [Int], elements: Int? = nil) -> String {
        let target = Shape.describe(requested) + (elements.map { " (\($0) elements)" } ?? "")
        return "cannot reshape a tensor of shape \(Shape.describe(shape)) (\(count) elements) into shape \(target)"
    }

    static func notAPermutation(_ order: [Int], shape: [Int]) -> String {
        "axes \(Shape.describe(order)) are not a permutation of the \(shape.count) axes of a tensor of shape "
            + Shape.describe(shape)
    }

    static func concatRank(tensor i: Int, _ shape: [Int], first: [Int]) -> String {
        "concat: tensor \(i) has shape \(Shape.describe(shape)), rank differs from \(Shape.describe(first))"
    }

    static func concatShapes(_ first: [Int], _ other: [Int], axis: Int) -> String {
        "concat: shapes \(Shape.describe(first)) and \(Shape.describe(other)) differ off axis \(axis)"
    }

    static func matmulRank(_ a: [Int], _ b: [Int]) -> String {
        "@ needs tensors of rank 1 or more, got shapes \(Shape.describe(a)) and \(Shape.describe(b)); use * for scalars"
    }

    static func matmulAlignment(_ a: [Int], _ b: [Int], left k: Int, right k2: Int) -> String {
        let rightAxis = b.count == 1 ? "length" : "second-to-last axis"
        return "shapes \(Shape.describe(a)) and \(Shape.describe(b)) do not align for @: "
            + "\(k) (last axis of the left) ≠ \(k2) (\(rightAxis) of the right)"
    }
}
