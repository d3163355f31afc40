/// Errors from reading, writing or loading a tokenizer model. Each message names the file and,
/// for malformed bytes, the byte offset where reading stopped.
public enum TokenizerError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The bytes are not a well-formed ModelProto (truncated, bad varint, wrong wire type, ...).
    case malformedModel(file: String, offset: Int, reason: String)
    /// The ModelProto is well formed but cannot be used as a tokenizer (no `<unk>`, a piece
    /// defined twice, byte pieces missing although byte fallback is on, ...), as sentencepiece's
    /// `ModelInterface::InitializePieces` refuses them.
    case invalidModel(file: String, reason: String)
    /// Reading or writing the file failed.
    case io(file: String, reason: String)

    public var description: String {
        switch self {
        case let .malformedModel(file, offset, reason):
            return "\(file): malformed sentencepiece model at byte \(offset): \(reason)"
        case let .invalidModel(file, reason):
            return "\(file): invalid sentencepiece model: \(reason)"
        case let .io(file, reason):
            return "\(file): \(reason)"
        }
    }
}
