// swift-tools-version:6.1
import PackageDescription

// SwiftPM refuses a package with unsafe flags when another package depends on it by version, so
// the flags below are passed only when ZOO_NATIVE_BUILD=1 (the Makefile sets it for every build and
// test of this project); without it the package has none and builds as a versioned dependency.
let nativeBuild = Context.environment["ZOO_NATIVE_BUILD"] == "1"
func unsafe(_ flags: [String], _ condition: BuildSettingCondition? = nil) -> [SwiftSetting] {
    nativeBuild ? [.unsafeFlags(flags, condition)] : []
}
func unsafeC(_ flags: [String]) -> [CSetting] { nativeBuild ? [.unsafeFlags(flags)] : [] }

// The numeric modules are optimized even in debug builds (tests train small models), whole-module
// in release; they target the machine's CPU so SIMD16<Float> lowers to AVX-512.
let fast = unsafe(["-O"]) + unsafe(["-wmo"], .when(configuration: .release))
let native = unsafe(["-Xcc", "-march=native"])
let yams = Target.Dependency.product(name: "Yams", package: "Yams")
// Each module's folder opens with a README.md: what it is and what it may import.
let note = ["README.md"]

// Every dependency points down: zoo -> Tasks -> Recipes -> {Training, ModelZoo} -> {Models, Metrics}
// -> {Layers, Tokenization, Data} -> Tensors -> the C targets. README.md draws the graph.
let package = Package(
    name: "TransformerZoo",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "zoo", targets: ["zoo"]),
        .library(name: "Tensors", targets: ["Tensors"]),
        .library(name: "Layers", targets: ["Layers"]),
        .library(name: "Tokenization", targets: ["Tokenization"]),
        .library(name: "Data", targets: ["Data"]),
        .library(name: "Metrics", targets: ["Metrics"]),
        .library(name: "Models", targets: ["Models"]),
        // Every parser a user's file reaches, for the libFuzzer targets of Fuzz/ and the regression tests.
        .library(name: "FuzzEntry", targets: ["FuzzEntry"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // C targets.
        .target(name: "CBLAS", cSettings: unsafeC(["-O2"]), linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "CThreadPool", cSettings: unsafeC(["-O2"]), linkerSettings: [.linkedLibrary("pthread")]),
        // -ffp-contract=off is redundant with the FP_CONTRACT pragma in its source, which keeps the
        // kernels bit-exact in every build; kept so the native build's flags stay what they were.
        .target(name: "CKernels", cSettings: unsafeC(["-O2", "-march=native", "-ffp-contract=off"])),
        // Products over int8 and bf16 weights; each instruction set's path is picked at run time.
        .target(name: "CQuant", cSettings: unsafeC(["-O2"])),
        .target(name: "CICU", cSettings: unsafeC(["-O2"]), linkerSettings: [.linkedLibrary("icuuc")]),
        // Open MPI for data-parallel training, loaded at run time (dlopen) by a process mpirun started.
        .target(name: "CMPI", cSettings: unsafeC(["-O2"]), linkerSettings: [.linkedLibrary("dl")]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // The numeric floors.
        .target(name: "Tensors", dependencies: ["CBLAS", "CThreadPool", "CQuant", "CKernels"], exclude: note, swiftSettings: fast + native),
        .target(name: "Data", dependencies: ["CZlib"], exclude: note, swiftSettings: fast),
        .target(name: "Layers", dependencies: ["Tensors", "CKernels", "Data"], exclude: note, swiftSettings: fast + native),
        .target(name: "Tokenization", dependencies: ["CICU"], exclude: note, swiftSettings: fast + native),

        // The rooms above them.
        .target(name: "Metrics", dependencies: ["Data"], exclude: note, swiftSettings: fast),
        .target(name: "Models", dependencies: ["Layers", "Tokenization", "Data"], exclude: note, swiftSettings: fast + native),
        .target(name: "Training", dependencies: ["Layers", "CMPI"], exclude: note, swiftSettings: fast + native),
        .target(name: "ModelZoo", dependencies: ["Models", "Tokenization", "Data"], exclude: note, swiftSettings: fast + native),
        .target(name: "Recipes", dependencies: ["Training", "ModelZoo", "Tokenization", yams], exclude: note, swiftSettings: fast + native),
        .target(name: "Tasks", dependencies: ["Recipes", "Training", "ModelZoo", "Models", "Metrics", "Data", "Layers", "Tokenization"], exclude: note,
                swiftSettings: fast + native),

        .target(name: "ZooBenchmarks", dependencies: ["Tensors", "Layers", "Tokenization", "Data", "Models", "Training", "Tasks"],
                path: "Benchmarks/ZooBenchmarks", swiftSettings: fast + native),
        .target(name: "FuzzEntry", dependencies: ["Tasks", "Layers", "Tokenization"], exclude: note),
        .executableTarget(name: "zoo", dependencies: [
            "Tensors", "Layers", "Tokenization", "Data", "Metrics", "Models", "Training", "ModelZoo", "Recipes", "Tasks",
            "ZooBenchmarks", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], exclude: note),

        // One test target per module, and the command line end to end.
        .testTarget(name: "TensorsTests", dependencies: ["Tensors"]),
        .testTarget(name: "LayersTests", dependencies: ["Layers", "Tensors", "Models"]),
        .testTarget(name: "TokenizationTests", dependencies: ["Tokenization"]),
        .testTarget(name: "DataTests", dependencies: ["Data", "CZlib"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics", "Data"]),
        .testTarget(name: "ModelZooTests", dependencies: ["ModelZoo", "Models", "Layers"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Layers", "Tokenization", "Data", "Tasks"]),
        // The trainer, recipes and families are tested on real tasks with tiny models (TestSupport).
        .target(name: "TestSupport", dependencies: ["Tasks"], path: "Tests/TestSupport"),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Tasks", "TestSupport"]),
        .testTarget(name: "RecipesTests", dependencies: ["Recipes", "Tasks", "TestSupport"]),
        .testTarget(name: "TasksTests", dependencies: ["Tasks", "TestSupport", "FuzzEntry"]),
        .testTarget(name: "ZooCLITests", dependencies: ["zoo", "Layers"]),
        // Another package depending on this one by version builds and tokenizes.
        .testTarget(name: "PackageTests", dependencies: ["Tokenization"]),
    ],
    swiftLanguageModes: [.v5]
)
