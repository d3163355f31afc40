// swift-tools-version:6.1
import PackageDescription

// The libFuzzer targets: one executable per parser (FuzzEntry.FuzzTarget), each a single
// `LLVMFuzzerTestOneInput` whose main.swift hands over to libFuzzer's driver (CFuzzDriver). They link only when built with the fuzzer sanitizer, so they live in
// this package beside the main one, never in its `swift build`. They use it by path, where SwiftPM
// allows its native flags, so ZOO_NATIVE_BUILD=1 (set by `make fuzz`) builds it as the project does:
//
//     ZOO_NATIVE_BUILD=1 swift build --package-path Fuzz -c release -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address
//
// One comma-separated -sanitize: swiftc keeps only the last -sanitize= it is given, so SwiftPM's
// `--sanitize=fuzzer --sanitize=address` would compile without the coverage libFuzzer steers by.
// `make fuzz` builds them that way and runs each on Fuzz/corpus/<target>/.
let targets: [(product: String, module: String)] = [
        ("fuzz-safetensors", "FuzzSafetensors"),
        ("fuzz-sentencepiece-model", "FuzzSentencepieceModel"),
        ("fuzz-zoo-config", "FuzzZooConfig"),
        ("fuzz-recipe-yaml", "FuzzRecipeYAML"),
        ("fuzz-netpbm", "FuzzNetpbm"),
        ("fuzz-idx", "FuzzIDX"),
        ("fuzz-gzip", "FuzzGzip"),
        ("fuzz-wmt-sgml", "FuzzWMTSGML"),
        ("fuzz-ptb-trees", "FuzzPTBTrees"),
        ("fuzz-tokenizer-encode", "FuzzTokenizerEncode"),
        ("fuzz-gpt2-bpe", "FuzzGPT2BPE"),
]

let package = Package(
    name: "ZooFuzz",
    products: targets.map { .executable(name: $0.product, targets: [$0.module]) },
    dependencies: [.package(name: "TransformerZoo", path: "..")],
    targets: [.target(name: "CFuzzDriver")] + targets.map {
        .executableTarget(name: $0.module, dependencies: ["CFuzzDriver", .product(name: "FuzzEntry", package: "TransformerZoo")],
                          path: "Sources/\($0.module)")
    }
)
