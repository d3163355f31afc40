/// Problems finding, reading or writing zoo entries; each message is one line naming the file.
public enum ZooError: Error, CustomStringConvertible, Equatable {
    case unknownModel(String, searched: [String], known: [String])
    case missingFile(String)
    case badEntry(path: String, reason: String)
    case unknownTokenizerKind(String, known: [String])
    case wrongTask(model: String, expected: String, found: String)
    case cannotWrite(path: String, reason: String)
    /// An entry or file a command would replace without `--force`.
    case outputExists(path: String)
    /// An entry a command would replace with the model it read from it (`zoo finetune`).
    case outputIsSource(path: String, model: String)

    public var description: String {
        switch self {
        case .unknownModel(let name, let searched, let known):
            let list = known.isEmpty ? "no models there" : "known: \(known.joined(separator: ", "))"
            return "no model '\(name)': not a directory with a config.json, nor a model in the zoos searched, "
                + "\(searched.joined(separator: ", ")) (\(list)); give a model directory, or a zoo with --zoo DIR or ZOO_DIR"
        case .missingFile(let path):
            return "\(path): no such file"
        case .badEntry(let path, let reason):
            return "\(path): \(reason)"
        case .unknownTokenizerKind(let kind, let known):
            return "unknown tokenizer kind '\(kind)' (known: \(known.joined(separator: ", ")))"
        case .wrongTask(let model, let expected, let found):
            return "model '\(model)' is for \(found) (its config.json's task); this command needs a \(expected) entry"
        case .cannotWrite(let path, let reason):
            return "\(path): cannot write: \(reason)"
        case .outputExists(let path):
            return "\(path) exists; pass --force to replace it"
        case .outputIsSource(let path, let model):
            return "\(path) is where \(model) is read from; a model never replaces its own source, even with --force: give another --out"
        }
    }
}
