import Foundation
import Testing

@testable import KLSTensor

@Suite struct RandomTests {
    /// Random123's known-answer vectors (tests/kat_vectors, v1.14.0).
    @Test func philoxKnownAnswers() {
        let zero = Philox(seed: 0).block(0, 0, 0, 0)
        #expect([zero.0, zero.1, zero.2, zero.3] == [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8])
        let ones = Philox(seed: UInt64.max).block(.max, .max, .max, .max)
        #expect([ones.0, ones.1, ones.2, ones.3] == [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd])
        let pi = Philox(seed: 0x299f_31d0_a409_3822).block(0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344)
        #expect([pi.0, pi.1, pi.2, pi.3] == [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1])
    }

    /// Mean, variance, skewness and excess kurtosis of 10⁶ normal draws within
    /// 5 standard errors; plus the tail beyond the ziggurat's base strip.
    @Test func normalDrawsHaveTheRightMoments() throws {
        let n = 1_000_000
        let x = try Tensor.normal(shape: [n], generator: Philox(seed: 42), start: 0)
        var m1 = 0.0
        var m2 = 0.0
        var m3 = 0.0
        var m4 = 0.0
        var tail = 0
        for i in 0..<n {
            let v = x[flat: i]
            m1 += v
            m2 += v * v
            m3 += v * v * v
            m4 += v * v * v * v
            if abs(v) > NormalSampler.tailStart { tail += 1 }
        }
        let count = Double(n)
        #expect(abs(m1 / count) < 5 / sqrt(count))
        #expect(abs(m2 / count - 1) < 5 * sqrt(2 / count))
        #expect(abs(m3 / count) < 5 * sqrt(15 / count))
        #expect(abs(m4 / count - 3) < 5 * sqrt(96 / count))
        let pTail = erfc(NormalSampler.tailStart / sqrt(2))
        #expect(abs(Double(tail) - count * pTail) < 5 * sqrt(count * pTail))
    }

    @Test func uniformDrawsAreInTheUnitInterval() throws {
        let n = 1_000_000
        let u = try Tensor.uniform(shape: [n], generator: Philox(seed: 7), start: 0)
        var sum = 0.0
        var squares = 0.0
        for i in 0..<n {
            let v = u[flat: i]
            #expect(v >= 0 && v < 1)
            sum += v
            squares += (v - 0.5) * (v - 0.5)
        }
        #expect(abs(sum / Double(n) - 0.5) < 5 * sqrt(1.0 / 12 / Double(n)))
        #expect(abs(squares / Double(n) - 1.0 / 12) < 5 * sqrt(1.0 / 180 / Double(n)))
    }

    /// The vector path (sixteen draws from one SIMD Philox call, interleaved)
    /// gives draw i as word i mod 2 of block ⌊i/2⌋, from any start.
    @Test(arguments: [0, 1, 7, 16, 33])
    func uniformDrawsAreTheirBlocksWords(start: Int) throws {
        let generator = Philox(seed: 11)
        let u = try Tensor.uniform(shape: [101], generator: generator, start: UInt64(start))
        for i in 0..<101 {
            let index = UInt64(start + i)
            let (a, b) = generator.words(index: index >> 1, stream: 0, attempt: 0)
            #expect(u[flat: i] == Philox.unit(index & 1 == 0 ? a : b), "draw \(i) from \(start)")
        }
    }

    /// Draw i depends only on (seed, i): any window of a stream equals the same
    /// window drawn alone, whatever the chunking or thread count.
    @Test func drawsDependOnlyOnSeedAndIndex() throws {
        let generator = Philox(seed: 99)
        let whole = try Tensor.normal(shape: [200_000], generator: generator, start: 0)
        for start in [0, 1, 7, 65_537, 199_990] {
            let part = try Tensor.normal(shape: [10], generator: generator, start: UInt64(start))
            for j in 0..<10 { #expect(part[flat: j] == whole[flat: start + j]) }
            #expect(NormalSampler.draw(generator, index: UInt64(start)) == whole[flat: start])
        }
    }

    /// The bulk SIMD filler gives exactly the per-index draws, from any start.
    @Test func bulkFillEqualsSingleDraws() {
        let generator = Philox(seed: 2024)
        for start in [0, 1, 2, 15, 16, 17, 1_000_003] as [UInt64] {
            let count = 200
            var out = [Double](repeating: 0, count: count)
            out.withUnsafeMutableBufferPointer {
                NormalSampler.fill(generator, start: start, count: count, into: $0.baseAddress!)
            }
            for i in 0..<count { #expect(out[i] == NormalSampler.draw(generator, index: start + UInt64(i))) }
        }
    }

    @Test func simdPhiloxEqualsScalar() {
        let generator = Philox(seed: 0xDEAD_BEEF_1234)
        let (a, b) = generator.words8(first: 1 << 33, stream: 7, attempt: 3)
        for k in 0..<8 {
            let (x, y) = generator.words(index: (1 << 33) + UInt64(k), stream: 7, attempt: 3)
            #expect(a[k] == x && b[k] == y)
        }
    }

    @Test func sessionStreamAdvances() {
        var stream = RandomStream(seed: 5)
        let (_, first) = stream.take(10)
        let (_, second) = stream.take(3)
        #expect(first == 0 && second == 10)
        stream.reseed(5)
        #expect(stream.take(1).1 == 0)
    }
}
