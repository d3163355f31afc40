import Foundation
import Layers
import Tensors
import Tokenization

/// A model in the zoo: a directory with `config.json`, `model.safetensors`, the tokenizer
/// file(s) and `card.md`.
public struct ZooEntry: Sendable {
    public static let configFile = "config.json", weightsFile = "model.safetensors", cardFile = "card.md"

    public let directory: URL
    public let config: ZooEntryConfig

    public var name: String { config.name }

    /// Reads the entry's `config.json` and checks every field (`ZooEntryConfig.validate`), the
    /// model's size against the values its weights file holds, so a hand-edited file is one
    /// error line here rather than a trap when the model is built.
    public init(directory: URL) throws {
        self.directory = directory
        let url = directory.appendingPathComponent(Self.configFile)
        // As the user named it: `Zoo/gpt-kjv/config.json` for an entry of the zoo in the current directory.
        let file = url.relativePath
        guard let data = FileManager.default.contents(atPath: url.path) else { throw ZooError.missingFile(file) }
        do {
            config = try JSONDecoder().decode(ZooEntryConfig.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw ZooError.badEntry(path: file, reason: "missing key '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw ZooError.badEntry(path: file, reason: "key '\(path)': \(context.debugDescription)")
        } catch let DecodingError.dataCorrupted(context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw ZooError.badEntry(path: file, reason: path.isEmpty ? "not valid JSON" : "key '\(path)': \(context.debugDescription)")
        } catch {
            throw ZooError.badEntry(path: file, reason: "\(error)")
        }
        let weights = directory.appendingPathComponent(Self.weightsFile)
        guard FileManager.default.fileExists(atPath: weights.path) else { throw ZooError.missingFile(weights.relativePath) }
        try config.validate(file: file, weightValues: try SafetensorsFile(path: weights.path).valueCount)
    }

    /// Throws unless the entry is a model of `task`.
    public func require(_ task: TaskName) throws {
        guard config.task == task else { throw ZooError.wrongTask(model: name, expected: task.rawValue, found: config.task.rawValue) }
    }

    /// How the entry's matrices are stored; nil for fp32.
    public var quantization: QuantizedKind? { config.dtype.flatMap(QuantizedKind.init(rawValue:)) }

    /// The model `make` builds, for `loadWeights(into:)`: it draws no initial values, which the
    /// entry's weights replace anyway, so loading costs no time drawing them nor memory holding
    /// them (and a quantized entry's matrices never hold fp32 values). Dropout's generators are
    /// seeded apart from the drawn values, so they are as a normally built model's.
    public func makeModel<M>(_ make: () -> M) -> M {
        Tensor.$valuesWillBeLoaded.withValue(true) { make() }
    }

    /// Loads the weights into `model` (a quantized entry's matrices with their quantized forms);
    /// a missing or mismatched tensor names the weights file.
    public func loadWeights(into model: some Module) throws {
        let path = directory.appendingPathComponent(Self.weightsFile).path
        do {
            guard FileManager.default.fileExists(atPath: path) else { throw ZooError.missingFile(path) }
            let file = try SafetensorsFile(path: path)
            guard let kind = quantization else { return try model.load(file) }
            try ModelQuantization.load(file, kind: kind, into: model)
        } catch let error as StateDictError {
            throw ZooError.badEntry(path: path, reason: "\(error)")
        }
    }

    /// Throws unless the entry is fp32: training updates fp32 weights, which a quantized entry
    /// only approximates.
    public func requireFullPrecision(for what: String) throws {
        guard let dtype = config.dtype else { return }
        throw ZooError.badEntry(path: directory.appendingPathComponent(Self.configFile).relativePath,
                                reason: "\(name) is quantized (\(dtype)); \(what) needs an fp32 entry: use the one it was quantized from\(config.quantizedFrom.map { " (\($0))" } ?? "")")
    }

    /// The entry's tokenizer, by its kind.
    public func loadTokenizer() throws -> any TextTokenizer {
        let kind = try TokenizerRegistry.kind(config.tokenizer.kind)
        let files = config.tokenizer.files.map { directory.appendingPathComponent($0) }
        guard files.count == kind.files.count else {
            throw ZooError.badEntry(path: directory.appendingPathComponent(Self.configFile).path,
                                    reason: "a \(config.tokenizer.kind) tokenizer is \(kind.files.count) file(s), config.json lists \(files.count)")
        }
        for f in files where !FileManager.default.fileExists(atPath: f.path) { throw ZooError.missingFile(f.path) }
        return try kind.load(files)
    }

    /// The weights by name.
    public func loadWeights() throws -> [String: Tensor] {
        let path = directory.appendingPathComponent(Self.weightsFile).path
        guard FileManager.default.fileExists(atPath: path) else { throw ZooError.missingFile(path) }
        return try SafetensorsFile(path: path).tensors()
    }

    /// The model card's text, if there is one.
    public var card: String? {
        try? String(contentsOf: directory.appendingPathComponent(Self.cardFile), encoding: .utf8)
    }
}
