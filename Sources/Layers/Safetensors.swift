import Foundation

// The safetensors format (https://github.com/huggingface/safetensors):
//
//   8 bytes   N, the header length, unsigned little-endian
//   N bytes   a JSON object: {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [b, e]}, ...,
//             "__metadata__": {"key": "value"}}; offsets are relative to the data buffer
//   rest      the data buffer, little-endian elements, row-major
//
// This file holds the element types and the header's parsing and validation; the reader is in
// SafetensorsReader.swift and the writer in SafetensorsWriter.swift.

/// An element type a safetensors header may name.
public enum SafetensorsDType: String, CaseIterable, Sendable {
    case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8"
    case u64 = "U64", u32 = "U32", u16 = "U16", u8 = "U8"
    case bool = "BOOL"
    case f8E4M3 = "F8_E4M3", f8E5M2 = "F8_E5M2", f8E8M0 = "F8_E8M0"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .f64, .i64, .u64: return 8
        case .f32, .i32, .u32: return 4
        case .f16, .bf16, .i16, .u16: return 2
        case .i8, .u8, .bool, .f8E4M3, .f8E5M2, .f8E8M0: return 1
        }
    }

    /// Whether `SafetensorsFile.tensor(_:)` converts this type to Float32.
    public var convertsToFloat: Bool {
        switch self {
        case .f64, .f32, .f16, .bf16, .i64, .i32: return true
        default: return false
        }
    }
}

/// Where a tensor lives in a safetensors file and what it holds.
public struct SafetensorsTensorInfo: Equatable, Sendable {
    public let name: String
    public let dtype: SafetensorsDType
    public let shape: [Int]
    /// Byte range in the data buffer (the header's `data_offsets`).
    public let dataOffsets: Range<Int>

    /// Number of elements, `product(shape)` (1 for a scalar).
    public var count: Int { shape.reduce(1, *) }
}

/// A parsed and validated header.
struct SafetensorsHeader {
    var tensors: [String: SafetensorsTensorInfo]
    var metadata: [String: String]

    /// Parses `json` and checks every entry against a data buffer of `bufferSize` bytes, the way
    /// Hugging Face's `Metadata::validate` does: each tensor's bytes match its dtype and shape, and
    /// the tensors, sorted by offset, tile the buffer from 0 to its end without overlap or hole.
    static func parse(_ json: Data, bufferSize: Int, path: String) throws -> SafetensorsHeader {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: json, options: [])
        } catch {
            throw SafetensorsError.invalidHeader(path: path, reason: "not valid JSON (\(jsonReason(error)))")
        }
        guard let entries = object as? [String: Any] else {
            throw SafetensorsError.invalidHeader(path: path, reason: "not a JSON object")
        }
        var header = SafetensorsHeader(tensors: [:], metadata: [:])
        for (name, value) in entries {
            if name == "__metadata__" {
                header.metadata = try parseMetadata(value, path: path)
            } else {
                header.tensors[name] = try parseEntry(name: name, value, bufferSize: bufferSize, path: path)
            }
        }
        try checkCoverage(header.tensors.values, bufferSize: bufferSize, path: path)
        return header
    }

    private static func parseMetadata(_ value: Any, path: String) throws -> [String: String] {
        if value is NSNull { return [:] }
        guard let dict = value as? [String: Any] else {
            throw SafetensorsError.invalidHeader(path: path, reason: "__metadata__ is not an object")
        }
        var metadata: [String: String] = [:]
        for (key, v) in dict {
            guard let s = v as? String else {
                throw SafetensorsError.invalidHeader(path: path, reason: "__metadata__ value for \"\(key)\" is not a string")
            }
            metadata[key] = s
        }
        return metadata
    }

    private static func parseEntry(name: String, _ value: Any, bufferSize: Int, path: String) throws -> SafetensorsTensorInfo {
        func bad(_ reason: String) -> SafetensorsError { .invalidTensorEntry(path: path, name: name, reason: reason) }
        guard let entry = value as? [String: Any] else { throw bad("entry is not an object") }
        guard let dtypeName = entry["dtype"] as? String else { throw bad("missing or non-string \"dtype\"") }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            throw SafetensorsError.unknownDType(path: path, name: name, dtype: dtypeName)
        }
        guard let shapeValues = entry["shape"] as? [Any] else { throw bad("missing or non-list \"shape\"") }
        var shape: [Int] = []
        for v in shapeValues {
            guard let d = jsonInteger(v) else { throw bad("\"shape\" holds \(v), not an integer") }
            shape.append(d)
        }
        if shape.contains(where: { $0 < 0 }) {
            throw SafetensorsError.negativeDimension(path: path, name: name, shape: shape)
        }
        guard let offsetValues = entry["data_offsets"] as? [Any], offsetValues.count == 2,
              let begin = jsonInteger(offsetValues[0]), let end = jsonInteger(offsetValues[1]) else {
            throw bad("\"data_offsets\" is not a list of two integers")
        }
        guard begin >= 0 else { throw bad("\"data_offsets\" begin \(begin) is negative") }
        guard begin <= end else { throw SafetensorsError.invalidOffsets(path: path, name: name, begin: begin, end: end) }
        guard end <= bufferSize else {
            throw SafetensorsError.offsetsOutOfRange(path: path, name: name, end: end, bufferSize: bufferSize)
        }
        // product(shape) * byteSize, refusing shapes whose size overflows.
        var expected = dtype.byteSize
        for d in shape {
            let (p, overflow) = expected.multipliedReportingOverflow(by: d)
            if overflow { throw bad("shape \(shape) has too many elements") }
            expected = p
        }
        guard expected == end - begin else {
            throw SafetensorsError.sizeMismatch(path: path, name: name, dtype: dtype, shape: shape,
                                                expectedBytes: expected, actualBytes: end - begin)
        }
        return SafetensorsTensorInfo(name: name, dtype: dtype, shape: shape, dataOffsets: begin..<end)
    }

    /// The tensors sorted by offset must be contiguous from 0 and end at the buffer's end.
    private static func checkCoverage<C: Collection>(_ infos: C, bufferSize: Int, path: String) throws
    where C.Element == SafetensorsTensorInfo {
        let sorted = infos.sorted {
            ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound, $0.name)
                < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound, $1.name)
        }
        var covered = 0
        var previous: SafetensorsTensorInfo?
        for info in sorted {
            let range = info.dataOffsets
            if range.lowerBound < covered, let previous {
                throw SafetensorsError.overlap(path: path, first: previous.name, second: info.name)
            }
            if range.lowerBound > covered {
                throw SafetensorsError.hole(path: path, offset: covered, length: range.lowerBound - covered)
            }
            covered = range.upperBound
            previous = info
        }
        if covered < bufferSize {
            throw SafetensorsError.hole(path: path, offset: covered, length: bufferSize - covered)
        }
    }

    /// A JSON integer that fits in `Int`; nil for booleans, fractions and floats such as `2.0`
    /// (which Hugging Face's serde-based parser rejects too).
    private static func jsonInteger(_ value: Any) -> Int? {
        guard let number = value as? NSNumber else { return nil }
        switch String(cString: number.objCType) {
        case "s", "i", "l", "q":
            return Int(exactly: number.int64Value)
        case "S", "I", "L", "Q":
            return Int(exactly: number.uint64Value)
        default:
            return nil  // "c" is a boolean, "d"/"f" a floating-point number
        }
    }

    private static func jsonReason(_ error: Error) -> String {
        let ns = error as NSError
        return (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? ns.localizedDescription
    }
}

// MARK: - Half-precision conversions

/// BFloat16 is the upper 16 bits of a Float32; widening is exact.
@inline(__always) func floatFromBFloat16(_ bits: UInt16) -> Float {
    Float(bitPattern: UInt32(bits) << 16)
}

/// Narrows to BFloat16 with round-to-nearest-even, exactly as PyTorch's
/// `c10::detail::round_to_nearest_even`: finite values too large round to infinity, and NaN
/// becomes the quiet NaN 0x7FC0. (PyTorch's vectorized CPU conversion writes NaN as 0xFFFF
/// instead; both read back as NaN. Every non-NaN value matches it bit for bit.)
@inline(__always) func bfloat16Bits(_ value: Float) -> UInt16 {
    if value.isNaN { return 0x7FC0 }
    let bits = value.bitPattern
    let roundingBias = ((bits >> 16) & 1) &+ 0x7FFF
    return UInt16(truncatingIfNeeded: (bits &+ roundingBias) >> 16)
}

/// Narrows to IEEE half precision (Swift's `Float16` conversion rounds to nearest even).
@inline(__always) func float16Bits(_ value: Float) -> UInt16 {
    Float16(value).bitPattern
}
