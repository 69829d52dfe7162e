import Benchmark
import KLSDistributions
import KLSTensor

/// The hot kernels of kls, measured in-process (wall clock, instructions and
/// allocations). `scripts/bench` compares whole kls runs against NumPy; these
/// track the kernels themselves between changes.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal, .throughput], maxDuration: .seconds(3))

    let n = 1_000_000
    let x = try! Tensor.normal(shape: [n], generator: Philox(seed: 1), start: 0)

    Benchmark("exp, 1e6 elements") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try! x.map(.exp)) }
    }

    Benchmark("sum, 1e6 elements") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try! x.reduce(.sum)) }
    }

    Benchmark("normal draws, 1e6 (SIMD Philox + ziggurat)") { benchmark in
        var out = [Double](repeating: 0, count: n)
        for _ in benchmark.scaledIterations {
            out.withUnsafeMutableBufferPointer { NormalSampler.fill(Philox(seed: 2), start: 0, count: n, into: $0.baseAddress!) }
            blackHole(out[0])
        }
    }

    let a = try! Tensor.normal(shape: [256, 256], generator: Philox(seed: 3), start: 0)
    Benchmark("matmul 256x256") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try! Tensor.matmul(a, a)) }
    }

    let q = try! Independent(try! Normal([Tensor(repeating: 0.1, shape: [16]), Tensor(repeating: 0.9, shape: [16])]), k: 1, name: "DiagNormal")
    let p = try! Independent(try! Normal([Tensor(repeating: 0, shape: [16]), Tensor(repeating: 1, shape: [16])]), k: 1, name: "StdNormal")
    let engine = try! MonteCarloEngine(q: q, p: p)
    Benchmark("kl_mc k1, DiagNormal(16), n=1e5") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try! engine.run(n: 100_000, estimators: [.k1], generator: Philox(seed: 4), start: 0))
        }
    }
}
