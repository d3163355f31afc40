import Data
import Foundation
import Testing

/// gzip through zlib, against files compressed by Python's gzip module
/// (Tests/Fixtures/make_image_fixtures.py), and damaged files that must fail with one line naming the file.
@Suite struct GzipTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/gzip")

    static func bytes(_ name: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: fixtures.appendingPathComponent(name)))
    }

    @Test(arguments: ["text.txt", "short.txt", "empty.txt", "random.bin"])
    func decompressesWhatPythonsGzipCompressed(_ name: String) throws {
        #expect(try Gzip.decompress(Self.bytes(name + ".gz"), file: name + ".gz") == Self.bytes(name))
    }

    @Test func storedBlocksAHeaderWithAFileNameAndConcatenatedMembers() throws {
        #expect(try Gzip.decompress(Self.bytes("text.txt.stored.gz")) == Self.bytes("text.txt"))
        #expect(try Gzip.decompress(Self.bytes("short.txt.named.gz")) == Self.bytes("short.txt"))
        #expect(try Gzip.decompress(Self.bytes("multi.gz")) == Array("first member\nsecond member\n".utf8))
    }

    @Test func aDamagedTrailerIsCorruptData() throws {
        var gz = try Self.bytes("text.txt.gz")
        gz[gz.count - 8] ^= 0x01  // CRC-32
        #expect(errorMessage { try Gzip.decompress(gz, file: "x.gz") } == "x.gz: corrupt compressed data: incorrect data check")
        gz[gz.count - 8] ^= 0x01
        gz[gz.count - 1] ^= 0x80  // ISIZE
        #expect(errorMessage { try Gzip.decompress(gz, file: "x.gz") } == "x.gz: corrupt compressed data: incorrect length check")
    }

    @Test func everyTruncationIsAnErrorNotACrash() throws {
        for name in ["short.txt.gz", "text.txt.gz", "text.txt.stored.gz", "random.bin.gz"] {
            let gz = try Self.bytes(name)
            for length in Set(Array(2..<min(gz.count, 64)) + Array(stride(from: 64, to: gz.count, by: 97)) + [gz.count - 1]) {
                let error = thrown(GzipError.self) { _ = try Gzip.decompress(Array(gz[..<length]), file: name) }
                #expect(error == .truncated(file: name), "\(name) cut to \(length) bytes: \(String(describing: error))")
            }
        }
    }

    @Test func flippedBytesAreErrorsNotCrashes() throws {
        let gz = try Self.bytes("text.txt.gz")
        var state: UInt64 = 12345
        for _ in 0..<300 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            var bad = gz
            let at = 10 + Int((state >> 33) % UInt64(gz.count - 18))
            bad[at] ^= UInt8(1 + (state >> 20) % 255)
            #expect(thrown(GzipError.self) { _ = try Gzip.decompress(bad, file: "bad.gz") } != nil, "byte \(at) flipped went unnoticed")
        }
    }

    @Test func notGzipAndTrailingBytes() throws {
        let gz = try Self.bytes("short.txt.gz")
        var method = gz
        method[2] = 7
        #expect(errorMessage { try Gzip.decompress([], file: "f.gz") } == "f.gz: not a gzip file: the file is empty")
        #expect(errorMessage { try Gzip.decompress(Array("plain text".utf8), file: "f.gz") }
                == "f.gz: not a gzip file: bad magic number 0x706c (expected 0x1f8b)")
        #expect(errorMessage { try Gzip.decompress(method, file: "f.gz") } == "f.gz: not a gzip file: unknown compression method")
        #expect(try Gzip.decompress(gz + [0, 0, 0]) == Self.bytes("short.txt"))  // zero padding is tolerated, as gzip(1) does
        #expect(errorMessage { try Gzip.decompress(gz + Array("junk".utf8), file: "f.gz") }
                == "f.gz: not a gzip file: 4 bytes of trailing garbage after the last member")
    }

    @Test func outputBeyondTheLimitIsRefused() throws {
        let gz = try Self.bytes("text.txt.gz")
        #expect(thrown(GzipError.self) { _ = try Gzip.decompress(gz, file: "t.gz", limit: 1000) } == .tooLarge(file: "t.gz", limit: 1000))
        #expect(try Gzip.decompress(gz, file: "t.gz", limit: Self.bytes("text.txt").count) == Self.bytes("text.txt"))
    }
}
