import Foundation

/// A malformed, truncated or unreadable image file, or one that cannot be written. Every message
/// is one line that starts with the file's name.
public enum ImageError: Error, CustomStringConvertible, Equatable {
    case unreadable(file: String, reason: String)
    /// The file does not start with P2, P3, P5 or P6.
    case badMagic(file: String, found: String)
    /// A header field is missing or is not a decimal number.
    case badHeader(file: String, reason: String)
    /// Width or height is 0.
    case zeroDimension(file: String, width: Int, height: Int)
    /// Maxval is 0 or above 65535.
    case badMaxval(file: String, maxval: String)
    /// The header promises more samples than the reader accepts (checked before any allocation).
    case tooLarge(file: String, width: String, height: String, channels: Int, limit: Int)
    /// A sample is not a number (ASCII files) or exceeds maxval.
    case badSample(file: String, reason: String)
    /// The file ends before the header or the pixel data is complete.
    case truncated(file: String, reason: String)
    case writeFailed(file: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let f, let r): "\(f): cannot read the image: \(r)"
        case .badMagic(let f, let found):
            "\(f): not a PGM or PPM image: starts with \(found), expected P2, P3 (ASCII) or P5, P6 (binary)"
        case .badHeader(let f, let r): "\(f): bad Netpbm header: \(r)"
        case .zeroDimension(let f, let w, let h): "\(f): the image is \(w)×\(h); width and height must be at least 1"
        case .badMaxval(let f, let m): "\(f): maxval \(m) is out of range; it must be 1...65535"
        case .tooLarge(let f, let w, let h, let c, let l):
            "\(f): the image is too large (\(w)×\(h)×\(c) samples, more than the limit of \(l)); refusing to read it"
        case .badSample(let f, let r): "\(f): bad pixel data: \(r)"
        case .truncated(let f, let r): "\(f): the file is truncated: \(r)"
        case .writeFailed(let f, let r): "\(f): cannot write the image: \(r)"
        }
    }
}

/// The four Netpbm formats read and written here (netpbm.sourceforge.net/doc/pgm.html, ppm.html).
public enum NetpbmFormat: String, Sendable, CaseIterable {
    /// Plain (ASCII) PGM, plain PPM, raw (binary) PGM, raw PPM.
    case p2 = "P2", p3 = "P3", p5 = "P5", p6 = "P6"

    public var channels: Int { self == .p2 || self == .p5 ? 1 : 3 }
    public var isASCII: Bool { self == .p2 || self == .p3 }

    public init(channels: Int, ascii: Bool) {
        precondition(channels == 1 || channels == 3, "Netpbm images have 1 (PGM) or 3 (PPM) channels, not \(channels)")
        self = channels == 1 ? (ascii ? .p2 : .p5) : (ascii ? .p3 : .p6)
    }
}

/// A PGM or PPM image as stored: integer samples 0...maxval, row-major with channels interleaved.
///
/// Reading follows the Netpbm specification and libnetpbm where the specification is loose:
/// header fields are decimal numbers separated by whitespace (space, TAB, CR, LF, VT, FF);
/// a comment runs from `#` to the end of the line and may appear anywhere in the header (like
/// libnetpbm's `pm_getc`, a comment also separates tokens, and one that directly follows maxval
/// ends the header). After maxval exactly one whitespace byte precedes binary data. Samples of
/// 16-bit files (maxval > 255) are big-endian. Only the first image of a multi-image file is read.
/// Samples above maxval are an error, in binary files too.
public struct NetpbmImage: Equatable, Sendable {
    public var format: NetpbmFormat
    public let width: Int
    public let height: Int
    public var maxval: Int
    /// `width * height * channels` samples, each in 0...maxval.
    public var samples: [UInt16]

    public var channels: Int { format.channels }

    /// The most samples (width × height × channels) the reader accepts by default: 2^28, a
    /// 9459×9459 RGB image. Larger headers are refused before anything is allocated.
    public static let defaultSampleLimit = 1 << 28

    public init(format: NetpbmFormat, width: Int, height: Int, maxval: Int, samples: [UInt16]) {
        precondition(width > 0 && height > 0, "a Netpbm image is at least 1×1")
        precondition((1...65535).contains(maxval), "maxval \(maxval) is not in 1...65535")
        precondition(samples.count == width * height * format.channels, "\(samples.count) samples do not fill \(width)×\(height)×\(format.channels)")
        self.format = format
        self.width = width
        self.height = height
        self.maxval = maxval
        self.samples = samples
    }

    /// Quantizes `image` to `maxval` levels (round to nearest; values are clamped to [0, 1]).
    public init(_ image: Image, maxval: Int = 255, ascii: Bool = false) {
        let scale = Float(maxval)
        let samples = image.pixels.map { v -> UInt16 in
            UInt16((min(max(v.isNaN ? 0 : v, 0), 1) * scale).rounded())
        }
        self.init(format: NetpbmFormat(channels: image.channels, ascii: ascii), width: image.width, height: image.height, maxval: maxval, samples: samples)
    }

    /// The samples scaled to [0, 1]: sample / maxval, divided (not multiplied by a reciprocal) so
    /// 8-bit values come out exactly as torchvision's `ToTensor` (x / 255) gives them.
    public var image: Image {
        let scale = Float(maxval)
        return Image(width: width, height: height, channels: channels, pixels: samples.map { Float($0) / scale })
    }

    // MARK: Reading

    /// Reads the PGM or PPM file at `path`.
    public static func read(path: String, sampleLimit: Int = defaultSampleLimit) throws -> NetpbmImage {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ImageError.unreadable(file: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw ImageError.unreadable(file: path, reason: "it is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImageError.unreadable(file: path, reason: "permission denied or I/O error")
        }
        return try decode([UInt8](data), file: path, sampleLimit: sampleLimit)
    }

    /// Decodes the bytes of a PGM or PPM file; `file` names it in errors.
    public static func decode(_ bytes: [UInt8], file: String = "<image>", sampleLimit: Int = defaultSampleLimit) throws -> NetpbmImage {
        var scanner = HeaderScanner(bytes: bytes, file: file)
        guard bytes.count >= 2 else {
            if bytes.isEmpty { throw ImageError.truncated(file: file, reason: "the file is empty") }
            throw ImageError.badMagic(file: file, found: HeaderScanner.quoted(bytes[...]))
        }
        guard bytes[0] == UInt8(ascii: "P"), let format = NetpbmFormat(rawValue: String(decoding: bytes[0..<2], as: UTF8.self)) else {
            let found = HeaderScanner.quoted(bytes[0..<2])
            let hint = ["P1": " (PBM bitmaps are not supported)", "P4": " (PBM bitmaps are not supported)", "P7": " (PAM is not supported)"]
            throw ImageError.badMagic(file: file, found: found + (hint[String(decoding: bytes[0..<2], as: UTF8.self)] ?? ""))
        }
        scanner.position = 2
        // The magic number must be followed by whitespace (or a comment).
        if scanner.position < bytes.count, !HeaderScanner.isWhitespace(bytes[2]), bytes[2] != UInt8(ascii: "#") {
            scanner.position = 0
            throw ImageError.badMagic(file: file, found: scanner.token())
        }
        let width = try scanner.number("width")
        let height = try scanner.number("height")
        let maxvalText = try scanner.number("maxval")
        guard let w = Int(width), let h = Int(height), w > 0, h > 0 else {
            if width.allSatisfy({ $0 == "0" }) || height.allSatisfy({ $0 == "0" }) {
                throw ImageError.zeroDimension(file: file, width: Int(width) ?? 0, height: Int(height) ?? 0)
            }
            throw ImageError.tooLarge(file: file, width: width, height: height, channels: format.channels, limit: sampleLimit)
        }
        let (wh, o1) = w.multipliedReportingOverflow(by: h)
        let (count, o2) = wh.multipliedReportingOverflow(by: format.channels)
        guard !o1, !o2, count <= sampleLimit else {
            throw ImageError.tooLarge(file: file, width: width, height: height, channels: format.channels, limit: sampleLimit)
        }
        guard let maxval = Int(maxvalText), (1...65535).contains(maxval) else {
            throw ImageError.badMaxval(file: file, maxval: maxvalText)
        }
        let samples: [UInt16]
        if format.isASCII {
            samples = try scanner.asciiSamples(count: count, maxval: maxval, width: w, channels: format.channels)
        } else {
            try scanner.endOfBinaryHeader()
            samples = try scanner.binarySamples(count: count, maxval: maxval, width: w, channels: format.channels)
        }
        return NetpbmImage(format: format, width: w, height: h, maxval: maxval, samples: samples)
    }

    /// Reads header tokens and samples; `position` is the next byte.
    struct HeaderScanner {
        let bytes: [UInt8]
        let file: String
        var position = 0

        static func isWhitespace(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0d).contains(b) }
        static func isDigit(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) }

        /// Up to 16 bytes shown safely in a message.
        static func quoted(_ s: ArraySlice<UInt8>) -> String {
            let shown = s.prefix(16).map { b -> String in
                (0x20..<0x7f).contains(b) && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") ? String(UnicodeScalar(b)) : "\\x" + (b < 16 ? "0" : "") + String(b, radix: 16)
            }.joined()
            return "\"" + shown + (s.count > 16 ? "…" : "") + "\""
        }

        mutating func skipComment() {
            while position < bytes.count, bytes[position] != 0x0a, bytes[position] != 0x0d { position += 1 }
        }

        mutating func skipSeparators() {
            while position < bytes.count {
                let b = bytes[position]
                if Self.isWhitespace(b) { position += 1 } else if b == UInt8(ascii: "#") { skipComment() } else { return }
            }
        }

        /// The token at `position` (for messages).
        func token() -> String {
            var end = position
            while end < bytes.count, !Self.isWhitespace(bytes[end]), bytes[end] != UInt8(ascii: "#"), end - position < 16 { end += 1 }
            return Self.quoted(bytes[position..<max(end, min(position + 1, bytes.count))])
        }

        /// The digits of the next header field (returned as text so a huge value can be reported as written).
        mutating func number(_ field: String) throws -> String {
            skipSeparators()
            guard position < bytes.count else { throw ImageError.truncated(file: file, reason: "the header ends before the \(field)") }
            let start = position
            while position < bytes.count, Self.isDigit(bytes[position]) { position += 1 }
            guard position > start, position == bytes.count || Self.isWhitespace(bytes[position]) || bytes[position] == UInt8(ascii: "#") else {
                position = start
                throw ImageError.badHeader(file: file, reason: "the \(field) must be a decimal number, found \(token())")
            }
            var digits = String(decoding: bytes[start..<position], as: UTF8.self)
            while digits.count > 1, digits.first == "0" { digits.removeFirst() }
            return digits.count > 18 ? String(digits.prefix(18)) + "…" : digits  // Int(_) of "…" fails: too large
        }

        /// Consumes the single whitespace byte between maxval and binary data (or, as libnetpbm
        /// does, a comment up to and including its end of line).
        mutating func endOfBinaryHeader() throws {
            guard position < bytes.count else { throw ImageError.truncated(file: file, reason: "the file ends after the header, with no pixel data") }
            if bytes[position] == UInt8(ascii: "#") { skipComment() }
            position += 1
        }

        mutating func binarySamples(count: Int, maxval: Int, width: Int, channels: Int) throws -> [UInt16] {
            let size = maxval > 255 ? 2 : 1
            let available = bytes.count - min(position, bytes.count)
            guard available >= count * size else {
                throw ImageError.truncated(file: file, reason: "expected \(count * size) bytes of pixel data (\(count) samples of \(size * 8) bits), found \(available)")
            }
            var bad: Int?
            let samples = [UInt16](unsafeUninitializedCapacity: count) { out, initialized in
                bytes.withUnsafeBufferPointer { b in
                    let p = position
                    if size == 1 {
                        for i in 0..<count { out[i] = UInt16(b[p + i]) }
                    } else {
                        for i in 0..<count { out[i] = UInt16(b[p + 2 * i]) << 8 | UInt16(b[p + 2 * i + 1]) }
                    }
                }
                initialized = count
                if maxval != (size == 1 ? 255 : 65535) { bad = out.firstIndex { Int($0) > maxval } }
            }
            if let i = bad { throw outOfRange(samples[i], index: i, maxval: maxval, width: width, channels: channels) }
            position += count * size
            return samples
        }

        mutating func asciiSamples(count: Int, maxval: Int, width: Int, channels: Int) throws -> [UInt16] {
            var samples: [UInt16] = []
            samples.reserveCapacity(min(count, (bytes.count - position) / 2 + 1))  // each sample takes ≥ 2 bytes
            while samples.count < count {
                skipSeparators()
                guard position < bytes.count else {
                    throw ImageError.truncated(file: file, reason: "expected \(count) samples, found \(samples.count)")
                }
                let start = position
                var value = 0
                while position < bytes.count, Self.isDigit(bytes[position]) {
                    value = min(value * 10 + Int(bytes[position] - 0x30), 1 << 20)
                    position += 1
                }
                guard position > start, position == bytes.count || Self.isWhitespace(bytes[position]) || bytes[position] == UInt8(ascii: "#") else {
                    position = start
                    throw ImageError.badSample(file: file, reason: "sample \(samples.count + 1) must be a decimal number, found \(token())")
                }
                guard value <= maxval else {
                    throw outOfRange(value, index: samples.count, maxval: maxval, width: width, channels: channels)
                }
                samples.append(UInt16(value))
            }
            return samples
        }

        func outOfRange<V: BinaryInteger>(_ value: V, index: Int, maxval: Int, width: Int, channels: Int) -> ImageError {
            let pixel = index / channels
            let value = value >= 1 << 20 ? "\(value)+" : "\(value)"
            return .badSample(file: file, reason: "sample \(value) at x=\(pixel % width), y=\(pixel / width) exceeds maxval \(maxval)")
        }
    }

    // MARK: Writing

    /// The file's bytes: a header (`P6`, optional `# comment` line, `W H`, maxval), then binary
    /// samples (1 byte, or 2 big-endian bytes when maxval > 255) or ASCII lines of at most 70
    /// characters, each image row starting a new line.
    public func encoded(comment: String? = nil) -> [UInt8] {
        var out: [UInt8] = Array("\(format.rawValue)\n".utf8)
        if let comment {
            for line in comment.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
                out += Array("# \(line)\n".utf8)
            }
        }
        out += Array("\(width) \(height)\n\(maxval)\n".utf8)
        if format.isASCII {
            let rowLength = width * channels
            out.reserveCapacity(out.count + samples.count * (maxval > 999 ? 6 : 4))
            for row in 0..<height {
                var lineLength = 0
                for s in samples[(row * rowLength)..<((row + 1) * rowLength)] {
                    let digits = Array(String(s).utf8)
                    if lineLength > 0, lineLength + 1 + digits.count > 70 {
                        out.append(0x0a)
                        lineLength = 0
                    }
                    if lineLength > 0 {
                        out.append(0x20)
                        lineLength += 1
                    }
                    out += digits
                    lineLength += digits.count
                }
                out.append(0x0a)
            }
        } else if maxval > 255 {
            out.reserveCapacity(out.count + 2 * samples.count)
            for s in samples { out += [UInt8(s >> 8), UInt8(s & 0xff)] }
        } else {
            out += samples.map { UInt8($0) }
        }
        return out
    }

    /// Writes the image to `path` atomically (a temporary file in the same directory, then a
    /// rename), so a failure never leaves a half-written image behind.
    public func write(to path: String, comment: String? = nil) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ImageError.writeFailed(file: path, reason: "the directory \(directory) does not exist")
        }
        do {
            try Data(encoded(comment: comment)).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ImageError.writeFailed(file: path, reason: FileProblem.reason(error, path: path))
        }
    }
}
