import CZlib
import Data
import Foundation
import Testing

/// PNG files read back chunk by chunk: the CRCs checked with a CRC-32 written here (not zlib's),
/// the IDAT inflated with zlib, the scanlines compared with the samples.
@Suite struct PNGImageTests {
    /// CRC-32 (ISO 3309, as PNG's annex D), bit by bit.
    static func crc32Bitwise(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return c ^ 0xFFFF_FFFF
    }

    static func uint32(_ b: [UInt8], _ i: Int) -> UInt32 { b[i..<(i + 4)].reduce(0) { $0 << 8 | UInt32($1) } }

    /// The chunks (type, data) of a PNG file, every CRC checked.
    static func chunks(_ file: [UInt8]) -> [(String, [UInt8])] {
        #expect(Array(file.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var out: [(String, [UInt8])] = []
        var i = 8
        while i + 12 <= file.count {
            let length = Int(uint32(file, i))
            let typed = Array(file[(i + 4)..<(i + 8 + length)])
            #expect(uint32(file, i + 8 + length) == crc32Bitwise(typed), "CRC of chunk \(out.count)")
            out.append((String(decoding: typed.prefix(4), as: UTF8.self), Array(typed.dropFirst(4))))
            i += 12 + length
        }
        #expect(i == file.count)
        return out
    }

    @Test(arguments: [3, 4]) func pngHoldsTheSamplesInItsScanlines(channels: Int) throws {
        let width = 5, height = 3
        let samples = (0..<(width * height * channels)).map { UInt8(($0 * 37) % 256) }
        let file = PNGImage(width: width, height: height, channels: channels, samples: samples).encoded()
        let chunks = Self.chunks(file)
        #expect(chunks.map(\.0) == ["IHDR", "IDAT", "IEND"])
        let header = chunks[0].1
        #expect(Self.uint32(header, 0) == UInt32(width) && Self.uint32(header, 4) == UInt32(height))
        #expect(Array(header[8...]) == [8, channels == 4 ? 6 : 2, 0, 0, 0])
        let compressed = chunks[1].1
        var size = uLong(height * (width * channels + 1))
        var raw = [UInt8](repeating: 0, count: Int(size))
        let status = raw.withUnsafeMutableBufferPointer { r in
            compressed.withUnsafeBufferPointer { c in uncompress(r.baseAddress, &size, c.baseAddress, uLong(c.count)) }
        }
        #expect(status == Z_OK && Int(size) == raw.count)
        let row = width * channels
        for y in 0..<height {
            #expect(raw[y * (row + 1)] == 0, "row \(y) filter")
            #expect(Array(raw[(y * (row + 1) + 1)..<((y + 1) * (row + 1))]) == Array(samples[(y * row)..<((y + 1) * row)]), "row \(y)")
        }
    }
}
