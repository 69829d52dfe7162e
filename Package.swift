// swift-tools-version:6.0
import Foundation
import PackageDescription

/// Vector width for the hot kernels, chosen for the machine that builds kls (CI
/// builds and runs on the same machine): AVX-512 or AVX2+FMA when the CPU has
/// them, the portable baseline otherwise.
let cpuFlags: [SwiftSetting] = {
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
    let flags = Set(line.split(separator: " ").map(String.init))
    if ["avx512f", "avx512bw", "avx512dq", "avx512vl", "fma", "bmi2"].allSatisfy(flags.contains) {
        return [.unsafeFlags(["-target-cpu", "skylake-avx512"])]
    }
    if ["avx2", "fma", "bmi2"].allSatisfy(flags.contains) {
        return [.unsafeFlags(["-target-cpu", "haswell"])]
    }
    return []
}()

// Dependencies point one way only:
// KLSTensor ← KLSDistributions ← KLSLanguage ← KLSShell ← kls; CReadline ← KLSShell
let package = Package(
    name: "kls",
    products: [
        .executable(name: "kls", targets: ["kls"]),
        .library(name: "KLSTensor", targets: ["KLSTensor"]),
        .library(name: "KLSDistributions", targets: ["KLSDistributions"]),
        .library(name: "KLSLanguage", targets: ["KLSLanguage"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        .target(
            name: "KLSTensor",
            dependencies: [.product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: cpuFlags
        ),
        .target(name: "KLSDistributions", dependencies: ["KLSTensor"], swiftSettings: cpuFlags),
        .target(name: "KLSLanguage", dependencies: ["KLSTensor", "KLSDistributions"], swiftSettings: cpuFlags),
        .systemLibrary(name: "CReadline", pkgConfig: "readline", providers: [.apt(["libreadline-dev"])]),
        .target(name: "KLSShell", dependencies: ["KLSLanguage", "CReadline"]),
        .executableTarget(
            name: "kls",
            dependencies: ["KLSShell", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(
            name: "KLSTensorTests",
            dependencies: ["KLSTensor", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(name: "KLSDistributionsTests", dependencies: ["KLSDistributions", "KLSTensor"]),
        .testTarget(name: "KLSLanguageTests", dependencies: ["KLSLanguage", "KLSTensor"]),
        .testTarget(name: "KLSShellTests", dependencies: ["KLSShell", "KLSLanguage", "KLSTensor"]),
        // Runs the built `kls` binary; scripts/test builds it first and passes its path.
        .testTarget(name: "EndToEndTests", dependencies: ["KLSLanguage"], exclude: ["Scripts"]),
    ],
    swiftLanguageModes: [.v6]
)
