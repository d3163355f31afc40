import Foundation

/// A corrupt or truncated DEFLATE (RFC 1951) or gzip (RFC 1952) stream.
public enum InflateError: Error, CustomStringConvertible, Equatable {
    /// The input ended inside the stream.
    case truncated(file: String)
    /// The bytes are not a gzip member (`1f 8b` magic, method 8, no reserved flags).
    case notGzip(file: String, reason: String)
    /// The DEFLATE data itself is malformed.
    case corrupt(file: String, reason: String)
    /// The decompressed bytes disagree with the gzip trailer.
    case checksumMismatch(file: String, expected: UInt32, computed: UInt32)
    case sizeMismatch(file: String, expected: UInt32, computed: UInt32)
    /// The output would exceed the caller's limit (a guard against decompression bombs).
    case tooLarge(file: String, limit: Int)

    public var description: String {
        switch self {
        case .truncated(let f): "\(f): compressed data is truncated (the stream ends before its last block)"
        case .notGzip(let f, let r): "\(f): not a gzip file: \(r)"
        case .corrupt(let f, let r): "\(f): corrupt compressed data: \(r)"
        case .checksumMismatch(let f, let e, let c):
            "\(f): gzip CRC-32 mismatch (trailer says \(hex(e)), data gives \(hex(c))): the file is corrupt"
        case .sizeMismatch(let f, let e, let c):
            "\(f): gzip size mismatch (trailer says \(e) bytes mod 2^32, data has \(c)): the file is corrupt"
        case .tooLarge(let f, let l): "\(f): decompresses to more than \(l) bytes"
        }
    }

    private func hex(_ v: UInt32) -> String { "0x" + String(v, radix: 16, uppercase: false) }
}

/// A DEFLATE decoder (RFC 1951: stored, fixed-Huffman and dynamic-Huffman blocks) and the gzip
/// container around it (RFC 1952, header flags, CRC-32 and size check, concatenated members).
///
/// Foundation on Linux has no gzip API; this is the small decoder the IDX reader needs for
/// Fashion-MNIST's `.gz` files. Huffman codes decode through a table indexed by the next
/// `maxLength` input bits (zlib's approach without its second-level tables), so each symbol costs
/// one lookup. Errors follow zlib's checks: over-subscribed or incomplete codes, distances before
/// the start of the output, stored-block length complements, invalid block types and symbols.
public enum Inflate {
    /// Decompresses a gzip file (one or more concatenated members), checking each CRC-32 and size.
    /// `file` names the source in errors.
    public static func gunzip(_ bytes: [UInt8], file: String = "<gzip data>", limit: Int = Int.max) throws -> [UInt8] {
        guard !bytes.isEmpty else { throw InflateError.notGzip(file: file, reason: "the file is empty") }
        var output: [UInt8] = []
        if isGzip(bytes), bytes.count >= 18 {
            // ISIZE of the last member is only a capacity hint (mod 2^32, and a corrupt file may lie):
            // bounded by DEFLATE's best ratio, about 1032:1.
            let n = bytes.count
            let hint = Int(bytes[n - 4]) | Int(bytes[n - 3]) << 8 | Int(bytes[n - 2]) << 16 | Int(bytes[n - 1]) << 24
            output.reserveCapacity(min(hint, limit, n * 1032, 1 << 30))
        }
        var position = 0
        repeat {
            let start = output.count
            position = try gzipHeaderEnd(bytes, from: position, file: file)
            var decoder = Decoder(bytes, position: position, file: file, limit: limit)
            try decoder.run(into: &output)
            position = decoder.bytePosition
            guard bytes.count - position >= 8 else { throw InflateError.truncated(file: file) }
            let crc = readLE32(bytes, position), size = readLE32(bytes, position + 4)
            position += 8
            let computed = output.withUnsafeBufferPointer { CRC32.checksum(UnsafeBufferPointer(rebasing: $0[start...])) }
            guard computed == crc else { throw InflateError.checksumMismatch(file: file, expected: crc, computed: computed) }
            let length = UInt32(truncatingIfNeeded: output.count - start)
            guard length == size else { throw InflateError.sizeMismatch(file: file, expected: size, computed: length) }
            // Another member follows only if its magic does; gzip(1) likewise ignores zero padding.
        } while position + 1 < bytes.count && bytes[position] == 0x1f && bytes[position + 1] == 0x8b
        if bytes[position...].contains(where: { $0 != 0 }) {
            throw InflateError.notGzip(file: file, reason: "\(bytes.count - position) bytes of trailing garbage after the compressed data")
        }
        return output
    }

    /// Decompresses a raw DEFLATE stream (no zlib or gzip wrapper).
    public static func inflate(_ bytes: [UInt8], file: String = "<deflate data>", limit: Int = Int.max) throws -> [UInt8] {
        var output: [UInt8] = []
        var decoder = Decoder(bytes, position: 0, file: file, limit: limit)
        try decoder.run(into: &output)
        return output
    }

    /// Whether `bytes` starts with the gzip magic number.
    public static func isGzip(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b }

    /// Parses a gzip member header (RFC 1952 §2.3) at `start`; returns where the DEFLATE data begins.
    static func gzipHeaderEnd(_ b: [UInt8], from start: Int, file: String) throws -> Int {
        guard b.count - start >= 10 else {
            if b.count - start >= 2, b[start] != 0x1f || b[start + 1] != 0x8b {
                throw InflateError.notGzip(file: file, reason: "bad magic number")
            }
            throw InflateError.truncated(file: file)
        }
        guard b[start] == 0x1f, b[start + 1] == 0x8b else {
            let found = [b[start], b[start + 1]].map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
            throw InflateError.notGzip(file: file, reason: "bad magic number 0x\(found) (expected 0x1f8b)")
        }
        guard b[start + 2] == 8 else { throw InflateError.notGzip(file: file, reason: "compression method \(b[start + 2]) is not deflate (8)") }
        let flags = b[start + 3]
        guard flags & 0xe0 == 0 else { throw InflateError.notGzip(file: file, reason: "reserved header flags are set") }
        var p = start + 10
        if flags & 0x04 != 0 {  // FEXTRA: a length-prefixed extra field
            guard b.count - p >= 2 else { throw InflateError.truncated(file: file) }
            p += 2 + (Int(b[p]) | Int(b[p + 1]) << 8)
        }
        for flag: UInt8 in [0x08, 0x10] where flags & flag != 0 {  // FNAME, FCOMMENT: zero-terminated
            while p < b.count, b[p] != 0 { p += 1 }
            p += 1
        }
        if flags & 0x02 != 0 { p += 2 }  // FHCRC
        guard p <= b.count else { throw InflateError.truncated(file: file) }
        return p
    }

    static func readLE32(_ b: [UInt8], _ p: Int) -> UInt32 {
        UInt32(b[p]) | UInt32(b[p + 1]) << 8 | UInt32(b[p + 2]) << 16 | UInt32(b[p + 3]) << 24
    }

    // RFC 1951 §3.2.5: base values and extra bits of the length (257...285) and distance (0...29) codes.
    static let lengthBase: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
                                      2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    /// The order in which a dynamic block sends its code-length code lengths (§3.2.7).
    static let codeLengthOrder: [Int] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    /// A canonical Huffman code as a table indexed by the next `bits` input bits (LSB first):
    /// each entry is `symbol << 4 | codeLength`, or 0 where no code matches.
    struct Table {
        var entries: [UInt32]
        var bits: Int

        /// Builds the table for code lengths `lengths` (0 = unused symbol). Over-subscribed sets are
        /// corrupt; incomplete ones are allowed only when a single code of length 1 is defined
        /// (zlib's rule: a block may use just one distance).
        init(lengths: [Int], file: String, what: String) throws {
            var count = [Int](repeating: 0, count: 16)
            for l in lengths { count[l] += 1 }
            count[0] = 0
            var left = 1
            for l in 1...15 {
                left = left << 1 - count[l]
                guard left >= 0 else { throw InflateError.corrupt(file: file, reason: "over-subscribed \(what) code") }
            }
            let used = lengths.filter { $0 > 0 }.count
            let maxLength = lengths.max() ?? 0
            if left > 0, !(used == 1 && maxLength == 1) && used != 0 {
                throw InflateError.corrupt(file: file, reason: "incomplete \(what) code")
            }
            bits = max(maxLength, 1)
            entries = [UInt32](repeating: 0, count: 1 << bits)
            // Canonical codes (§3.2.2): the first code of each length, then consecutive values.
            var next = [Int](repeating: 0, count: 16)
            var code = 0
            for l in 1...15 {
                code = (code + count[l - 1]) << 1
                next[l] = code
            }
            for (symbol, l) in lengths.enumerated() where l > 0 {
                let c = next[l]
                next[l] += 1
                var reversed = 0  // codes are sent most significant bit first; we read LSB first
                for i in 0..<l where c & (1 << i) != 0 { reversed |= 1 << (l - 1 - i) }
                let entry = UInt32(symbol) << 4 | UInt32(l)
                var index = reversed
                while index < entries.count {
                    entries[index] = entry
                    index += 1 << l
                }
            }
        }
    }

    static let fixedLiteral: Table = try! Table(
        lengths: [Int](repeating: 8, count: 144) + [Int](repeating: 9, count: 112) + [Int](repeating: 7, count: 24) + [Int](repeating: 8, count: 8),
        file: "", what: "")
    /// All 32 five-bit codes: 30 and 31 are codes of the fixed scheme but invalid distances (§3.2.6).
    static let fixedDistance: Table = try! Table(lengths: [Int](repeating: 5, count: 32), file: "", what: "")

    /// The state of one DEFLATE stream: a 64-bit bit buffer over the input bytes.
    struct Decoder {
        let input: [UInt8]
        let file: String
        let limit: Int
        /// Next input byte to load; may run past the end, which loads zeros (checked by `check`).
        var position: Int
        var buffer: UInt64 = 0
        var count = 0

        init(_ input: [UInt8], position: Int, file: String, limit: Int) {
            self.input = input
            self.position = position
            self.file = file
            self.limit = limit
        }

        /// The first input byte not consumed (after the final block, rounded up to a byte).
        var bytePosition: Int { position - count / 8 }

        @inline(__always) mutating func refill() {
            while count <= 56 {
                let byte = position < input.count ? input[position] : 0
                buffer |= UInt64(byte) << UInt64(count)
                position += 1
                count += 8
            }
        }

        /// Throws if bits beyond the end of the input were consumed.
        @inline(__always) func check() throws {
            if position > input.count, (position - input.count) * 8 > count { throw InflateError.truncated(file: file) }
        }

        @inline(__always) mutating func bits(_ n: Int) -> Int {
            if count < n { refill() }
            let v = Int(buffer & ((1 << UInt64(n)) - 1))
            buffer >>= UInt64(n)
            count -= n
            return v
        }

        @inline(__always) mutating func decode(_ table: Table) throws -> Int {
            if count < table.bits { refill() }
            let entry = table.entries[Int(buffer & ((1 << UInt64(table.bits)) - 1))]
            let length = Int(entry & 15)
            guard length > 0 else { throw InflateError.corrupt(file: file, reason: "invalid Huffman code") }
            buffer >>= UInt64(length)
            count -= length
            return Int(entry >> 4)
        }

        mutating func run(into output: inout [UInt8]) throws {
            let start = output.count
            var final = false
            while !final {
                final = bits(1) == 1
                switch bits(2) {
                case 0: try stored(into: &output)
                case 1: try codes(Inflate.fixedLiteral, Inflate.fixedDistance, into: &output, start: start)
                case 2:
                    let (literal, distance) = try dynamicTables()
                    try codes(literal, distance, into: &output, start: start)
                default: throw InflateError.corrupt(file: file, reason: "invalid block type 3")
                }
                try check()
            }
        }

        /// A stored block (§3.2.4): byte-aligned LEN, its one's complement NLEN, then LEN raw bytes.
        mutating func stored(into output: inout [UInt8]) throws {
            position = bytePosition  // drop the partial byte and rewind past whole buffered bytes
            buffer = 0
            count = 0
            guard input.count - position >= 4 else { throw InflateError.truncated(file: file) }
            let length = Int(input[position]) | Int(input[position + 1]) << 8
            let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
            guard length == ~complement & 0xffff else {
                throw InflateError.corrupt(file: file, reason: "stored block length \(length) does not match its complement")
            }
            position += 4
            guard input.count - position >= length else { throw InflateError.truncated(file: file) }
            guard output.count + length <= limit else { throw InflateError.tooLarge(file: file, limit: limit) }
            output.append(contentsOf: input[position..<(position + length)])
            position += length
        }

        /// The literal/length and distance codes of a dynamic block (§3.2.7).
        mutating func dynamicTables() throws -> (Table, Table) {
            let literals = bits(5) + 257, distances = bits(5) + 1, codeLengths = bits(4) + 4
            guard literals <= 286, distances <= 30 else {
                throw InflateError.corrupt(file: file, reason: "too many length or distance symbols (\(literals), \(distances))")
            }
            var lengthLengths = [Int](repeating: 0, count: 19)
            for i in 0..<codeLengths { lengthLengths[Inflate.codeLengthOrder[i]] = bits(3) }
            try check()
            let lengthCode = try Table(lengths: lengthLengths, file: file, what: "code-length")
            var lengths: [Int] = []
            lengths.reserveCapacity(literals + distances)
            while lengths.count < literals + distances {
                let symbol = try decode(lengthCode)
                switch symbol {
                case 0...15: lengths.append(symbol)
                case 16:
                    guard let previous = lengths.last else {
                        throw InflateError.corrupt(file: file, reason: "repeat of a code length with no previous length")
                    }
                    lengths += repeatElement(previous, count: 3 + bits(2))
                case 17: lengths += repeatElement(0, count: 3 + bits(3))
                default: lengths += repeatElement(0, count: 11 + bits(7))
                }
                try check()
            }
            guard lengths.count == literals + distances else {
                throw InflateError.corrupt(file: file, reason: "code lengths repeat past the end of the table")
            }
            guard lengths[256] > 0 else { throw InflateError.corrupt(file: file, reason: "no code for the end of the block") }
            return (try Table(lengths: Array(lengths[..<literals]), file: file, what: "literal/length"),
                    try Table(lengths: Array(lengths[literals...]), file: file, what: "distance"))
        }

        /// Literals and back-references until the end-of-block symbol (§3.2.5).
        mutating func codes(_ literal: Table, _ distance: Table, into output: inout [UInt8], start: Int) throws {
            while true {
                let symbol = try decode(literal)
                if symbol < 256 {
                    guard output.count < limit else { throw InflateError.tooLarge(file: file, limit: limit) }
                    output.append(UInt8(symbol))
                } else if symbol == 256 {
                    return
                } else {
                    guard symbol <= 285 else { throw InflateError.corrupt(file: file, reason: "invalid length symbol \(symbol)") }
                    let length = Inflate.lengthBase[symbol - 257] + bits(Inflate.lengthExtra[symbol - 257])
                    let d = try decode(distance)
                    guard d < 30 else { throw InflateError.corrupt(file: file, reason: "invalid distance symbol \(d)") }
                    let back = Inflate.distanceBase[d] + bits(Inflate.distanceExtra[d])
                    guard back <= output.count - start else {
                        throw InflateError.corrupt(file: file, reason: "distance \(back) reaches before the start of the data")
                    }
                    guard output.count + length <= limit else { throw InflateError.tooLarge(file: file, limit: limit) }
                    var from = output.count - back
                    for _ in 0..<length {  // byte by byte: the source may overlap what is being written
                        output.append(output[from])
                        from += 1
                    }
                }
                try check()
            }
        }
    }
}

/// The CRC-32 of gzip, zlib and PNG (reflected polynomial 0xEDB88320).
public enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xedb8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// The CRC-32 of `bytes`, continuing from `crc` (0 to start).
    public static func checksum(_ bytes: UnsafeBufferPointer<UInt8>, continuing crc: UInt32 = 0) -> UInt32 {
        var c = ~crc
        table.withUnsafeBufferPointer { t in
            for b in bytes { c = t[Int((c ^ UInt32(b)) & 0xff)] ^ (c >> 8) }
        }
        return ~c
    }

    public static func checksum(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBufferPointer { checksum($0, continuing: crc) }
    }
}
