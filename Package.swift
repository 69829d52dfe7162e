// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way only:
// KLSTensor ← KLSDistributions ← KLSLanguage ← KLSShell ← kls
let package = Package(
    name: "kls",
    products: [
        .executable(name: "kls", targets: ["kls"]),
        .library(name: "KLSTensor", targets: ["KLSTensor"]),
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
            dependencies: [.product(name: "RealModule", package: "swift-numerics")]
        ),
        .target(name: "KLSDistributions", dependencies: ["KLSTensor"]),
        .target(name: "KLSLanguage", dependencies: ["KLSTensor", "KLSDistributions"]),
        .target(name: "KLSShell", dependencies: ["KLSLanguage"]),
        .executableTarget(
            name: "kls",
            dependencies: ["KLSShell", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(
            name: "KLSTensorTests",
            dependencies: ["KLSTensor", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(name: "KLSLanguageTests", dependencies: ["KLSLanguage"]),
        .testTarget(name: "KLSShellTests", dependencies: ["KLSShell"]),
        .testTarget(name: "EndToEndTests", dependencies: [], resources: [.copy("Scripts")]),
    ],
    swiftLanguageModes: [.v6]
)
