// swift-tools-version:6.0
// The libFuzzer harness, in a package of its own: it is built with
// `-sanitize=fuzzer,address -parse-as-library` (libFuzzer supplies `main`), which
// the kls executable cannot be. Run it with scripts/fuzz, not by hand.
import PackageDescription

let package = Package(
    name: "kls-fuzz",
    dependencies: [.package(name: "kls", path: "..")],
    targets: [
        .executableTarget(
            name: "FuzzKLS",
            dependencies: [
                .product(name: "KLSLanguage", package: "kls"),
                .product(name: "KLSTensor", package: "kls"),
            ]
        )
    ],
    swiftLanguageModes: [.v6]
)
