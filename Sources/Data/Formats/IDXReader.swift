import Foundation

/// A malformed, truncated or unreadable IDX file (or a pair whose counts disagree).
public enum IDXError: Error, CustomStringConvertible, Equatable {
    case unreadable(file: String, reason: String)
    /// The first four bytes are not `00 00 TYPE RANK`, or not the magic the caller expects.
    case badMagic(file: String, found: String, expected: String)
    /// A data type other than unsigned bytes (0x08).
    case unsupportedType(file: String, type: UInt8)
    /// The file ends inside the header or holds fewer bytes than its dimensions promise.
    case truncated(file: String, reason: String)
    /// More data than the dimensions promise, or a zero or oversized dimension.
    case badDimensions(file: String, reason: String)
    /// An images file and a labels file with different item counts.
    case countMismatch(images: String, imageCount: Int, labels: String, labelCount: Int)
    case writeFailed(file: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let f, let r): "\(f): cannot read the IDX file: \(r)"
        case .badMagic(let f, let found, let expected): "\(f): not an IDX \(expected) file: magic number \(found)"
        case .unsupportedType(let f, let t):
            "\(f): IDX data type 0x\(String(t, radix: 16)) is not supported; only unsigned bytes (0x08) are"
        case .truncated(let f, let r): "\(f): the IDX file is truncated: \(r)"
        case .badDimensions(let f, let r): "\(f): bad IDX dimensions: \(r)"
        case .countMismatch(let i, let ic, let l, let lc): "\(i) holds \(ic) images but \(l) holds \(lc) labels"
        case .writeFailed(let f, let r): "\(f): cannot write the IDX file: \(r)"
        }
    }
}

/// An array in the IDX format of LeCun's MNIST (yann.lecun.com/exdb/mnist), also used by
/// Fashion-MNIST: the magic number `00 00 08 RANK` (unsigned bytes), RANK big-endian 32-bit
/// dimensions, then the values in row-major order. Images are rank 3 (magic 0x00000803:
/// count × rows × columns), labels rank 1 (0x00000801). Files may be gzip-compressed (recognized
/// by their content, not their name); see `Gzip`.
public struct IDXArray: Equatable, Sendable {
    public var dimensions: [Int]
    public var values: [UInt8]

    /// The magic number of images (rank 3) and labels (rank 1) of unsigned bytes.
    public static let imagesMagic: UInt32 = 0x0000_0803
    public static let labelsMagic: UInt32 = 0x0000_0801

    public init(dimensions: [Int], values: [UInt8]) {
        precondition(!dimensions.isEmpty && dimensions.count < 256, "an IDX array has 1...255 dimensions")
        precondition(dimensions.allSatisfy { $0 >= 0 && $0 <= Int(UInt32.max) }, "IDX dimensions are 32-bit: \(dimensions)")
        precondition(values.count == dimensions.reduce(1, *), "\(values.count) values do not fill \(dimensions)")
        self.dimensions = dimensions
        self.values = values
    }

    /// Reads an IDX file, gzip-compressed or not. With `rank`, the file must have that many
    /// dimensions (3 for images, 1 for labels), which its magic number states.
    public static func read(path: String, rank: Int? = nil) throws -> IDXArray {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw IDXError.unreadable(file: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw IDXError.unreadable(file: path, reason: "it is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw IDXError.unreadable(file: path, reason: "permission denied or I/O error")
        }
        var bytes = [UInt8](data)
        if Gzip.isGzip(bytes) { bytes = try Gzip.decompress(bytes, file: path) }
        return try decode(bytes, file: path, rank: rank)
    }

    /// Reads an images file (magic 0x00000803: count × rows × columns).
    public static func readImages(path: String) throws -> IDXArray { try read(path: path, rank: 3) }

    /// Reads a labels file (magic 0x00000801: count).
    public static func readLabels(path: String) throws -> IDXArray { try read(path: path, rank: 1) }

    /// Decodes uncompressed IDX bytes; `file` names them in errors.
    public static func decode(_ bytes: [UInt8], file: String = "<idx data>", rank: Int? = nil) throws -> IDXArray {
        let what = rank == 3 ? "images" : rank == 1 ? "labels" : "unsigned-byte"
        let expected = rank.map { r -> String in
            let h = String(0x800 + r, radix: 16)
            return "0x" + String(repeating: "0", count: 8 - h.count) + h
        } ?? "0x000008NN"
        guard bytes.count >= 4 else {
            throw IDXError.truncated(file: file, reason: "\(bytes.count) bytes, too short for the 4-byte magic number")
        }
        let found = "0x" + bytes[0..<4].map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        guard bytes[0] == 0, bytes[1] == 0, bytes[3] > 0 else { throw IDXError.badMagic(file: file, found: found, expected: "\(what) (\(expected))") }
        guard bytes[2] == 0x08 else {
            if [0x09, 0x0b, 0x0c, 0x0d, 0x0e].contains(bytes[2]) { throw IDXError.unsupportedType(file: file, type: bytes[2]) }
            throw IDXError.badMagic(file: file, found: found, expected: "\(what) (\(expected))")
        }
        let n = Int(bytes[3])
        if let rank, n != rank { throw IDXError.badMagic(file: file, found: found, expected: "\(what) (\(expected))") }
        let header = 4 + 4 * n
        guard bytes.count >= header else {
            throw IDXError.truncated(file: file, reason: "the header of \(n) dimensions needs \(header) bytes, the file has \(bytes.count)")
        }
        var dimensions: [Int] = []
        for i in 0..<n {
            let p = 4 + 4 * i
            dimensions.append(Int(bytes[p]) << 24 | Int(bytes[p + 1]) << 16 | Int(bytes[p + 2]) << 8 | Int(bytes[p + 3]))
        }
        // Dimensions are ≤ 2^32 each; the product is compared with the bytes present before copying.
        var count = 1
        for d in dimensions {
            let (p, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { throw IDXError.badDimensions(file: file, reason: "\(dimensions) hold more values than can be addressed") }
            count = p
        }
        let shape = dimensions.map(String.init).joined(separator: "×")
        let available = bytes.count - header
        guard available >= count else {
            throw IDXError.truncated(file: file, reason: "dimensions \(shape) need \(count) bytes of data, the file has \(available)")
        }
        guard available == count else {
            throw IDXError.badDimensions(file: file, reason: "dimensions \(shape) need \(count) bytes of data, the file has \(available) (\(available - count) extra)")
        }
        return IDXArray(dimensions: dimensions, values: Array(bytes[header...]))
    }

    /// The uncompressed IDX bytes.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
        for d in dimensions { out += [UInt8(d >> 24 & 0xff), UInt8(d >> 16 & 0xff), UInt8(d >> 8 & 0xff), UInt8(d & 0xff)] }
        return out + values
    }

    /// Writes the uncompressed IDX file atomically (temporary file, then rename).
    public func write(to path: String) throws {
        do {
            try Data(encoded()).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw IDXError.writeFailed(file: path, reason: FileProblem.reason(error, path: path))
        }
    }
}
