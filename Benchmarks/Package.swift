// swift-tools-version:6.1
// Kernel benchmarks with ordo-one/benchmark, in a package of their own so that
// `swift build` and CI of kls do not build the benchmark framework (~2 minutes).
// Run: cd Benchmarks && swift package benchmark
import PackageDescription

let package = Package(
    name: "kls-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "kls", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "KernelBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "KLSTensor", package: "kls"),
                .product(name: "KLSDistributions", package: "kls"),
            ],
            path: "Benchmarks/KernelBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
