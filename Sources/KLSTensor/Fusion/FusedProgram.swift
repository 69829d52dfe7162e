import KLSDiagnostics

/// A deferred tensor's graph as a list of steps, each computing its node's block
/// of rows from earlier steps' blocks: the graph is walked once, and every block
/// then runs the steps in order (see `DeferredTensor`).
///
/// Scratch buffers are shared between steps the way registers are: a step's
/// buffer is taken when it runs and given back after the last step that reads
/// it, so a graph of dozens of nodes needs a handful of buffers. A step never
/// writes over its own inputs. What runs per block holds no reference-counted
/// value (pointers, indices, the broadcast decided once), so a block's steps
/// cost no retains.
struct FusedProgram {
    /// Where a step reads an operand: an earlier step's block, or a constant
    /// tensor broadcast into the block.
    enum Source {
        case step(Int)
        case constant(UnsafePointer<Double>)
    }

    /// What a step computes.
    enum Kind {
        case stored(UnsafePointer<Double>)
        case normal(Philox, start: UInt64)
        case uniform(Philox, start: UInt64)
        case map(UnaryFunction, Int)
        case combine(BinaryOperator, Source, Source, Broadcast)
        case select(Source, Source, Source)
        /// Rows of `k` times a matrix of `columns` columns, packed by `PackedMatrix`.
        case product(Int, UnsafePointer<Double>, k: Int, columns: Int)
        case reduce(Reduction, Int, length: Int)
        case columns(Int, offset: Int, length: Int)
    }

    struct Step {
        let kind: Kind
        /// Elements per row of the output.
        let width: Int
        /// The output's axes after the rows, and each operand's shape in a block
        /// (an earlier step's axes after the rows, or a constant's whole shape):
        /// for the general broadcast and `where`.
        let inner: [Int]
        let operandShapes: [(rows: Bool, shape: [Int])]
        /// The scratch buffer written, or nil for stored elements (read in place).
        var buffer: Int?

        /// The operands' and the output's shapes in a block of `rows` rows.
        func blockShapes(_ rows: Int) -> [[Int]] {
            operandShapes.map { $0.rows ? [rows] + $0.shape : $0.shape } + [[rows] + inner]
        }
    }

    let steps: [Step]
    /// The step of each root, in the order given.
    let outputs: [Int]
    /// Rows per block: a multiple of eight, about 4096 elements of the widest step.
    let blockRows: Int
    /// Elements of each scratch buffer.
    let bufferSize: Int
    let bufferCount: Int
    /// The root's rows and elements per row.
    let rows: Int
    let width: Int
    /// What the steps' pointers point into, kept alive while the program lives.
    private let retained: [AnyObject]

    /// Doubles in a page. Scratch buffers are whole pages apart and each block
    /// places them at the output's offset within its page, as two page-aligned
    /// tensors are in an eager loop: a load and an earlier store to different
    /// pages at the same offset modulo 4 KiB make the load wait (4K aliasing),
    /// and this way where malloc puts the scratch cannot decide how often.
    static let page = 512

    /// Elements per block aimed at: the live blocks stay in L1. Measured on one
    /// core for `exp(x) * 2 + 1` over 1e7 elements: 512 (4 KB) 8.9–9.9 ms, as
    /// fast as the eager kernels' 10.4; 8192 (64 KB, in L2) 15 ms, the reads of
    /// x and the writes of the result then taking turns instead of overlapping.
    /// The three-layer model is 2% slower at 512 than at 8192.
    static let blockElements = 512

    /// The steps that compute `roots` (of the same rows), the last root last.
    init(roots: [DeferredTensor]) throws(KLSError) {
        DeferredTensor.evaluations?.count()
        var builder = Builder(roots: roots)
        for root in roots { builder.outputs.append(try builder.add(root)) }
        self.outputs = builder.outputs
        var steps = builder.steps
        let bufferCount = FusedProgram.assignBuffers(&steps, inputs: builder.inputs)
        let widest = steps.reduce(1) { Swift.max($0, $1.width) }
        self.steps = steps
        self.blockRows = Swift.max(8, FusedProgram.blockElements / widest / 8 * 8)
        self.bufferSize = (blockRows * widest + FusedProgram.page - 1) / FusedProgram.page * FusedProgram.page
        self.bufferCount = bufferCount
        self.rows = roots[roots.count - 1].rows
        self.width = roots[roots.count - 1].width
        self.retained = builder.retained
    }

    init(root: DeferredTensor) throws(KLSError) {
        try self.init(roots: [root])
    }

    /// Gives each computed step a scratch buffer, reusing those whose readers
    /// have all run; returns how many buffers there are.
    private static func assignBuffers(_ steps: inout [Step], inputs: [[Int]]) -> Int {
        var lastUse = Array(0..<steps.count)
        for (i, reads) in inputs.enumerated() { for j in reads { lastUse[j] = Swift.max(lastUse[j], i) } }
        lastUse[steps.count - 1] = steps.count
        var free: [Int] = []
        var count = 0
        for i in steps.indices {
            if case .stored = steps[i].kind {
                steps[i].buffer = nil
            } else if let reused = free.popLast() {
                steps[i].buffer = reused
            } else {
                steps[i].buffer = count
                count += 1
            }
            for j in Set(inputs[i]) where lastUse[j] == i {
                if let b = steps[j].buffer { free.append(b) }
            }
        }
        return count
    }
}

extension FusedProgram {
    /// Walks a graph depth first, each node once, into steps in an order where
    /// every step's inputs come before it.
    struct Builder {
        let roots: [DeferredTensor]
        var outputs: [Int] = []
        var steps: [Step] = []
        var inputs: [[Int]] = []
        var retained: [AnyObject] = []
        var index: [ObjectIdentifier: Int] = [:]

        mutating func add(_ node: DeferredTensor) throws(KLSError) -> Int {
            if let known = index[ObjectIdentifier(node)] { return known }
            retained.append(node)
            var reads: [Int] = []
            var shapes: [(rows: Bool, shape: [Int])] = []
            let kind: Kind
            // An inner node computed by an earlier graph is computed and kept now (see `DeferredTensor`).
            var operation = node.operation
            if !roots.contains(where: { $0 === node }), !operation.isStored, node.noteStreaming() {
                operation = .stored(try node.tensor())
            }
            switch operation {
            case .stored(let t):
                retained.append(t.storage)
                kind = .stored(UnsafePointer(t.storage.pointer))
            case .normal(let generator, let start): kind = .normal(generator, start: start)
            case .uniform(let generator, let start): kind = .uniform(generator, start: start)
            case .map(let function, let x):
                let i = try add(x)
                reads = [i]
                kind = .map(function, i)
            case .combine(let op, let a, let b):
                let (x, y) = (try source(a, &reads, &shapes), try source(b, &reads, &shapes))
                // Decided for a block of two rows, it holds for any number: constants
                // do not span the rows, so only the rows' count changes.
                let block = shapes.map { $0.rows ? [2] + $0.shape : $0.shape }
                kind = .combine(op, x, y, Broadcast(block[0], block[1], to: [2] + node.shape.dropFirst()))
            case .select(let c, let a, let b):
                kind = .select(
                    try source(c, &reads, &shapes), try source(a, &reads, &shapes), try source(b, &reads, &shapes))
            case .product(let a, let matrix, _):
                let i = try add(a)
                reads = [i]
                let packed = PackedMatrix(matrix)
                retained.append(packed)
                kind = .product(i, UnsafePointer(packed.pointer), k: matrix.shape[0], columns: matrix.shape[1])
            case .reduce(let reduction, let x, let length):
                let i = try add(x)
                reads = [i]
                kind = .reduce(reduction, i, length: length)
            case .columns(let x, let offset, let length):
                let i = try add(x)
                reads = [i]
                kind = .columns(i, offset: offset, length: length)
            }
            steps.append(
                Step(
                    kind: kind, width: node.width, inner: Array(node.shape.dropFirst()), operandShapes: shapes,
                    buffer: nil))
            inputs.append(reads)
            index[ObjectIdentifier(node)] = steps.count - 1
            return steps.count - 1
        }

        private mutating func source(
            _ operand: DeferredTensor.Operand, _ reads: inout [Int], _ shapes: inout [(rows: Bool, shape: [Int])]
        ) throws(KLSError) -> Source {
            switch operand {
            case .rows(let node):
                let i = try add(node)
                reads.append(i)
                shapes.append((true, Array(node.shape.dropFirst())))
                return .step(i)
            case .constant(let t, _):
                retained.append(t.storage)
                shapes.append((false, t.shape))
                return .constant(UnsafePointer(t.storage.pointer))
            }
        }
    }
}

/// A matrix packed once for every block's product (`Tensor.packStrips`, one slice).
final class PackedMatrix: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Double>

    init(_ matrix: Tensor) {
        let (k, n) = (matrix.shape[0], matrix.shape[1])
        let width = Tensor.stripWidth
        let strips = (n + width - 1) / width
        pointer = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, strips * k * width))
        withExtendedLifetime(matrix) {
            Tensor.packStrips(UnsafePointer(matrix.storage.pointer), n, k, strips, into: pointer)
        }
    }

    deinit { pointer.deallocate() }
}
