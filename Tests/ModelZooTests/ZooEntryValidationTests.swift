import Foundation
import Layers
import Models
import ModelZoo
import Testing

/// A hand-edited `config.json` is one thrown `ConfigError` naming the file and the field when the
/// entry is read, never a trap (a precondition, a division by zero, a terabyte allocation) or a
/// silently wrong model later. Each test exports a small entry of one kind, edits one field of
/// its config.json in a temporary directory and reads it back.
@Suite struct ZooEntryValidationTests {
    /// A small entry of each kind the zoo holds, written by the registry as a run would.
    enum Fixture {
        case gpt, translation, vit, chartParser, seq2seqParser

        var config: ZooEntryConfig {
            let training = ZooEntryConfig.TrainingInfo(recipe: nil, data: "none", steps: 0, tokens: 0, wallSeconds: 0, parameters: 0)
            let tokenizer = ZooEntryConfig.TokenizerInfo(kind: "sentencepiece", files: ["tokenizer.model"])
            switch self {
            case .gpt:
                // d_model 256, as the shipped gpt-kjv.
                let model = GPT.gptConfig(vocabSize: 10, context: 8, dModel: 256, heads: 4, layers: 1, ffnDim: 32)
                return ZooEntryConfig(name: "gpt", task: "language-model", model: model, tokenizer: tokenizer, metrics: [:], training: training)
            case .translation:
                let model = Self.encoderDecoder()
                var config = ZooEntryConfig(name: "mt", task: "translation", model: model, tokenizer: tokenizer, metrics: [:], training: training)
                config.languages = ["en", "es"]
                return config
            case .vit:
                // A 16×16 grey image, a two-block stem to 8×8, 4×4 patches: 4 patches.
                let vision = VisionTransformerConfig(imageWidth: 16, imageHeight: 16, channels: 1, patchSize: 4, dModel: 16, heads: 2,
                                                     ffnDim: 32, layers: 1, labels: ["bright", "dark"],
                                                     stem: ConvStemConfig(channels: [4, 8], strides: [1, 2]))
                return ZooEntryConfig(name: "vit", task: "image-classification", model: vision.encoder,
                                      tokenizer: .init(kind: "none", files: []), metrics: [:], training: training, vision: vision,
                                      image: ImagePreprocessing(channels: 1, width: 16, height: 16, mean: [0.5], std: [0.25]))
            case .chartParser:
                var encoder = Self.encoderDecoder()
                encoder.decoderLayers = 0
                var config = ZooEntryConfig(name: "chart", task: "parsing", model: encoder, tokenizer: tokenizer, metrics: [:], training: training)
                config.parser = ChartParserConfig(encoder: encoder, labels: ["∅", "NP", "S"], tags: ["DT", "NN"], spanHidden: 8)
                return config
            case .seq2seqParser:
                var model = Self.encoderDecoder()
                model.targetVocabSize = 6
                model.shareEmbeddings = false
                var config = ZooEntryConfig(name: "seq2seq", task: "parsing", model: model, tokenizer: tokenizer, metrics: [:], training: training)
                config.seq2seqParser = Seq2SeqParserConfig(targets: ["<eos>", "(S", ")S", "(NP", ")NP", "XX"], tags: false)
                return config
            }
        }

        static func encoderDecoder() -> TransformerConfig {
            TransformerConfig(dModel: 16, heads: 2, ffnDim: 32, encoderLayers: 1, decoderLayers: 1, vocabSize: 10, maxLength: 8, dropout: 0)
        }

        var model: any Module {
            let c = config
            switch self {
            case .gpt: return GPT(c.model)
            case .translation, .seq2seqParser: return EncoderDecoder(c.model)
            case .vit: return VisionTransformer(c.vision!)
            case .chartParser: return ChartParser(c.parser!)
            }
        }
    }

    /// Exports `fixture` into a fresh zoo, applies `edit` to its config.json (as JSON) and returns
    /// the entry's directory; the caller removes `zoo`'s parent.
    static func edited(_ fixture: Fixture, in dir: URL, _ edit: (inout [String: Any]) -> Void) throws -> URL {
        let directory = dir.appendingPathComponent("Zoo/\(fixture.config.name)")
        let model = fixture.model
        var config = fixture.config
        config.training.parameters = model.parameterCount
        let tokenizers = config.tokenizer.files.isEmpty ? [] : [ZooRegistryTests.tokenizerFixture]
        try ZooRegistry.export(ZooExport(config: config, weights: model.namedTensors.map { ($0.name, $0.tensor) },
                                         tokenizerFiles: tokenizers, card: "# \(config.name)\n"), to: directory)
        let file = directory.appendingPathComponent("config.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        edit(&json)
        try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted]).write(to: file)
        return directory
    }

    /// The error reading the entry after `edit`, which must be a thrown `ConfigError` (a trap
    /// would end the test process instead); "" when the entry reads.
    static func error(_ fixture: Fixture, _ edit: (inout [String: Any]) -> Void) throws -> String {
        let dir = try ZooRegistryTests.temporaryDirectory("validation")
        defer { try? FileManager.default.removeItem(at: dir) }
        let directory = try edited(fixture, in: dir, edit)
        do {
            _ = try ZooEntry(directory: directory)
            return ""
        } catch let error as ConfigError {
            #expect(error.file == directory.appendingPathComponent("config.json").path)
            return "\(error)".replacingOccurrences(of: directory.path + "/", with: "Zoo/\(fixture.config.name)/")
        }
    }

    /// Sets `json[path]` for a dotted path of objects.
    static func set(_ json: inout [String: Any], _ path: String, _ value: Any) {
        let keys = path.split(separator: ".").map(String.init)
        func assign(_ object: inout [String: Any], _ keys: ArraySlice<String>) {
            if keys.count == 1 { object[keys.first!] = value; return }
            var inner = object[keys.first!] as? [String: Any] ?? [:]
            assign(&inner, keys.dropFirst())
            object[keys.first!] = inner
        }
        assign(&json, keys[...])
    }

    static func error(_ fixture: Fixture, set path: String, to value: Any) throws -> String {
        try error(fixture) { set(&$0, path, value) }
    }

    /// Every fixture reads as written: the checks refuse nothing a run or an import writes.
    @Test func untouchedEntriesRead() throws {
        for fixture in [Fixture.gpt, .translation, .vit, .chartParser, .seq2seqParser] {
            #expect(try Self.error(fixture) { _ in } == "", "\(fixture)")
        }
    }

    /// The shipped zoo reads whole (what `make demo` and the README load).
    @Test func shippedEntriesRead() throws {
        let zoo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Zoo")
        let names = try FileManager.default.contentsOfDirectory(atPath: zoo.path).filter { !$0.hasPrefix(".") && $0 != "index.json" }
        try #require(!names.isEmpty)
        for name in names {
            #expect(throws: Never.self, "\(name)") { try ZooEntry(directory: zoo.appendingPathComponent(name)) }
        }
    }

    // MARK: - The shared stacks

    @Test func headsThatDoNotDivideTheWidth() throws {
        #expect(try Self.error(.gpt, set: "model.heads", to: 3) == "Zoo/gpt/config.json: field 'model.heads': 3 does not divide model.dModel 256")
    }

    @Test func zeroHeads() throws {
        #expect(try Self.error(.gpt, set: "model.heads", to: 0) == "Zoo/gpt/config.json: field 'model.heads': expected an integer in [1, 256], found 0")
    }

    @Test func negativeLayers() throws {
        #expect(try Self.error(.gpt, set: "model.decoderLayers", to: -1)
                == "Zoo/gpt/config.json: field 'model.decoderLayers': expected an integer in [0, 1024], found -1")
    }

    /// A billion positions would allocate a terabyte-sized table before any weight is read.
    @Test func hugeMaximumLength() throws {
        #expect(try Self.error(.gpt, set: "model.maxLength", to: 1_000_000_000)
                == "Zoo/gpt/config.json: field 'model.maxLength': expected an integer in [1, 65536], found 1000000000")
    }

    /// Sizes within their ranges that still describe a model bigger than its weights file: the
    /// check counts the big matrices a config implies against the values the file's header holds.
    @Test func aModelBiggerThanItsWeights() throws {
        let implied = 4_000_000 * 256 + 8 * 256 + (4 * 256 * 256 + 2 * 256 * 32)
        let held = Fixture.gpt.model.namedTensors.reduce(0) { $0 + $1.tensor.count }
        #expect(try Self.error(.gpt, set: "model.vocabSize", to: 4_000_000)
                == "Zoo/gpt/config.json: field 'model': describes at least \(implied) parameters, more than the \(held) values of model.safetensors")
    }

    /// One position leaves the decoder no room after its start token: an empty translation.
    @Test func translationWithOnePosition() throws {
        #expect(try Self.error(.translation, set: "model.maxLength", to: 1)
                == "Zoo/mt/config.json: field 'model.maxLength': expected an integer in [2, 65536], found 1")
        #expect(try Self.error(.translation, set: "languages", to: ["en"])
                == "Zoo/mt/config.json: field 'languages': expected a list of 2 languages, found 1")
    }

    // MARK: - Vision

    @Test func patchSizeZero() throws {
        #expect(try Self.error(.vit, set: "vision.patchSize", to: 0)
                == "Zoo/vit/config.json: field 'vision.patchSize': expected an integer in [1, 8], found 0")
    }

    @Test func patchSizeThatDoesNotDivideTheInput() throws {
        #expect(try Self.error(.vit, set: "vision.patchSize", to: 5)
                == "Zoo/vit/config.json: field 'vision.patchSize': 5 does not divide the stem's 8×8 output")
        // Without the stem, the patches cut the 16×16 image; then 5 does not divide it either.
        let message = try Self.error(.vit) { json in
            var vision = json["vision"] as! [String: Any]
            vision["stem"] = nil
            vision["patchSize"] = 5
            json["vision"] = vision
        }
        #expect(message == "Zoo/vit/config.json: field 'vision.patchSize': 5 does not divide the 16×16 image")
    }

    @Test func noLabels() throws {
        #expect(try Self.error(.vit, set: "vision.labels", to: [String]())
                == "Zoo/vit/config.json: field 'vision.labels': expected a list of at least 1 label, found an empty list")
    }

    @Test func threeMeansForOneChannel() throws {
        #expect(try Self.error(.vit, set: "image.mean", to: [0.5, 0.5, 0.5])
                == "Zoo/vit/config.json: field 'image.mean': expected a list of 1 number (the model has 1 channel), found 3 numbers")
    }

    /// A zero standard deviation divides every pixel by zero: NaN probabilities and exit 0.
    @Test func zeroStandardDeviation() throws {
        #expect(try Self.error(.vit, set: "image.std", to: [0])
                == "Zoo/vit/config.json: field 'image.std': expected a list of 1 number greater than 0, found 0.0 in the list")
    }

    @Test func stemStrideZero() throws {
        #expect(try Self.error(.vit, set: "vision.stem.strides", to: [0, 2])
                == "Zoo/vit/config.json: field 'vision.stem.strides': expected a list of integers in [1, 16], found 0 in the list")
    }

    @Test func imageAndModelDisagree() throws {
        #expect(try Self.error(.vit, set: "image.width", to: 32)
                == "Zoo/vit/config.json: field 'image.width': 32 differs from vision.imageWidth 16")
        #expect(try Self.error(.vit, set: "vision.encoder.maxLength", to: 50)
                == "Zoo/vit/config.json: field 'vision.encoder.maxLength': expected 1 + the 4 patches of the stem's 8×8 output (vision.patchSize 4), found 50")
    }

    // MARK: - Parsers and the rest

    @Test func chartParserFields() throws {
        #expect(try Self.error(.chartParser, set: "parser.tags", to: [String]())
                == "Zoo/chart/config.json: field 'parser.tags': expected a list of at least 1 tag, found an empty list")
        #expect(try Self.error(.chartParser, set: "parser.spanHidden", to: 0)
                == "Zoo/chart/config.json: field 'parser.spanHidden': expected an integer in [1, 262144], found 0")
        #expect(try Self.error(.chartParser, set: "parser.encoder.heads", to: 3)
                == "Zoo/chart/config.json: field 'parser.encoder.heads': 3 does not divide parser.encoder.dModel 16")
    }

    @Test func sequenceToSequenceParserFields() throws {
        #expect(try Self.error(.seq2seqParser, set: "seq2seqParser.targets", to: ["<eos>", "XX"])
                == "Zoo/seq2seq/config.json: field 'seq2seqParser.targets': expected one target token per output of the decoder (model.targetVocabSize 6), found 2")
        #expect(try Self.error(.seq2seqParser, set: "seq2seqParser.beam", to: 0)
                == "Zoo/seq2seq/config.json: field 'seq2seqParser.beam': expected an integer in [1, 64], found 0")
        #expect(try Self.error(.seq2seqParser, set: "model.shareEmbeddings", to: true)
                == "Zoo/seq2seq/config.json: field 'model.shareEmbeddings': a target vocabulary of its own (model.targetVocabSize 6) needs separate embeddings: expected false")
    }

    @Test func tokenizerAndTrainingFields() throws {
        #expect(try Self.error(.gpt, set: "tokenizer.files", to: ["../../etc/passwd"])
                == "Zoo/gpt/config.json: field 'tokenizer.files': expected file names inside the entry's directory, found \"../../etc/passwd\" in the list")
        #expect(try Self.error(.gpt, set: "training.steps", to: -5)
                == "Zoo/gpt/config.json: field 'training.steps': expected an integer at least 0, found -5")
        #expect(try Self.error(.gpt, set: "training.created", to: "yesterday")
                == "Zoo/gpt/config.json: field 'training.created': expected an ISO 8601 time such as \"2026-01-31T12:00:00Z\", found \"yesterday\"")
    }

    /// The registry refuses to write what it would refuse to read.
    @Test func exportsAreCheckedBeforeAnythingIsWritten() throws {
        let dir = try ZooRegistryTests.temporaryDirectory("validation-export")
        defer { try? FileManager.default.removeItem(at: dir) }
        var config = Fixture.gpt.config
        config.model.heads = 3
        let destination = dir.appendingPathComponent("Zoo/gpt")
        let message = ZooRegistryTests.errorMessage {
            try ZooRegistry.export(ZooExport(config: config, weights: [], tokenizerFiles: [ZooRegistryTests.tokenizerFixture], card: ""),
                                   to: destination)
        }
        #expect(message == "\(destination.path)/config.json: field 'model.heads': 3 does not divide model.dModel 256")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("Zoo").path))
    }
}
