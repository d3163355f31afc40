import Foundation
import Layers
import Tasks
import Tokenization

/// A parser of user files under fuzzing; its raw value names the fuzz executable (`fuzz-<raw>`),
/// its seed corpus (`Fuzz/corpus/<raw>/`) and its regressions (`Tests/Fixtures/fuzz-regressions/<raw>/`).
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// A `.safetensors` file: header, then every tensor converted to Float32.
    case safetensors
    /// A SentencePiece `.model` file, then the tokenizer built from it.
    case sentencepieceModel = "sentencepiece-model"
    /// A zoo entry's `config.json`: decoding and `ZooEntryConfig.validate`.
    case zooConfig = "zoo-config"
    /// A recipe's YAML (`RecipeLoader.load`).
    case recipeYAML = "recipe-yaml"
    /// A PGM or PPM image.
    case netpbm
    /// An IDX file, gzip-compressed or not.
    case idx
    /// A gzip stream.
    case gzip
    /// A WMT SGML test set.
    case wmtSGML = "wmt-sgml"
    /// A bracketed treebank (Penn Treebank `.mrg`, CRAFT `.tree`, one tree a line).
    case ptbTrees = "ptb-trees"
    /// Arbitrary text through the committed tokenizers' encode and decode.
    case tokenizerEncode = "tokenizer-encode"
    /// GPT-2's `vocab.json` and `merges.txt`, given as one input split at its first NUL byte.
    case gpt2BPE = "gpt2-bpe"
}

/// What a target made of an input: a summary of what was read, or the error that refused it.
public enum FuzzOutcome: Sendable {
    case accepted(String)
    case rejected(String)

    public var isAccepted: Bool { if case .accepted = self { return true } else { return false } }
    public var message: String { switch self { case .accepted(let s), .rejected(let s): s } }
}

extension FuzzTarget {
    /// Runs the parser on `bytes`. A thrown error is an outcome (its description, which is what
    /// the user sees, is built too); only a trap is a finding.
    public func run(_ bytes: [UInt8]) -> FuzzOutcome {
        do {
            return .accepted(try parse(bytes))
        } catch {
            return .rejected(String(describing: error))
        }
    }

    /// The libFuzzer entry: `LLVMFuzzerTestOneInput` of each `Fuzz/` executable calls this.
    public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
        _ = run(Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }

    private func parse(_ bytes: [UInt8]) throws -> String {
        switch self {
        case .safetensors:
            return try FuzzFiles.withFile(bytes, named: "model.safetensors") { path in
                let file = try SafetensorsFile(path: path)
                var values = 0
                for name in file.names {
                    let info = try file.info(name)
                    if info.dtype.convertsToFloat { values += try file.tensor(name).count }
                }
                return "\(file.names.count) tensors, \(values) values, \(file.metadata.count) metadata"
            }
        case .sentencepieceModel:
            let model = try ModelProto(bytes: bytes, path: "fuzz.model")
            _ = model.serialized()
            let tokenizer = try SentencePieceTokenizer(model: model)
            let ids = tokenizer.encode(FuzzFiles.sampleText)
            return "\(tokenizer.vocabularySize) pieces, \(ids.count) ids: \(tokenizer.decode(ids))"
        case .zooConfig:
            let config = try JSONDecoder().decode(ZooEntryConfig.self, from: Data(bytes))
            try config.validate(file: "config.json", weightValues: nil)
            try config.validate(file: "config.json", weightValues: 1 << 24)
            return "\(config.name): \(config.task)"
        case .recipeYAML:
            FuzzFiles.registerFamilies
            let recipe = try FuzzFiles.withFile(bytes, named: "recipe.yaml") { try RecipeLoader.load(path: $0) }
            return "\(recipe.name)"
        case .netpbm:
            let image = try NetpbmImage.decode(bytes, file: "fuzz.pgm").image
            return "\(image.width)x\(image.height)x\(image.channels)"
        case .idx:
            let array = try FuzzFiles.withFile(bytes, named: "fuzz-idx1-ubyte") { try IDXArray.read(path: $0) }
            return "\(array.dimensions)"
        case .gzip:
            return "\(try Gzip.decompress(bytes, file: "fuzz.gz", limit: 1 << 24).count) bytes"
        case .wmtSGML:
            let sgml = try FuzzFiles.withFile(bytes, named: "fuzz.sgm") { try WMTSGML.read($0) }
            return "\(sgml.segments.count) segments"
        case .ptbTrees:
            let trees = try Treebank.parse(Data(bytes), file: "fuzz.mrg")
            let kept = trees.compactMap(Treebank.normalized)
            return "\(trees.count) trees, \(kept.count) kept: \(kept.first.map { "\($0)" } ?? "")"
        case .tokenizerEncode:
            let text = String(decoding: bytes, as: UTF8.self)
            var lengths: [Int] = []
            for tokenizer in try FuzzFiles.sentencePieceTokenizers() {
                let ids = tokenizer.encode(text)
                _ = tokenizer.encodePieces(text)
                _ = tokenizer.decode(ids)
                lengths.append(ids.count)
            }
            let gpt2 = try FuzzFiles.gpt2Tokenizer()
            let ids = gpt2.encode(text)
            _ = gpt2.decode(ids)
            return "\(lengths + [ids.count]) ids"
        case .gpt2BPE:
            let split = bytes.firstIndex(of: 0) ?? bytes.endIndex
            let vocab = Array(bytes[..<split])
            let merges = split < bytes.endIndex ? Array(bytes[(split + 1)...]) : []
            return try FuzzFiles.withDirectory(["vocab.json": vocab, "merges.txt": merges]) { dir in
                let bpe = try ByteLevelBPETokenizer(directory: dir)
                let ids = bpe.encode(FuzzFiles.sampleText)
                return "\(ids.count) ids: \(bpe.decode(ids))"
            }
        }
    }
}
