import Foundation

// The `.model` file: sentencepiece's ModelProto (src/sentencepiece_model.proto) in the protobuf
// wire format, read and written by hand. Known fields are written in field-number order, as
// protobuf's C++ serializer (which writes every sentencepiece model) does; fields we do not model
// are kept as raw wire bytes and put back at their field number, so a file written by Python's
// sentencepiece reads and writes back byte for byte. proto2 tells "absent" from "present with the
// default value", so every message also records which fields it carried (`WirePresence`).

/// Which fields of a protobuf message were present on the wire. Only metadata that keeps a
/// read-then-written file byte-identical: equality and hashing ignore it.
public struct WirePresence: Hashable, Sendable {
    private var bits: UInt64 = 0

    public init() {}
    public init(_ fields: [Int]) { for f in fields { insert(f) } }

    public func contains(_ field: Int) -> Bool { field < 64 && bits & (1 << UInt64(field)) != 0 }
    public mutating func insert(_ field: Int) { if field < 64 { bits |= 1 << UInt64(field) } }

    public static func == (_: WirePresence, _: WirePresence) -> Bool { true }
    public func hash(into hasher: inout Hasher) {}
}

extension ModelProto {
    /// Parses a serialized ModelProto. `path` only names the source in error messages.
    public init(bytes: [UInt8], path: String = "<memory>") throws {
        self.init()
        presence = WirePresence()
        var r = WireReader(bytes: bytes, file: path, message: "ModelProto")
        var unknown = [UInt8]()
        while let (field, wire, start) = try r.nextTag() {
            switch field {
            case 1:
                var sub = try r.subMessage(wire: wire, field: field, name: "SentencePiece")
                pieces.append(try Piece(reading: &sub))
            case 2:
                var sub = try r.subMessage(wire: wire, field: field, name: "TrainerSpec")
                trainerSpec = try TrainerSpec(reading: &sub)
                presence.insert(2)
            case 3:
                var sub = try r.subMessage(wire: wire, field: field, name: "NormalizerSpec")
                normalizerSpec = try NormalizerSpec(reading: &sub)
                presence.insert(3)
            case 5:
                var sub = try r.subMessage(wire: wire, field: field, name: "NormalizerSpec")
                denormalizerSpec = try NormalizerSpec(reading: &sub)
            default:
                try r.skip(wire: wire, from: start, into: &unknown)
            }
        }
        unknownFields = unknown
    }

    /// Reads a `.model` file.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDir: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
            throw TokenizerError.io(file: path, reason: !exists ? "no such file" :
                                        isDir.boolValue ? "is a directory" : "cannot be read")
        }
        try self.init(bytes: [UInt8](data), path: path)
    }

    /// The protobuf wire bytes of this model, as sentencepiece would write them.
    public func serialized() -> [UInt8] {
        var w = WireWriter(unknown: unknownFields)
        for p in pieces { w.message(1, p.serialized()) }
        let trainer = trainerSpec.serialized()
        if presence.contains(2) || !trainer.isEmpty { w.message(2, trainer) }
        let normalizer = normalizerSpec.serialized()
        if presence.contains(3) || !normalizer.isEmpty { w.message(3, normalizer) }
        if let d = denormalizerSpec { w.message(5, d.serialized()) }
        return w.finish()
    }

    /// Writes the model to `path` atomically: to a temporary file in the same folder, then renamed
    /// over `path`, so a failure never leaves a half-written model behind.
    public func write(to path: String) throws {
        let bytes = serialized()
        let url = URL(fileURLWithPath: path)
        let tmp = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UInt32.random(in: 0 ... .max)).tmp")
        do {
            try Data(bytes).write(to: tmp)
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw TokenizerError.io(file: path, reason: "cannot write: \(error.localizedDescription)")
        }
        if rename(tmp.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: tmp)
            throw TokenizerError.io(file: path, reason: "cannot replace: \(reason)")
        }
    }
}

// MARK: - Messages

extension ModelProto.Piece {
    init(reading r: inout WireReader) throws {
        self.init("", score: 0)
        presence = WirePresence()
        var unknown = [UInt8]()
        while let (field, wire, start) = try r.nextTag() {
            switch field {
            case 1: piece = try r.string(wire: wire, field: field)
            case 2: score = try r.float(wire: wire, field: field)
            case 3:
                let raw = try r.varint(wire: wire, field: field)
                guard let t = ModelProto.PieceType(rawValue: Int(truncatingIfNeeded: Int32(truncatingIfNeeded: raw))) else {
                    throw r.error(at: start, "unknown piece type \(Int64(bitPattern: raw))")
                }
                type = t
            default:
                try r.skip(wire: wire, from: start, into: &unknown)
                continue
            }
            presence.insert(field)
        }
        unknownFields = unknown
    }

    func serialized() -> [UInt8] {
        var w = WireWriter(unknown: unknownFields)
        if presence.contains(1) || !piece.isEmpty { w.string(1, piece) }
        if presence.contains(2) || score.bitPattern != 0 { w.float(2, score) }
        if presence.contains(3) || type != .normal { w.varint(3, UInt64(type.rawValue)) }
        return w.finish()
    }
}

/// One modelled field of a message: its number and where it lives in the Swift value.
private struct FieldSpec<Message> {
    enum Kind {
        case int(WritableKeyPath<Message, Int>)        // proto int32
        case int32(WritableKeyPath<Message, Int32>)    // proto int32
        case uint64(WritableKeyPath<Message, UInt64>)  // proto uint64
        case bool(WritableKeyPath<Message, Bool>)
        case float(WritableKeyPath<Message, Float>)
        case string(WritableKeyPath<Message, String>)
        case bytes(WritableKeyPath<Message, [UInt8]>)
        case strings(WritableKeyPath<Message, [String]>)  // repeated string
        case modelType(WritableKeyPath<Message, ModelType>)
    }
    let number: Int
    let kind: Kind
    init(_ number: Int, _ kind: Kind) { self.number = number; self.kind = kind }
}

private protocol WireMessage {
    static var fields: [FieldSpec<Self>] { get }
    /// The value every field has when absent from the wire (the .proto defaults).
    static var protoDefault: Self { get }
    var unknownFields: [UInt8] { get set }
    var presence: WirePresence { get set }
}

extension WireMessage {
    init(reading r: inout WireReader) throws {
        self = Self.protoDefault
        var unknown = [UInt8]()
        while let (field, wire, start) = try r.nextTag() {
            guard let spec = Self.fields.first(where: { $0.number == field }) else {
                try r.skip(wire: wire, from: start, into: &unknown)
                continue
            }
            switch spec.kind {
            case .int(let kp): self[keyPath: kp] = Int(Int32(truncatingIfNeeded: try r.varint(wire: wire, field: field)))
            case .int32(let kp): self[keyPath: kp] = Int32(truncatingIfNeeded: try r.varint(wire: wire, field: field))
            case .uint64(let kp): self[keyPath: kp] = try r.varint(wire: wire, field: field)
            case .bool(let kp): self[keyPath: kp] = try r.varint(wire: wire, field: field) != 0
            case .float(let kp): self[keyPath: kp] = try r.float(wire: wire, field: field)
            case .string(let kp): self[keyPath: kp] = try r.string(wire: wire, field: field)
            case .bytes(let kp): self[keyPath: kp] = try r.bytes(wire: wire, field: field)
            case .strings(let kp): self[keyPath: kp].append(try r.string(wire: wire, field: field))
            case .modelType(let kp):
                let raw = try r.varint(wire: wire, field: field)
                guard let t = ModelType(rawValue: Int(truncatingIfNeeded: Int32(truncatingIfNeeded: raw))) else {
                    throw r.error(at: start, "unknown model type \(Int64(bitPattern: raw))")
                }
                self[keyPath: kp] = t
            }
            presence.insert(field)
        }
        unknownFields = unknown
    }

    /// Fields that are present or differ from the .proto default, in field-number order.
    func serialized() -> [UInt8] {
        var w = WireWriter(unknown: unknownFields)
        let d = Self.protoDefault
        for spec in Self.fields {
            let n = spec.number, present = presence.contains(n)
            switch spec.kind {
            case .int(let kp):
                if present || self[keyPath: kp] != d[keyPath: kp] { w.varint(n, UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: self[keyPath: kp])))) }
            case .int32(let kp):
                if present || self[keyPath: kp] != d[keyPath: kp] { w.varint(n, UInt64(bitPattern: Int64(self[keyPath: kp]))) }
            case .uint64(let kp):
                if present || self[keyPath: kp] != d[keyPath: kp] { w.varint(n, self[keyPath: kp]) }
            case .bool(let kp):
                if present || self[keyPath: kp] != d[keyPath: kp] { w.varint(n, self[keyPath: kp] ? 1 : 0) }
            case .float(let kp):
                if present || self[keyPath: kp].bitPattern != d[keyPath: kp].bitPattern { w.float(n, self[keyPath: kp]) }
            case .string(let kp):
                if present || self[keyPath: kp] != d[keyPath: kp] { w.string(n, self[keyPath: kp]) }
            case .bytes(let kp):
                if present || self[keyPath: kp] != d[keyPath: kp] { w.bytes(n, self[keyPath: kp]) }
            case .strings(let kp):
                for s in self[keyPath: kp] { w.string(n, s) }
            case .modelType(let kp):
                if present || self[keyPath: kp] != d[keyPath: kp] { w.varint(n, UInt64(self[keyPath: kp].rawValue)) }
            }
        }
        return w.finish()
    }
}

extension TrainerSpec: WireMessage {
    // Field numbers from sentencepiece_model.proto, in ascending order (the writer's order).
    fileprivate static let fields: [FieldSpec<TrainerSpec>] = [
        .init(1, .strings(\.input)), .init(2, .string(\.modelPrefix)), .init(3, .modelType(\.modelType)),
        .init(4, .int(\.vocabSize)), .init(5, .strings(\.acceptLanguage)), .init(6, .int(\.selfTestSampleSize)),
        .init(7, .string(\.inputFormat)), .init(10, .float(\.characterCoverage)),
        .init(11, .uint64(\.inputSentenceSize)), .init(14, .int(\.seedSentencepieceSize)),
        .init(15, .float(\.shrinkingFactor)), .init(16, .int(\.numThreads)), .init(17, .int(\.numSubIterations)),
        .init(18, .int(\.maxSentenceLength)), .init(19, .bool(\.shuffleInputSentence)),
        .init(20, .int(\.maxSentencepieceLength)), .init(21, .bool(\.splitByUnicodeScript)),
        .init(22, .bool(\.splitByWhitespace)), .init(23, .bool(\.splitByNumber)),
        .init(24, .bool(\.treatWhitespaceAsSuffix)), .init(25, .bool(\.splitDigits)),
        .init(26, .bool(\.allowWhitespaceOnlyPieces)), .init(30, .strings(\.controlSymbols)),
        .init(31, .strings(\.userDefinedSymbols)), .init(32, .bool(\.vocabularyOutputPieceScore)),
        .init(33, .bool(\.hardVocabLimit)), .init(34, .bool(\.useAllVocab)), .init(35, .bool(\.byteFallback)),
        .init(36, .string(\.requiredChars)), .init(40, .int32(\.unkId)), .init(41, .int32(\.bosId)),
        .init(42, .int32(\.eosId)), .init(43, .int32(\.padId)), .init(44, .string(\.unkSurface)),
        .init(45, .string(\.unkPiece)), .init(46, .string(\.bosPiece)), .init(47, .string(\.eosPiece)),
        .init(48, .string(\.padPiece)), .init(49, .bool(\.trainExtremelyLargeCorpus)),
        .init(53, .string(\.pretokenizationDelimiter)),
    ]
    fileprivate static let protoDefault = TrainerSpec()  // the Swift defaults are the .proto defaults
}

extension NormalizerSpec: WireMessage {
    fileprivate static let fields: [FieldSpec<NormalizerSpec>] = [
        .init(1, .string(\.name)), .init(2, .bytes(\.precompiledCharsmap)), .init(3, .bool(\.addDummyPrefix)),
        .init(4, .bool(\.removeExtraWhitespaces)), .init(5, .bool(\.escapeWhitespaces)),
        .init(6, .string(\.normalizationRuleTsv)),
    ]
    fileprivate static let protoDefault: NormalizerSpec = {
        var spec = NormalizerSpec()
        spec.name = ""  // the .proto has no default name; a fresh Swift spec says "nmt_nfkc"
        return spec
    }()
}

// MARK: - Wire format

/// Reads protobuf wire format from a byte range, with errors naming the file and byte offset.
struct WireReader {
    let bytes: [UInt8]
    let file: String
    let message: String
    private(set) var pos: Int
    let end: Int

    init(bytes: [UInt8], file: String, message: String, range: Range<Int>? = nil) {
        self.bytes = bytes
        self.file = file
        self.message = message
        pos = range?.lowerBound ?? 0
        end = range?.upperBound ?? bytes.count
    }

    func error(at offset: Int, _ reason: String) -> TokenizerError {
        .malformedModel(file: file, offset: offset, reason: "\(reason) (in \(message))")
    }

    private mutating func rawVarint() throws -> UInt64 {
        let start = pos
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard pos < end else { throw error(at: start, pos == start ? "unexpected end of data" : "truncated varint") }
            let b = bytes[pos]
            pos += 1
            if shift == 63 && b > 1 { throw error(at: start, "varint longer than 64 bits") }
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }

    /// The next field's number, wire type and the offset of its tag; nil at the end.
    mutating func nextTag() throws -> (field: Int, wire: Int, start: Int)? {
        guard pos < end else { return nil }
        let start = pos
        let tag = try rawVarint()
        let field = tag >> 3, wire = Int(tag & 7)
        guard field >= 1 && field <= 536_870_911 else { throw error(at: start, "invalid field number \(field)") }
        guard [0, 1, 2, 5].contains(wire) else {
            throw error(at: start, "field \(field) has \(wire == 3 || wire == 4 ? "unsupported group" : "invalid") wire type \(wire)")
        }
        return (Int(field), wire, start)
    }

    private func expect(_ wire: Int, _ expected: Int, field: Int) throws {
        guard wire == expected else {
            let names = [0: "varint", 1: "64-bit", 2: "length-delimited", 5: "32-bit"]
            throw error(at: pos, "field \(field) should be \(names[expected]!) but has wire type \(wire) (\(names[wire]!))")
        }
    }

    mutating func varint(wire: Int, field: Int) throws -> UInt64 {
        try expect(wire, 0, field: field)
        return try rawVarint()
    }

    mutating func float(wire: Int, field: Int) throws -> Float {
        try expect(wire, 5, field: field)
        guard end - pos >= 4 else { throw error(at: pos, "truncated 32-bit value of field \(field)") }
        let b = UInt32(bytes[pos]) | UInt32(bytes[pos + 1]) << 8 | UInt32(bytes[pos + 2]) << 16 | UInt32(bytes[pos + 3]) << 24
        pos += 4
        return Float(bitPattern: b)
    }

    private mutating func lengthDelimited(wire: Int, field: Int) throws -> Range<Int> {
        try expect(wire, 2, field: field)
        let start = pos
        let length = try rawVarint()
        guard length <= UInt64(end - pos) else {
            throw error(at: start, "field \(field) claims \(length) bytes but only \(end - pos) remain")
        }
        let range = pos ..< pos + Int(length)
        pos = range.upperBound
        return range
    }

    mutating func bytes(wire: Int, field: Int) throws -> [UInt8] {
        Array(bytes[try lengthDelimited(wire: wire, field: field)])
    }

    mutating func string(wire: Int, field: Int) throws -> String {
        let range = try lengthDelimited(wire: wire, field: field)
        guard let s = String(validating: bytes[range], as: UTF8.self) else {
            throw error(at: range.lowerBound, "field \(field) is not valid UTF-8")
        }
        return s
    }

    mutating func subMessage(wire: Int, field: Int, name: String) throws -> WireReader {
        let range = try lengthDelimited(wire: wire, field: field)
        return WireReader(bytes: bytes, file: file, message: "\(message).\(name)", range: range)
    }

    /// Skips a field we do not model, appending its tag and payload to `unknown`.
    mutating func skip(wire: Int, from start: Int, into unknown: inout [UInt8]) throws {
        switch wire {
        case 0: _ = try rawVarint()
        case 1, 5:
            let n = wire == 1 ? 8 : 4
            guard end - pos >= n else { throw error(at: pos, "truncated \(n * 8)-bit value") }
            pos += n
        default: _ = try lengthDelimited(wire: 2, field: 0)
        }
        unknown.append(contentsOf: bytes[start ..< pos])
    }
}

/// Writes protobuf wire format, merging in previously unknown fields at their field number.
struct WireWriter {
    private var out: [UInt8] = []
    /// Unknown fields split into (field number, wire bytes), in their original order.
    private var pending: [(field: Int, bytes: ArraySlice<UInt8>)] = []
    private var next = 0

    init(unknown: [UInt8]) {
        guard !unknown.isEmpty else { return }
        // The bytes came from WireReader.skip, so they parse; stop quietly if edited into garbage.
        var r = WireReader(bytes: unknown, file: "", message: "")
        var scratch = [UInt8]()
        var ok = true
        while ok, let (field, wire, start) = try? r.nextTag() {
            ok = (try? r.skip(wire: wire, from: start, into: &scratch)) != nil
            if ok { pending.append((field, unknown[start ..< r.pos])) }
        }
        if !ok || r.pos != unknown.count { pending = [(Int.max, unknown[...])] }
    }

    private mutating func flushUnknown(before field: Int) {
        while next < pending.count && pending[next].field < field {
            out.append(contentsOf: pending[next].bytes)
            next += 1
        }
    }

    private mutating func rawVarint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    private mutating func tag(_ field: Int, _ wire: Int) {
        flushUnknown(before: field)
        rawVarint(UInt64(field << 3 | wire))
    }

    mutating func varint(_ field: Int, _ v: UInt64) {
        tag(field, 0)
        rawVarint(v)
    }

    mutating func float(_ field: Int, _ v: Float) {
        tag(field, 5)
        let b = v.bitPattern
        out.append(contentsOf: [UInt8(b & 0xFF), UInt8(b >> 8 & 0xFF), UInt8(b >> 16 & 0xFF), UInt8(b >> 24)])
    }

    mutating func bytes(_ field: Int, _ v: [UInt8]) {
        tag(field, 2)
        rawVarint(UInt64(v.count))
        out.append(contentsOf: v)
    }

    mutating func string(_ field: Int, _ v: String) {
        tag(field, 2)
        rawVarint(UInt64(v.utf8.count))
        out.append(contentsOf: v.utf8)
    }

    mutating func message(_ field: Int, _ v: [UInt8]) { bytes(field, v) }

    mutating func finish() -> [UInt8] {
        flushUnknown(before: Int.max)
        if next < pending.count { out.append(contentsOf: pending[next...].flatMap { $0.bytes }) }
        return out
    }
}
