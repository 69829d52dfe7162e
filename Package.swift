// swift-tools-version:6.0
import Foundation
import PackageDescription

/// Vector width for the hot kernels (`KLS_TUNE_CPU`):
/// - `1`: this machine's, AVX-512 or AVX2+FMA when the CPU has them (scripts/kls, scripts/test, scripts/bench);
/// - `avx512`, `avx2`: that width whatever builds it (scripts/release builds one kls for each, and a
///   launcher picks one at start-up, docs/install.md);
/// - unset or anything else: portable x86-64 (or the host's baseline), so that other packages can depend on
///   the libraries (`-target-cpu` is an unsafe flag).
/// `KLS_AVX512` and `KLS_AVX2` tell the code which width it was built for (`KernelTarget`).
let cpuFlags: [SwiftSetting] = {
    let avx512: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "skylake-avx512"]), .define("KLS_AVX512")]
    let avx2: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"]), .define("KLS_AVX2")]
    switch ProcessInfo.processInfo.environment["KLS_TUNE_CPU"] {
    case "avx512": return avx512
    case "avx2": return avx2
    case "1": break
    default: return []
    }
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
        let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
    else { return [] }
    let flags = Set(line.split(separator: " ").map(String.init))
    if ["avx512f", "avx512bw", "avx512dq", "avx512vl", "fma", "bmi2"].allSatisfy(flags.contains) {
        return avx512
    }
    if ["avx2", "fma", "bmi2"].allSatisfy(flags.contains) { return avx2 }
    return []
}()

// Dependencies point one way only (docs/architecture.md draws the graph):
// KLSDiagnostics ← KLSTensor ← KLSDistributions ← KLSLanguage ← KLSShell ← kls;  CVectorMath ← KLSTensor
// KLSDiagnostics ← KLSPlot ← KLSLanguage;  KLSTensor ← KLSFormats ← KLSLanguage;  CReadline ← KLSShell;
// CVectorMath ← KLSDistributions;  CBuildInfo ← kls
let package = Package(
    name: "kls",
    // Synchronization's Atomic and Mutex (the buffer pool, the workers, the memory ledger).
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kls", targets: ["kls"]),
        .library(name: "KLSDiagnostics", targets: ["KLSDiagnostics"]),
        .library(name: "KLSTensor", targets: ["KLSTensor"]),
        .library(name: "KLSDistributions", targets: ["KLSDistributions"]),
        .library(name: "KLSPlot", targets: ["KLSPlot"]),
        .library(name: "KLSFormats", targets: ["KLSFormats"]),
        .library(name: "KLSLanguage", targets: ["KLSLanguage"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        .target(name: "KLSDiagnostics"),
        // The commit kls was built from (scripts/setup writes Sources/CBuildInfo/commit.h, git-ignored).
        .target(name: "CBuildInfo"),
        .target(name: "CVectorMath"),
        .target(
            name: "KLSTensor",
            dependencies: ["KLSDiagnostics", "CVectorMath", .product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: cpuFlags
        ),
        .target(
            name: "KLSDistributions",
            dependencies: [
                "KLSDiagnostics", "KLSTensor", "KLSGradient", "CVectorMath",
                .product(name: "RealModule", package: "swift-numerics"),
            ],
            swiftSettings: cpuFlags
        ),
        .target(name: "KLSGradient", dependencies: ["KLSDiagnostics", "KLSTensor"], swiftSettings: cpuFlags),
        .target(name: "KLSPlot", dependencies: ["KLSDiagnostics"]),
        .target(
            name: "KLSFormats",
            dependencies: ["KLSDiagnostics", "KLSTensor", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        .target(
            name: "KLSLanguage",
            dependencies: ["KLSDiagnostics", "KLSTensor", "KLSGradient", "KLSDistributions", "KLSPlot", "KLSFormats"],
            swiftSettings: cpuFlags
        ),
        .systemLibrary(name: "CReadline", pkgConfig: "readline", providers: [.apt(["libreadline-dev"])]),
        .target(
            name: "KLSShell",
            dependencies: ["KLSDiagnostics", "KLSTensor", "KLSPlot", "KLSFormats", "KLSLanguage", "CReadline"]
        ),
        .executableTarget(
            name: "kls",
            dependencies: [
                "KLSDiagnostics", "KLSTensor", "KLSShell", "CBuildInfo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "KLSDiagnosticsTests", dependencies: ["KLSDiagnostics"]),
        .testTarget(
            name: "KLSTensorTests",
            dependencies: [
                "KLSDiagnostics", "KLSTensor", .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "KLSDistributionsTests",
            dependencies: [
                "KLSDiagnostics", "KLSDistributions", "KLSTensor",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(name: "KLSGradientTests", dependencies: ["KLSDiagnostics", "KLSGradient", "KLSTensor"]),
        .testTarget(name: "KLSPlotTests", dependencies: ["KLSPlot"]),
        .testTarget(
            name: "KLSFormatsTests", dependencies: ["KLSDiagnostics", "KLSFormats", "KLSTensor"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "KLSLanguageTests", dependencies: ["KLSDiagnostics", "KLSFormats", "KLSLanguage", "KLSTensor"]
        ),
        .testTarget(name: "KLSShellTests", dependencies: ["KLSDiagnostics", "KLSShell", "KLSLanguage", "KLSTensor"]),
        // Runs the built `kls` binary; scripts/test builds it first and passes its path.
        .testTarget(name: "EndToEndTests", dependencies: ["KLSLanguage"], exclude: ["Scripts"]),
    ],
    swiftLanguageModes: [.v6]
)
