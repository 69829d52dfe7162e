import Foundation
import KLSDiagnostics
import Synchronization

extension FusedProgram {
    /// Every root's elements (`init(roots:)`), every core computing blocks of
    /// its share of the rows, each root's block written in place.
    func materializeAll() throws(KLSError) -> [Tensor] {
        var storages: [TensorStorage] = []
        for step in outputs { storages.append(try TensorStorage(uninitializedCount: rows * steps[step].width)) }
        let targets = Unchecked(zip(outputs, storages.map(\.pointer)).map { ($0, $1) })
        // Shares of whole groups of eight rows, so that every block starts at a
        // multiple of eight rows (see `DeferredTensor`).
        let groups = (rows + 7) / 8
        let cost = Swift.max(1, 8 * width * steps.count)
        let failure = Mutex<KLSError?>(nil)
        Parallel.forEachChunk(groups, cost: cost) { share in
            do throws(KLSError) {
                let evaluator = try Evaluator(self)
                for (step, base) in targets.value { evaluator.bases[step] = base }
                var row = share.lowerBound * 8
                let end = Swift.min(rows, share.upperBound * 8)
                while row < end && !Cancellation.isRequested {
                    let next = Swift.min(end, row + blockRows)
                    evaluator.run(rows: row..<next, into: nil)
                    row = next
                }
            } catch {
                failure.withLock { $0 = error }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        try Cancellation.check()
        var tensors: [Tensor] = []
        for (step, storage) in zip(outputs, storages) {
            tensors.append(try Tensor(shape: [rows] + steps[step].inner, adopting: storage))
        }
        return tensors
    }

    /// The sum of the root's elements in `Reduction.sum`'s order: the parts of
    /// `Summation.parallelSum` (which depend on the count alone), each summed in
    /// blocks of 4096 with a compensated running total, the parts' sums summed.
    func sum() throws(KLSError) -> Double {
        let partials = try eachPart { evaluator, part in
            var total = CompensatedSum()
            var start = part.lowerBound
            while start < part.upperBound && !Cancellation.isRequested {
                let end = Swift.min(part.upperBound, start + Summation.block)
                total.add(Summation.blockSum(evaluator.values(start..<end), end - start))
                start = end
            }
            return total.value
        }
        return Summation.sum(partials)
    }

    /// `body` on each part of `Parallel.mapChunks` over the root's elements (the
    /// parts depend on the count alone), each with an evaluator of its own.
    private func eachPart(_ body: (Evaluator, Range<Int>) -> Double) throws(KLSError) -> [Double] {
        let failure = Mutex<KLSError?>(nil)
        let results = Parallel.mapChunks(rows * width, cost: 1) { part -> Double in
            do throws(KLSError) {
                return body(try Evaluator(self, staging: true), part)
            } catch {
                failure.withLock { $0 = error }
                return .nan
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        try Cancellation.check()
        return results
    }
}

extension FusedProgram {
    /// log Σ exp of the root's elements as `Reduction.logSumExp` computes them:
    /// the maximum first (on every core: a maximum does not depend on the order,
    /// and any nan makes it nan), then e^(x − max) added in order on one thread.
    func logSumExp() throws(KLSError) -> Double {
        let count = rows * width
        let maxima = try eachPart { evaluator, part in
            var best = -Double.infinity
            var start = part.lowerBound
            while start < part.upperBound && !Cancellation.isRequested {
                let end = Swift.min(part.upperBound, start + Summation.block)
                let values = evaluator.values(start..<end)
                for i in 0..<(end - start) {
                    if values[i].isNaN { return .nan }
                    if values[i] > best { best = values[i] }
                }
                start = end
            }
            return best
        }
        let m = maxima.contains(where: \.isNaN) ? .nan : maxima.reduce(-Double.infinity) { Swift.max($0, $1) }
        if m.isNaN || m.isInfinite { return m }
        let evaluator = try Evaluator(self, staging: true)
        var total = 0.0
        var start = 0
        while start < count {
            try Cancellation.check()
            let end = Swift.min(count, start + Summation.block)
            let values = evaluator.values(start..<end)
            for i in 0..<(end - start) { total += Foundation.exp(values[i] - m) }
            start = end
        }
        return m + Foundation.log(total)
    }
}

extension FusedProgram {
    /// One core's scratch: a buffer per register, a pointer per step to its
    /// current block, and room for the root's values over a range of elements.
    final class Evaluator {
        let program: FusedProgram
        /// The scratch buffers, page-aligned, with a page to spare (see `FusedProgram.page`).
        let scratch: UnsafeMutablePointer<Double>
        let scratchCount: Int
        let staging: TensorStorage
        let blocks: UnsafeMutablePointer<UnsafePointer<Double>>
        /// Where a root's elements go, by step (nil for the others): a block of
        /// rows r… is written at `base + r·width`.
        let bases: UnsafeMutablePointer<UnsafeMutablePointer<Double>?>

        /// With `staging`, room for `values` (the reductions read the root's
        /// elements through it; a materialized root is written in place).
        init(_ program: FusedProgram, staging: Bool = false) throws(KLSError) {
            self.program = program
            scratchCount = FusedProgram.page + program.bufferCount * program.bufferSize
            try MemoryLimit.reserve(bytes: scratchCount * 8, what: "the scratch of a fused tensor expression")
            scratch = UnsafeMutableRawPointer.allocate(byteCount: scratchCount * 8, alignment: FusedProgram.page * 8)
                .bindMemory(to: Double.self, capacity: scratchCount)
            // A range of 4096 elements spans at most 4096 / width + 2 rows, and its
            // first block starts up to seven rows earlier.
            let stagingRows = staging ? Summation.block / program.width + 16 : 0
            self.staging = try TensorStorage(uninitializedCount: stagingRows * program.width)
            blocks = .allocate(capacity: program.steps.count)
            bases = .allocate(capacity: program.steps.count)
            bases.initialize(repeating: nil, count: program.steps.count)
        }

        deinit {
            blocks.deallocate()
            bases.deallocate()
            scratch.deallocate()
            MemoryLimit.release(bytes: scratchCount * 8)
        }

        /// The root's elements `range` (at most 4096 of them), computed from the
        /// multiple of eight rows at or before their first.
        func values(_ range: Range<Int>) -> UnsafePointer<Double> {
            let width = program.width
            let first = range.lowerBound / width / 8 * 8
            let end = Swift.min(program.rows, (range.upperBound + width - 1) / width)
            var row = first
            while row < end {
                let next = Swift.min(end, row + program.blockRows)
                run(rows: row..<next, into: staging.pointer + (row - first) * width)
                row = next
            }
            return UnsafePointer(staging.pointer + (range.lowerBound - first * width))
        }

        /// Runs every step over `rows` (at most `blockRows`): the last step's block
        /// into `out` when given, the roots' blocks where `bases` says.
        func run(rows: Range<Int>, into out: UnsafeMutablePointer<Double>?) {
            let last = program.steps.count - 1
            // The root's block starts this many doubles into its page; so do the buffers.
            let shift = rows.lowerBound * program.width % FusedProgram.page
            for i in 0...last {
                let target: UnsafeMutablePointer<Double>
                if let base = bases[i] {
                    target = base + rows.lowerBound * program.steps[i].width
                } else if i == last, let out {
                    target = out
                } else if case .stored(let base) = program.steps[i].kind {
                    blocks[i] = base + rows.lowerBound * program.steps[i].width
                    continue
                } else {
                    let buffer = program.steps[i].buffer ?? 0
                    target = scratch + shift + buffer * program.bufferSize
                }
                compute(i, rows: rows, into: target)
                blocks[i] = UnsafePointer(target)
            }
        }

        private func compute(_ i: Int, rows: Range<Int>, into out: UnsafeMutablePointer<Double>) {
            let width = program.steps[i].width
            let count = rows.count * width
            let first = rows.lowerBound * width
            switch program.steps[i].kind {
            case .stored(let base): out.update(from: base + first, count: count)
            case .normal(let generator, let start):
                NormalSampler.fill(generator, start: start &+ UInt64(first), count: count, into: out)
            case .uniform(let generator, let start):
                Tensor.fillUniform(generator, start: start &+ UInt64(first), range: 0..<count, into: out)
            case .map(let function, let x): function.run(blocks[x], out, 0..<count)
            case .combine(let op, let a, let b, let broadcast):
                op.combine(operand(a), operand(b), into: out, count: count, broadcast) {
                    let shapes = program.steps[i].blockShapes(rows.count)
                    return (shapes[0], shapes[1], shapes[2])
                }
            case .select(let c, let a, let b):
                let shapes = program.steps[i].blockShapes(rows.count)
                let (condition, x, y) = ((operand(c), shapes[0]), (operand(a), shapes[1]), (operand(b), shapes[2]))
                Tensor.select(condition, x, y, into: out, shape: shapes[3])
            case .product(let x, let matrix, let k, let columns):
                let lhsRows = rows.count * (program.steps[x].width / k)
                Tensor.multiplySlice(blocks[x], k, k, matrix, out, lhsRows, columns, parts: 1, accumulate: false)
            case .reduce(let reduction, let x, let length):
                let input = blocks[x]
                for lane in 0..<count { out[lane] = reduction.reduce(input + lane * length, length) }
            case .columns(let x, let offset, let length):
                let (input, width) = (blocks[x], program.steps[x].width)
                for r in 0..<rows.count { (out + r * length).update(from: input + r * width + offset, count: length) }
            }
        }

        /// An operand's elements in the current block.
        private func operand(_ source: Source) -> UnsafePointer<Double> {
            switch source {
            case .step(let i): return blocks[i]
            case .constant(let p): return p
            }
        }
    }
}
