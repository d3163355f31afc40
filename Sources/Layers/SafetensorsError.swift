/// What went wrong reading or writing a safetensors file. Every case carries the file's path,
/// and `description` is a one-line message naming the file and the problem, e.g.
/// `model.safetensors: tensor "wte.weight" has 24 bytes but F32 shape [2, 4] needs 32`.
public enum SafetensorsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file could not be opened, inspected or mapped (`reason` is the system's message).
    case cannotOpen(path: String, reason: String)
    /// The file is shorter than the 8-byte header length that starts every safetensors file.
    case fileTooShort(path: String, size: Int)
    /// The header length runs past the end of the file or exceeds `SafetensorsFile.maxHeaderLength`.
    case headerTooLarge(path: String, headerLength: UInt64, fileSize: Int)
    /// The header is not a JSON object, or its `__metadata__` is not an object of strings.
    case invalidHeader(path: String, reason: String)
    /// A tensor entry lacks a field or holds a value of the wrong kind.
    case invalidTensorEntry(path: String, name: String, reason: String)
    /// A tensor's `dtype` is not one the format defines.
    case unknownDType(path: String, name: String, dtype: String)
    /// A tensor's shape has a negative dimension.
    case negativeDimension(path: String, name: String, shape: [Int])
    /// A tensor's `data_offsets` begin after they end.
    case invalidOffsets(path: String, name: String, begin: Int, end: Int)
    /// A tensor's data ends past the end of the data buffer.
    case offsetsOutOfRange(path: String, name: String, end: Int, bufferSize: Int)
    /// A tensor's byte range does not hold exactly `product(shape) * dtype size` bytes.
    case sizeMismatch(path: String, name: String, dtype: SafetensorsDType, shape: [Int], expectedBytes: Int, actualBytes: Int)
    /// Two tensors' byte ranges overlap.
    case overlap(path: String, first: String, second: String)
    /// Bytes of the data buffer that no tensor covers (the format requires full coverage).
    case hole(path: String, offset: Int, length: Int)
    /// No tensor of that name is in the file.
    case missingTensor(path: String, name: String)
    /// The tensor's dtype cannot be converted to Float32 (or written).
    case unsupportedDType(path: String, name: String, dtype: SafetensorsDType)
    /// A tensor name the writer refuses: a duplicate or the reserved `__metadata__`.
    case invalidTensorName(path: String, name: String, reason: String)
    /// Writing failed; the previous file at `path`, if any, is untouched.
    case writeFailed(path: String, reason: String)

    /// The file the error is about.
    public var path: String {
        switch self {
        case .cannotOpen(let p, _), .fileTooShort(let p, _), .headerTooLarge(let p, _, _), .invalidHeader(let p, _),
             .invalidTensorEntry(let p, _, _), .unknownDType(let p, _, _), .negativeDimension(let p, _, _),
             .invalidOffsets(let p, _, _, _), .offsetsOutOfRange(let p, _, _, _), .sizeMismatch(let p, _, _, _, _, _),
             .overlap(let p, _, _), .hole(let p, _, _), .missingTensor(let p, _), .unsupportedDType(let p, _, _),
             .invalidTensorName(let p, _, _), .writeFailed(let p, _):
            return p
        }
    }

    public var description: String {
        "\(path): " + problem
    }

    private var problem: String {
        switch self {
        case .cannotOpen(_, let reason):
            return "cannot open safetensors file: \(reason)"
        case .fileTooShort(_, let size):
            return "file has \(size) bytes, too short for the 8-byte safetensors header length"
        case .headerTooLarge(_, let length, let fileSize):
            if length > UInt64(SafetensorsFile.maxHeaderLength) {
                return "safetensors header length \(length) exceeds the \(SafetensorsFile.maxHeaderLength)-byte limit (corrupt or not a safetensors file)"
            }
            return "safetensors header length \(length) runs past the end of the file (\(fileSize) bytes; truncated?)"
        case .invalidHeader(_, let reason):
            return "invalid safetensors header: \(reason)"
        case .invalidTensorEntry(_, let name, let reason):
            return "tensor \(quoted(name)): \(reason)"
        case .unknownDType(_, let name, let dtype):
            return "tensor \(quoted(name)) has unknown dtype \(quoted(dtype))"
        case .negativeDimension(_, let name, let shape):
            return "tensor \(quoted(name)) has a negative dimension in shape \(shape)"
        case .invalidOffsets(_, let name, let begin, let end):
            return "tensor \(quoted(name)) has data_offsets [\(begin), \(end)] that begin after they end"
        case .offsetsOutOfRange(_, let name, let end, let bufferSize):
            return "tensor \(quoted(name)) ends at byte \(end), past the end of the \(bufferSize)-byte data buffer (truncated?)"
        case .sizeMismatch(_, let name, let dtype, let shape, let expected, let actual):
            return "tensor \(quoted(name)) has \(actual) bytes but \(dtype.rawValue) shape \(shape) needs \(expected)"
        case .overlap(_, let first, let second):
            return "tensors \(quoted(first)) and \(quoted(second)) overlap in the data buffer"
        case .hole(_, let offset, let length):
            return "data buffer has a hole: \(length) bytes at offset \(offset) belong to no tensor"
        case .missingTensor(_, let name):
            return "no tensor named \(quoted(name))"
        case .unsupportedDType(_, let name, let dtype):
            return "tensor \(quoted(name)) has dtype \(dtype.rawValue), which cannot be converted to Float32 here"
        case .invalidTensorName(_, let name, let reason):
            return "cannot write tensor \(quoted(name)): \(reason)"
        case .writeFailed(_, let reason):
            return "cannot write safetensors file: \(reason)"
        }
    }

    private func quoted(_ s: String) -> String { "\"\(s)\"" }
}
