import Foundation
import Data
import Testing

/// A scratch directory removed when the test ends.
final class TemporaryDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-images-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// The PGM/PPM reader and writer: every variant round-trips, Pillow's files read back as Pillow
/// wrote them, and every kind of malformed file gets a one-line error naming the file.
@Suite struct NetpbmTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/images")

    struct Expected: Decodable {
        struct Source: Decodable { let width, height, channels, maxval: Int; let samples: [Int] }
        struct Resize: Decodable { let source: String; let width, height: Int; let pixels: [Float] }
        struct Grey: Decodable { let source: String; let pixels: [Int] }
        let images: [String: Source]
        let resizes: [Resize]
        let grey: [Grey]
    }

    static func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: fixtures.appendingPathComponent("expected.json")))
    }

    static func randomImage(_ format: NetpbmFormat, width: Int, height: Int, maxval: Int, seed: UInt64) -> NetpbmImage {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        let samples = (0..<(width * height * format.channels)).map { _ -> UInt16 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt16((state >> 33) % UInt64(maxval + 1))
        }
        return NetpbmImage(format: format, width: width, height: height, maxval: maxval, samples: samples)
    }

    // MARK: Round trips

    @Test(arguments: NetpbmFormat.allCases, [1, 15, 255, 256, 1000, 65535])
    func everyVariantRoundTripsThroughWriterAndReader(format: NetpbmFormat, maxval: Int) throws {
        let dir = try TemporaryDirectory()
        for (w, h) in [(1, 1), (7, 3), (40, 2)] {  // 40 RGB samples per row wrap ASCII lines at 70 characters
            let image = Self.randomImage(format, width: w, height: h, maxval: maxval, seed: UInt64(w * 100 + maxval))
            let path = dir.path("image-\(w)x\(h).\(format.channels == 1 ? "pgm" : "ppm")")
            try image.write(to: path, comment: "written by NetpbmTests\nsecond comment line")
            let back = try NetpbmImage.read(path: path)
            #expect(back == image)
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            if format.isASCII {
                let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
                #expect(lines.allSatisfy { $0.count <= 70 }, "plain Netpbm lines are at most 70 characters")
            }
            #expect(bytes.prefix(3) == ArraySlice(Array("\(format.rawValue)\n".utf8)))
        }
        // The atomic writer leaves no temporary files behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).count == 3)
    }

    @Test func floatImagesRoundTripExactlyAtTheirBitDepth() throws {
        let dir = try TemporaryDirectory()
        for (maxval, ascii) in [(255, false), (255, true), (65535, false), (65535, true)] {
            let levels = (0..<30).map { Float(($0 * 7919) % (maxval + 1)) / Float(maxval) }
            let image = Image(width: 5, height: 2, channels: 3, pixels: levels)
            let path = dir.path("float-\(maxval)-\(ascii).ppm")
            try image.write(to: path, maxval: maxval, ascii: ascii)
            let back = try Image(contentsOfFile: path)
            #expect(back.width == 5 && back.height == 2 && back.channels == 3)
            let worst = zip(back.pixels, image.pixels).map { abs($0 - $1) }.max()!
            #expect(worst < 1e-6, "maxval \(maxval) ascii \(ascii): largest difference \(worst)")
        }
    }

    @Test func readsThePillowWrittenFixtures() throws {
        let expected = try Self.expected()
        #expect(expected.images.count == 4)
        for (name, source) in expected.images {
            let image = try NetpbmImage.read(path: Self.fixtures.appendingPathComponent(name).path)
            #expect(image.width == source.width && image.height == source.height && image.channels == source.channels, "\(name)")
            #expect(image.maxval == source.maxval, "\(name)")
            #expect(image.samples.map(Int.init) == source.samples, "\(name)")
        }
    }

    // MARK: Header syntax

    static func decode(_ text: String, _ binary: [UInt8] = []) throws -> NetpbmImage {
        try NetpbmImage.decode(Array(text.utf8) + binary, file: "test.pnm")
    }

    @Test func commentsMayAppearAnywhereInTheHeader() throws {
        let ascii = try Self.decode("P2# after the magic\n# a whole line\n  3#width\n#\n2 # height\n\t255 # maxval\n0 1 2 # in the data\n3 4 255\n")
        #expect(ascii.width == 3 && ascii.height == 2 && ascii.maxval == 255)
        #expect(ascii.samples == [0, 1, 2, 3, 4, 255])
        let binary = try Self.decode("P5\n# comment\n2 #c\n1\n#c2\n255\n", [7, 200])
        #expect(binary.samples == [7, 200])
        // A comment right after maxval ends the header at its end of line, as in libnetpbm.
        let afterMaxval = try Self.decode("P6 1 1 255# the raster follows\n", [1, 2, 3])
        #expect(afterMaxval.samples == [1, 2, 3])
        // A comment with a carriage return, and CRLF line ends.
        let crlf = try Self.decode("P3\r\n# made on DOS\r\n1 1\r\n9\r\n1 2 3\r\n")
        #expect(crlf.samples == [1, 2, 3] && crlf.maxval == 9)
    }

    @Test func binaryDataStartsAfterExactlyOneWhitespaceByte() throws {
        // The second newline is the first sample (10), not more whitespace.
        let image = try Self.decode("P5 2 1 255\n\n", [5])
        #expect(image.samples == [10, 5])
        let tab = try Self.decode("P5\t1\t1\t255\t", [32])
        #expect(tab.samples == [32])
    }

    @Test func sixteenBitSamplesAreBigEndian() throws {
        #expect(try Self.decode("P5 2 1 65535\n", [0x01, 0x02, 0xff, 0xfe]).samples == [258, 65534])
        // Any maxval above 255 means two bytes a sample.
        #expect(try Self.decode("P5 1 1 256\n", [0x01, 0x00]).samples == [256])
        let rgb = try Self.decode("P6 1 1 1000\n", [0x03, 0xe8, 0x00, 0x00, 0x01, 0xf4])
        #expect(rgb.samples == [1000, 0, 500])
        #expect(rgb.image.pixels == [1, 0, 0.5])
    }

    @Test func onlyTheFirstImageOfAFileIsRead() throws {
        let image = try Self.decode("P5 1 1 255\n", [42] + Array("P5 1 1 255\n".utf8) + [43])
        #expect(image.samples == [42])
    }

    // MARK: Malformed files

    struct Malformed: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: [UInt8]
        /// A fragment of the message after the file name.
        let says: String
        let kind: @Sendable (ImageError) -> Bool
        var testDescription: String { name }

        init(_ name: String, _ text: String, _ binary: [UInt8] = [], says: String, kind: @escaping @Sendable (ImageError) -> Bool) {
            self.name = name
            bytes = Array(text.utf8) + binary
            self.says = says
            self.kind = kind
        }
    }

    static let malformed: [Malformed] = [
        .init("empty file", "", says: "empty") { if case .truncated = $0 { true } else { false } },
        .init("bad magic", "XY 1 1 255\n", [0], says: "not a PGM or PPM image: starts with \"XY\"") { if case .badMagic = $0 { true } else { false } },
        .init("PNG file", "\u{89}PNG\r\n", says: "not a PGM or PPM") { if case .badMagic = $0 { true } else { false } },
        .init("PBM", "P4 8 1\n", [0xff], says: "PBM bitmaps are not supported") { if case .badMagic = $0 { true } else { false } },
        .init("P-something else", "P9 1 1 255\n", [0], says: "\"P9\"") { if case .badMagic = $0 { true } else { false } },
        .init("magic glued to width", "P52 1 255\n", [0], says: "\"P52\"") { if case .badMagic = $0 { true } else { false } },
        .init("short data", "P6 2 2 255\n", [UInt8](repeating: 1, count: 11), says: "expected 12 bytes of pixel data (12 samples of 8 bits), found 11") {
            if case .truncated = $0 { true } else { false }
        },
        .init("short 16-bit data", "P5 2 1 65535\n", [0, 1, 2], says: "expected 4 bytes of pixel data (2 samples of 16 bits), found 3") {
            if case .truncated = $0 { true } else { false }
        },
        .init("no pixel data", "P5 2 2 255", says: "no pixel data") { if case .truncated = $0 { true } else { false } },
        .init("short ASCII data", "P3 2 1 255\n1 2 3 4\n", says: "expected 6 samples, found 4") { if case .truncated = $0 { true } else { false } },
        .init("truncated header", "P6 2", says: "the header ends before the height") { if case .truncated = $0 { true } else { false } },
        .init("header without maxval", "P2\n2 2\n# no maxval", says: "the header ends before the maxval") { if case .truncated = $0 { true } else { false } },
        .init("maxval 0", "P5 1 1 0\n", [0], says: "maxval 0 is out of range") { if case .badMaxval = $0 { true } else { false } },
        .init("maxval 70000", "P5 1 1 70000\n", [0, 0], says: "maxval 70000 is out of range; it must be 1...65535") { if case .badMaxval = $0 { true } else { false } },
        .init("maxval with 30 digits", "P5 1 1 123456789012345678901234567890\n", [0, 0], says: "maxval 123456789012345678… is out of range") {
            if case .badMaxval = $0 { true } else { false }
        },
        .init("width 0", "P5 0 4 255\n", says: "is 0×4") { if case .zeroDimension = $0 { true } else { false } },
        .init("height 0", "P6 4 0 255\n", says: "is 4×0") { if case .zeroDimension = $0 { true } else { false } },
        .init("non-numeric width", "P5 abc 2 255\n", [0, 0], says: "the width must be a decimal number, found \"abc\"") { if case .badHeader = $0 { true } else { false } },
        .init("width with trailing letters", "P5 12x 2 255\n", says: "the width must be a decimal number, found \"12x\"") { if case .badHeader = $0 { true } else { false } },
        .init("negative height", "P5 2 -2 255\n", says: "the height must be a decimal number, found \"-2\"") { if case .badHeader = $0 { true } else { false } },
        .init("huge dimensions", "P6 100000 100000 255\n", [1, 2, 3], says: "too large (100000×100000×3 samples") { if case .tooLarge = $0 { true } else { false } },
        .init("dimensions whose product overflows", "P6 4294967296 4294967296 255\n", [1], says: "too large") { if case .tooLarge = $0 { true } else { false } },
        .init("a width of 25 digits", "P2 1000000000000000000000000 1 255\n1\n", says: "too large") { if case .tooLarge = $0 { true } else { false } },
        .init("huge ASCII image", "P2 60000 60000 255\n1 2 3\n", says: "too large") { if case .tooLarge = $0 { true } else { false } },
        .init("ASCII sample above maxval", "P2 2 2 100\n50 99\n100 101\n", says: "sample 101 at x=1, y=1 exceeds maxval 100") { if case .badSample = $0 { true } else { false } },
        .init("binary sample above maxval", "P6 2 1 200\n", [1, 2, 3, 4, 201, 6], says: "sample 201 at x=1, y=0 exceeds maxval 200") { if case .badSample = $0 { true } else { false } },
        .init("16-bit sample above maxval", "P5 1 1 1000\n", [0x03, 0xe9], says: "sample 1001 at x=0, y=0 exceeds maxval 1000") { if case .badSample = $0 { true } else { false } },
        .init("non-numeric ASCII sample", "P2 2 1 255\n1 x2\n", says: "sample 2 must be a decimal number, found \"x2\"") { if case .badSample = $0 { true } else { false } },
    ]

    @Test(arguments: malformed)
    func malformedFileGivesAOneLineErrorNamingTheFile(_ bad: Malformed) throws {
        let dir = try TemporaryDirectory()
        let path = dir.path(bad.name.replacingOccurrences(of: " ", with: "-") + ".pnm")
        try Data(bad.bytes).write(to: URL(fileURLWithPath: path))
        guard let error = thrown(ImageError.self, { _ = try NetpbmImage.read(path: path) }) else {
            Issue.record("\(bad.name): no error")
            return
        }
        let message = error.description
        #expect(bad.kind(error), "\(bad.name): \(message)")
        #expect(message.hasPrefix(path + ": "), "\(message)")
        #expect(message.contains(bad.says), "\(bad.name): \(message)")
        #expect(!message.contains("\n"))
    }

    @Test func theSampleLimitIsCheckedBeforeReadingData() throws {
        // 100×100 grey with a limit of 1000 samples: refused from the header alone.
        let error = thrown(ImageError.self) { _ = try NetpbmImage.decode(Array("P5 100 100 255\n".utf8), file: "big.pgm", sampleLimit: 1000) }
        #expect(error == .tooLarge(file: "big.pgm", width: "100", height: "100", channels: 1, limit: 1000))
        #expect(try NetpbmImage.decode(Array("P5 10 10 255\n".utf8) + [UInt8](repeating: 0, count: 100), sampleLimit: 100).samples.count == 100)
    }

    @Test func missingFilesAndDirectoriesAreReportedByName() throws {
        let dir = try TemporaryDirectory()
        #expect(thrown(ImageError.self) { _ = try Image(contentsOfFile: dir.path("nope.ppm")) } == .unreadable(file: dir.path("nope.ppm"), reason: "no such file"))
        #expect(thrown(ImageError.self) { _ = try Image(contentsOfFile: dir.url.path) }?.description.hasPrefix(dir.url.path + ": ") == true)
        let target = dir.path("no-such-folder/out.pgm")
        let error = thrown(ImageError.self) { try Image(width: 1, height: 1, channels: 1, repeating: 0).write(to: target) }
        #expect(error?.description.hasPrefix(target + ": cannot write the image") == true, "\(String(describing: error))")
    }

    @Test func writingReplacesAnExistingFileWhole() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("a.pgm")
        try Image(width: 50, height: 50, channels: 1, repeating: 1).write(to: path)
        try Image(width: 2, height: 1, channels: 1, pixels: [0, 1]).write(to: path)
        #expect(try NetpbmImage.read(path: path).samples == [0, 255])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["a.pgm"])
    }
}
