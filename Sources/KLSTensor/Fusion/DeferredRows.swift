import KLSDiagnostics

/// Rows of a deferred tensor computed on request, for code that walks a graph
/// block by block itself: the gradient of a fused node (KLSGradient's
/// `FusedGradient`) reads the parts of its graph that carry no gradient — the
/// draws, the data — a block of rows at a time.
package final class DeferredRows: @unchecked Sendable {
    private let program: FusedProgram?
    private let stored: Tensor?
    /// Elements per row.
    package let width: Int
    /// The shape of one row.
    package let inner: [Int]

    package init(_ node: DeferredTensor) throws(KLSError) {
        width = node.width
        inner = Array(node.shape.dropFirst())
        if case .stored(let t) = node.operation {
            (stored, program) = (t, nil)
        } else {
            (stored, program) = (nil, try FusedProgram(root: node))
        }
    }

    /// A reader for one thread: its own scratch.
    package func reader() throws(KLSError) -> Reader {
        Reader(self, try program.map { p throws(KLSError) in try FusedProgram.Evaluator(p) })
    }

    /// Computes rows for one thread.
    package final class Reader {
        private let rows: DeferredRows
        private let evaluator: FusedProgram.Evaluator?

        fileprivate init(_ rows: DeferredRows, _ evaluator: FusedProgram.Evaluator?) {
            self.rows = rows
            self.evaluator = evaluator
        }

        /// Rows `range` as a tensor of shape `[range.count] + inner`.
        package func callAsFunction(_ range: Range<Int>) throws(KLSError) -> Tensor {
            let shape = [range.count] + rows.inner
            if let stored = rows.stored { return try stored.rows(range) }
            let storage = try TensorStorage(uninitializedCount: range.count * rows.width)
            if let evaluator {
                let blockRows = evaluator.program.blockRows
                var row = range.lowerBound
                while row < range.upperBound {
                    let next = Swift.min(range.upperBound, row + blockRows)
                    evaluator.run(rows: row..<next, into: storage.pointer + (row - range.lowerBound) * rows.width)
                    row = next
                }
            }
            return try Tensor(shape: shape, adopting: storage)
        }
    }
}

extension Tensor {
    /// A copy of rows `range` (along the first axis).
    package func rows(_ range: Range<Int>) throws(KLSError) -> Tensor {
        let width = rank == 0 ? 1 : count / Swift.max(1, shape[0])
        let storage = try TensorStorage(uninitializedCount: range.count * width)
        withExtendedLifetime(self) {
            storage.pointer.update(from: self.storage.pointer + range.lowerBound * width, count: range.count * width)
        }
        return try Tensor(shape: [range.count] + shape.dropFirst(), adopting: storage)
    }
}
