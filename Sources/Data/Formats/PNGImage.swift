import CZlib
import Foundation

/// An 8-bit RGB or RGBA picture written as a PNG file (ISO/IEC 15948): the signature, IHDR, one
/// IDAT of zlib-compressed scanlines (filter type 0 on every row) and IEND, each chunk with its
/// CRC-32 from zlib. Writing only: the zoo draws pictures (attention over an image), it reads
/// images as Netpbm.
public struct PNGImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// 3 (RGB) or 4 (RGBA, alpha not premultiplied).
    public let channels: Int
    /// Row-major, channels interleaved: width · height · channels bytes.
    public var samples: [UInt8]

    public init(width: Int, height: Int, channels: Int, samples: [UInt8]) {
        precondition(width > 0 && height > 0 && (channels == 3 || channels == 4), "PNG: \(width)×\(height)×\(channels)")
        precondition(samples.count == width * height * channels, "PNG: \(samples.count) samples for \(width)×\(height)×\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.samples = samples
    }

    /// The file's bytes.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header: [UInt8] = []
        header += Self.bigEndian(UInt32(width)) + Self.bigEndian(UInt32(height))
        header += [8, channels == 4 ? 6 : 2, 0, 0, 0]  // bit depth, colour type, deflate, filter method 0, no interlace
        Self.chunk("IHDR", header, into: &out)
        let row = width * channels
        var raw = [UInt8]()
        raw.reserveCapacity(height * (row + 1))
        for y in 0..<height {
            raw.append(0)  // filter type None
            raw += samples[(y * row)..<((y + 1) * row)]
        }
        Self.chunk("IDAT", Self.zlibCompressed(raw), into: &out)
        Self.chunk("IEND", [], into: &out)
        return out
    }

    /// Writes the file (atomically: a reader never sees half of it).
    public func write(to path: String) throws {
        try Data(encoded()).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }

    /// Length, type, data and the CRC-32 of type and data.
    static func chunk(_ type: String, _ data: [UInt8], into out: inout [UInt8]) {
        let typed = Array(type.utf8) + data
        let crc = typed.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        out += bigEndian(UInt32(data.count)) + typed + bigEndian(UInt32(crc))
    }

    /// `bytes` as one zlib stream (RFC 1950), best compression.
    static func zlibCompressed(_ bytes: [UInt8]) -> [UInt8] {
        var size = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(size))
        let status = out.withUnsafeMutableBufferPointer { o in
            bytes.withUnsafeBufferPointer { i in compress2(o.baseAddress, &size, i.baseAddress, uLong(i.count), Z_BEST_COMPRESSION) }
        }
        precondition(status == Z_OK, "zlib compress2 failed (\(status))")  // only with too small a buffer, which compressBound rules out
        return Array(out.prefix(Int(size)))
    }
}
