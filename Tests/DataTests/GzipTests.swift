import Foundation
import Tasks
import Testing

/// The DEFLATE/gzip decoder against files compressed by Python's gzip module
/// (Tests/Fixtures/make_image_fixtures.py), and corrupt streams that must fail cleanly.
@Suite struct InflateTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/inflate")

    static func bytes(_ name: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: fixtures.appendingPathComponent(name)))
    }

    /// Bits in DEFLATE order (least significant first), Huffman codes most significant bit first.
    struct BitWriter {
        var bytes: [UInt8] = []
        var used = 0  // bits used in the last byte

        mutating func bits(_ value: Int, _ count: Int) {
            for i in 0..<count {
                if used == 0 { bytes.append(0) }
                if value & (1 << i) != 0 { bytes[bytes.count - 1] |= 1 << UInt8(used) }
                used = (used + 1) % 8
            }
        }

        mutating func code(_ value: Int, _ count: Int) {
            for i in stride(from: count - 1, through: 0, by: -1) { bits((value >> i) & 1, 1) }
        }

        /// A symbol of the fixed literal/length code (RFC 1951 §3.2.6).
        mutating func fixedLiteral(_ symbol: Int) {
            switch symbol {
            case 0...143: code(0x30 + symbol, 8)
            case 144...255: code(0x190 + symbol - 144, 9)
            case 256...279: code(symbol - 256, 7)
            default: code(0xc0 + symbol - 280, 8)
            }
        }
    }

    /// A gzip member around raw DEFLATE bytes, with a correct trailer for `content`.
    static func gzip(_ deflate: [UInt8], content: [UInt8]) -> [UInt8] {
        let crc = CRC32.checksum(content), size = UInt32(content.count)
        return [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3] + deflate
            + [0, 8, 16, 24].map { UInt8(crc >> UInt32($0) & 0xff) } + [0, 8, 16, 24].map { UInt8(size >> UInt32($0) & 0xff) }
    }

    // MARK: Python's gzip output

    @Test(arguments: ["text.txt", "short.txt", "empty.txt", "random.bin"])
    func decompressesWhatPythonsGzipCompressed(_ name: String) throws {
        let original = try Self.bytes(name)
        #expect(try Inflate.gunzip(Self.bytes(name + ".gz"), file: name + ".gz") == original)
    }

    @Test func decompressesStoredBlocks() throws {
        #expect(try Inflate.gunzip(Self.bytes("text.txt.stored.gz")) == Self.bytes("text.txt"))
    }

    @Test func skipsTheFileNameInTheHeader() throws {
        let gz = try Self.bytes("short.txt.named.gz")
        #expect(gz[3] & 0x08 != 0, "the fixture sets FNAME")
        #expect(try Inflate.gunzip(gz) == Self.bytes("short.txt"))
    }

    @Test func concatenatedMembersDecompressToTheConcatenation() throws {
        #expect(try Inflate.gunzip(Self.bytes("multi.gz")) == Array("first member\nsecond member\n".utf8))
    }

    @Test func rawDeflateStreamsInflate() throws {
        let gz = try Self.bytes("text.txt.gz")  // no optional header fields: DEFLATE data from byte 10
        #expect(try Inflate.inflate(Array(gz[10..<(gz.count - 8)])) == Self.bytes("text.txt"))
    }

    @Test func crc32OfTheCheckString() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xcbf4_3926)
        #expect(CRC32.checksum([]) == 0)
    }

    @Test func handWrittenFixedHuffmanBlockWithAnOverlappingCopy() throws {
        // "ab" then a copy of length 5 at distance 2: "abababa".
        var w = BitWriter()
        w.bits(1, 1); w.bits(1, 2)  // final, fixed Huffman
        w.fixedLiteral(Int(UInt8(ascii: "a"))); w.fixedLiteral(Int(UInt8(ascii: "b")))
        w.fixedLiteral(259)  // length 5
        w.code(1, 5)  // distance 2
        w.fixedLiteral(256)
        #expect(try Inflate.inflate(w.bytes) == Array("abababa".utf8))
    }

    // MARK: Corrupt streams

    @Test func corruptTrailersAreCaught() throws {
        var gz = try Self.bytes("text.txt.gz")
        gz[gz.count - 8] ^= 0x01
        #expect(thrown(InflateError.self) { _ = try Inflate.gunzip(gz, file: "x.gz") }?.description.contains("x.gz: gzip CRC-32 mismatch") == true)
        gz[gz.count - 8] ^= 0x01
        gz[gz.count - 1] ^= 0x80
        guard case .sizeMismatch? = thrown(InflateError.self, { _ = try Inflate.gunzip(gz, file: "x.gz") }) else {
            Issue.record("a wrong ISIZE is not reported")
            return
        }
    }

    @Test func everyTruncationIsAnErrorNotACrash() throws {
        for name in ["short.txt.gz", "text.txt.gz", "text.txt.stored.gz", "random.bin.gz"] {
            let gz = try Self.bytes(name)
            for length in Set((0..<min(gz.count, 64)).map { $0 } + stride(from: 64, to: gz.count, by: 97).map { $0 } + [gz.count - 1]) {
                let error = thrown(InflateError.self) { _ = try Inflate.gunzip(Array(gz[..<length]), file: name) }
                #expect(error != nil, "\(name) cut to \(length) bytes decompressed without error")
                #expect(error?.description.hasPrefix(name + ": ") == true)
            }
        }
    }

    @Test func corruptedBytesAreErrorsNotCrashes() throws {
        let gz = try Self.bytes("text.txt.gz")
        var state: UInt64 = 12345
        for _ in 0..<300 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            var bad = gz
            let at = 10 + Int((state >> 33) % UInt64(gz.count - 18))
            bad[at] ^= UInt8(1 + (state >> 20) % 255)
            #expect(thrown(InflateError.self) { _ = try Inflate.gunzip(bad, file: "bad.gz") } != nil, "byte \(at) flipped went unnoticed")
        }
    }

    @Test func badHeadersAreRejected() throws {
        let gz = try Self.bytes("short.txt.gz")
        var method = gz; method[2] = 7
        var flags = gz; flags[3] = 0x20
        let cases: [([UInt8], String)] = [
            ([], "the file is empty"),
            (Array("plain text, not gzip".utf8), "bad magic number 0x706c (expected 0x1f8b)"),
            (method, "compression method 7 is not deflate (8)"),
            (flags, "reserved header flags are set"),
            (gz + [0, 0, 0], ""),  // zero padding is tolerated, like gzip(1)
            (gz + Array("junk".utf8), "4 bytes of trailing garbage"),
        ]
        for (bytes, says) in cases {
            if says.isEmpty {
                #expect(try Inflate.gunzip(bytes) == Self.bytes("short.txt"))
                continue
            }
            let error = thrown(InflateError.self) { _ = try Inflate.gunzip(bytes, file: "f.gz") }
            #expect(error?.description.hasPrefix("f.gz: not a gzip file: ") == true && error?.description.contains(says) == true, "\(String(describing: error))")
        }
    }

    @Test func malformedDeflateDataIsRejected() {
        func corrupt(_ build: (inout BitWriter) -> Void) -> String? {
            var w = BitWriter()
            build(&w)
            return thrown(InflateError.self) { _ = try Inflate.gunzip(Self.gzip(w.bytes, content: []), file: "d.gz") }?.description
        }
        #expect(corrupt { $0.bits(1, 1); $0.bits(3, 2) } == "d.gz: corrupt compressed data: invalid block type 3")
        #expect(corrupt { w in  // stored block whose NLEN is not LEN's complement
            w.bits(1, 1); w.bits(0, 2); w.bits(0, 5)
            w.bits(3, 16); w.bits(3, 16)
        } == "d.gz: corrupt compressed data: stored block length 3 does not match its complement")
        #expect(corrupt { w in  // a copy before anything was written
            w.bits(1, 1); w.bits(1, 2); w.fixedLiteral(257); w.code(0, 5); w.fixedLiteral(256)
        } == "d.gz: corrupt compressed data: distance 1 reaches before the start of the data")
        #expect(corrupt { w in  // length symbol 286 exists in the fixed code but means nothing
            w.bits(1, 1); w.bits(1, 2); w.fixedLiteral(286)
        } == "d.gz: corrupt compressed data: invalid length symbol 286")
        #expect(corrupt { w in  // distance symbol 30
            w.bits(1, 1); w.bits(1, 2); w.fixedLiteral(65); w.fixedLiteral(257); w.code(30, 5)
        } == "d.gz: corrupt compressed data: invalid distance symbol 30")
        #expect(corrupt { w in  // a dynamic block whose code-length code is over-subscribed (three codes of length 1)
            w.bits(1, 1); w.bits(2, 2); w.bits(0, 5); w.bits(0, 5); w.bits(0, 4)
            for _ in 0..<3 { w.bits(1, 3) }
            w.bits(0, 3)
            w.bits(0, 32)
        } == "d.gz: corrupt compressed data: over-subscribed code-length code")
        #expect(corrupt { w in  // a dynamic block starting with "repeat the previous length"
            w.bits(1, 1); w.bits(2, 2); w.bits(0, 5); w.bits(0, 5); w.bits(0, 4)
            w.bits(1, 3); w.bits(1, 3); w.bits(0, 3); w.bits(0, 3)  // lengths of symbols 16, 17: one bit each
            w.code(0, 1)  // symbol 16 first
            w.bits(0, 32)
        } == "d.gz: corrupt compressed data: repeat of a code length with no previous length")
    }

    @Test func outputBeyondTheLimitIsRefused() throws {
        let gz = try Self.bytes("text.txt.gz")
        #expect(thrown(InflateError.self) { _ = try Inflate.gunzip(gz, file: "t.gz", limit: 1000) } == .tooLarge(file: "t.gz", limit: 1000))
    }
}
