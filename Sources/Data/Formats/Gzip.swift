import CZlib
import Foundation

/// A gzip (RFC 1952) file that cannot be decompressed, with the file named.
public enum GzipError: Error, CustomStringConvertible, Equatable {
    /// The bytes are not a gzip member (no `1f 8b` magic, or a header zlib rejects).
    case notGzip(file: String, reason: String)
    /// The input ended inside a member.
    case truncated(file: String)
    /// zlib found the compressed data or its trailer (CRC-32, length) wrong.
    case corrupt(file: String, reason: String)
    /// Bytes after the last member that are not another member (zero padding is tolerated, as gzip(1) does).
    case trailingGarbage(file: String, bytes: Int)
    /// The output would exceed the caller's limit (a guard against decompression bombs).
    case tooLarge(file: String, limit: Int)

    public var description: String {
        switch self {
        case .notGzip(let f, let r): "\(f): not a gzip file: \(r)"
        case .truncated(let f): "\(f): compressed data is truncated (the stream ends inside a gzip member)"
        case .corrupt(let f, let r): "\(f): corrupt compressed data: \(r)"
        case .trailingGarbage(let f, let n): "\(f): not a gzip file: \(n) bytes of trailing garbage after the last member"
        case .tooLarge(let f, let l): "\(f): decompresses to more than \(l) bytes"
        }
    }
}

/// gzip decompression through zlib: every member of a (possibly concatenated) file, with zlib's
/// own checks of the header, the DEFLATE data and each member's CRC-32 and length.
public enum Gzip {
    /// Whether `bytes` start with gzip's magic number.
    public static func isGzip(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b }

    /// The decompressed bytes of every member of `bytes`; `file` names the data in errors, and
    /// output beyond `limit` bytes is refused.
    public static func decompress(_ bytes: [UInt8], file: String = "<gzip data>", limit: Int = Int.max) throws -> [UInt8] {
        guard !bytes.isEmpty else { throw GzipError.notGzip(file: file, reason: "the file is empty") }
        guard isGzip(bytes) else {
            let magic = bytes.count >= 2 ? String(format: "0x%02x%02x", bytes[0], bytes[1]) : String(format: "0x%02x", bytes[0])
            throw GzipError.notGzip(file: file, reason: "bad magic number \(magic) (expected 0x1f8b)")
        }
        var output: [UInt8] = []
        var offset = 0
        while offset < bytes.count {
            let rest = bytes[offset...]
            if rest.allSatisfy({ $0 == 0 }) { break }
            guard isGzip(Array(rest.prefix(2))) else { throw GzipError.trailingGarbage(file: file, bytes: rest.count) }
            offset += try member(bytes, from: offset, into: &output, file: file, limit: limit)
        }
        return output
    }

    /// Decompresses the member starting at `start`, appending to `output`; returns the bytes it spanned.
    private static func member(_ bytes: [UInt8], from start: Int, into output: inout [UInt8], file: String, limit: Int) throws -> Int {
        var stream = z_stream()
        // 16 + MAX_WBITS: a gzip wrapper (and only that), with its CRC-32 and length checked.
        guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw GzipError.corrupt(file: file, reason: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let consumed: Int = try bytes.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + start)
            stream.avail_in = UInt32(input.count - start)
            while true {
                let (status, produced) = chunk.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(out.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    return (status, out.count - Int(stream.avail_out))
                }
                if output.count + produced > limit { throw GzipError.tooLarge(file: file, limit: limit) }
                output += chunk[0..<produced]
                switch status {
                case Z_STREAM_END:
                    return input.count - start - Int(stream.avail_in)
                case Z_OK:
                    continue
                case Z_BUF_ERROR where stream.avail_in == 0:
                    throw GzipError.truncated(file: file)
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    if message.contains("header") || message.contains("compression method") {
                        throw GzipError.notGzip(file: file, reason: message)
                    }
                    throw GzipError.corrupt(file: file, reason: message)
                }
            }
        }
        return consumed
    }
}
