// swift-tools-version:6.1
import PackageDescription

// The numeric modules are optimized even in debug builds (tests train small models), whole-module
// in release; they target the machine's CPU so SIMD16<Float> lowers to AVX-512 (MACHINE-NOTES).
let fast: [SwiftSetting] = [.unsafeFlags(["-O"]), .unsafeFlags(["-wmo"], .when(configuration: .release))]
let native: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-march=native"])]

let package = Package(
    name: "TransformerZoo",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "zoo", targets: ["zoo"]),
        .library(name: "Tensors", targets: ["Tensors"]),
        .library(name: "Layers", targets: ["Layers"]),
        .library(name: "Tokenization", targets: ["Tokenization"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .target(name: "CBLAS", cSettings: [.unsafeFlags(["-O2"])], linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "CThreadPool", cSettings: [.unsafeFlags(["-O2"])], linkerSettings: [.linkedLibrary("pthread")]),
        // No contraction into fused multiply-adds: its kernels give the bits of the Swift code they replace.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O2", "-march=native", "-ffp-contract=off"])]),
        .target(name: "Tensors", dependencies: ["CBLAS", "CThreadPool"], swiftSettings: fast + native),
        .target(name: "Layers", dependencies: ["Tensors", "CKernels"], swiftSettings: fast + native),
        .target(name: "CICU", cSettings: [.unsafeFlags(["-O2"])], linkerSettings: [.linkedLibrary("icuuc")]),
        .target(name: "Tokenization", dependencies: ["CICU"], swiftSettings: fast + native),
        .target(name: "Tasks", dependencies: ["Layers", "Tokenization", .product(name: "Yams", package: "Yams")], swiftSettings: fast + native),
        .target(name: "ZooBenchmarks", dependencies: ["Tensors", "Layers", "Tokenization", "Tasks"], path: "Benchmarks/ZooBenchmarks",
                swiftSettings: fast + native),
        .executableTarget(name: "zoo", dependencies: [
            "Tensors", "Layers", "Tokenization", "Tasks", "ZooBenchmarks",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors"]),
        .testTarget(name: "LayersTests", dependencies: ["Layers", "Tensors"]),
        .testTarget(name: "TasksTests", dependencies: ["Tasks", "Layers"]),
        .testTarget(name: "TokenizationTests", dependencies: ["Tokenization"]),
        .testTarget(name: "ZooCLITests", dependencies: ["zoo"]),
    ],
    swiftLanguageModes: [.v5]
)
