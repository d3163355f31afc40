import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Tensors

/// A safetensors file opened for reading. The file is memory-mapped read-only for as long as
/// this object lives, so opening is cheap whatever the file's size, and `tensor(_:)` copies
/// (and converts) only the tensor asked for.
///
/// The header is validated when the file is opened (see `SafetensorsHeader.parse`), so a
/// truncated or corrupt file fails at `init` with a `SafetensorsError` naming it, never later.
///
/// ```swift
/// let file = try SafetensorsFile(path: "Zoo/gpt-kjv/model.safetensors")
/// for name in file.names { print(name, try file.info(name).shape) }
/// let wte = try file.tensor("transformer.wte.weight")
/// ```
public final class SafetensorsFile: @unchecked Sendable {
    /// Hugging Face's limit on the header length (`MAX_HEADER_SIZE`); longer means corrupt.
    public static let maxHeaderLength = 100_000_000

    /// The path the file was opened from, as given.
    public let path: String
    /// The tensors' names, sorted.
    public let names: [String]
    /// The header's `__metadata__` (empty when absent).
    public let metadata: [String: String]

    private let infos: [String: SafetensorsTensorInfo]
    /// The whole file, mapped read-only; unmapped in `deinit`.
    private let mapping: UnsafeRawBufferPointer
    /// Offset of the data buffer in the file: 8 + header length.
    private let dataStart: Int

    /// Opens, maps and validates the file at `path`.
    public init(path: String) throws {
        self.path = path
        mapping = try Self.map(path)
        do {
            let (header, start) = try Self.readHeader(mapping, path: path)
            dataStart = start
            infos = header.tensors
            metadata = header.metadata
            names = header.tensors.keys.sorted()
        } catch {
            munmap(UnsafeMutableRawPointer(mutating: mapping.baseAddress), mapping.count)
            throw error
        }
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: mapping.baseAddress), mapping.count)
    }

    /// How many values the tensors hold together (what the header's shapes say, read without
    /// touching the data): the most parameters a model loaded from this file can have.
    public var valueCount: Int { infos.values.reduce(0) { $0 + $1.count } }

    /// Whether the file holds a tensor named `name`.
    public func contains(_ name: String) -> Bool { infos[name] != nil }

    /// The dtype, shape and byte range of the tensor `name`.
    public func info(_ name: String) throws -> SafetensorsTensorInfo {
        guard let info = infos[name] else { throw SafetensorsError.missingTensor(path: path, name: name) }
        return info
    }

    /// The tensor `name` as a Float32 tensor, converted from F32, F16, BF16, F64, I64 or I32.
    /// Other dtypes throw `SafetensorsError.unsupportedDType`.
    public func tensor(_ name: String) throws -> Tensor {
        let result = Tensor(uninitialized: try info(name).shape)
        try read(name, into: result.data)
        return result
    }

    /// Writes the tensor `name`, converted to Float32 as `tensor(_:)` does, at `destination`
    /// (room for `info(name).count` values): loading a model this way holds no second copy.
    public func read(_ name: String, into destination: UnsafeMutablePointer<Float>) throws {
        let info = try info(name)
        guard info.dtype.convertsToFloat else {
            throw SafetensorsError.unsupportedDType(path: path, name: name, dtype: info.dtype)
        }
        let source = UnsafeRawPointer(mapping.baseAddress!) + dataStart + info.dataOffsets.lowerBound
        Self.decode(info.dtype, count: info.count, from: source, into: destination)
        releasePages(of: info)
    }

    /// Calls `body` with the stored bytes of the tensor `name` (as the header's dtype says),
    /// valid only during the call.
    public func withBytes<R>(of name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let info = try info(name)
        let start = UnsafeRawPointer(mapping.baseAddress!) + dataStart + info.dataOffsets.lowerBound
        defer { releasePages(of: info) }
        return try body(UnsafeRawBufferPointer(start: start, count: info.dataOffsets.count))
    }

    /// Drops the mapped pages under a tensor once it has been copied out. Read pages of a file
    /// mapping count as the process's own memory until unmapped, so without this a model loaded
    /// from its file peaked at the model plus the whole file. The pages are never written, so a
    /// later read finds the file's bytes again (from the page cache).
    private func releasePages(of info: SafetensorsTensorInfo) {
        let page = Self.pageSize
        let base = UnsafeMutableRawPointer(mutating: mapping.baseAddress!)
        let lo = (dataStart + info.dataOffsets.lowerBound) / page * page
        let hi = min(mapping.count, (dataStart + info.dataOffsets.upperBound + page - 1) / page * page)
        if hi > lo { _ = madvise(base + lo, hi - lo, Int32(MADV_DONTNEED)) }
    }

    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// How many bytes of the mapping are resident in this process (its `Rss` in
    /// /proc/self/smaps); nil where that file is not there to tell.
    var residentBytes: Int? {
        // Read to the end by hand: /proc files report a size of 0.
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/smaps"), let bytes = try? handle.readToEnd() else { return nil }
        let smaps = String(decoding: bytes, as: UTF8.self)
        let start = UInt(bitPattern: mapping.baseAddress!)
        var inMapping = false
        for line in smaps.split(separator: "\n") {
            if let dash = line.firstIndex(of: "-"), let lo = UInt(line[..<dash], radix: 16),
               let space = line.firstIndex(of: " "), UInt(line[line.index(after: dash)..<space], radix: 16) != nil {
                inMapping = lo == start
            } else if inMapping, line.hasPrefix("Rss:") {
                return Int(line.split(separator: " ")[1]).map { $0 * 1024 }
            }
        }
        return nil
    }

    /// Every tensor in the file, by name.
    public func tensors() throws -> [String: Tensor] {
        var all: [String: Tensor] = [:]
        for name in names { all[name] = try tensor(name) }
        return all
    }

    // MARK: - Opening

    /// Maps the whole regular file at `path` read-only.
    private static func map(_ path: String) throws -> UnsafeRawBufferPointer {
        func failure(_ what: String) -> SafetensorsError {
            .cannotOpen(path: path, reason: "\(what): \(String(cString: strerror(errno)))")
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open") }
        defer { close(fd) }  // the mapping outlives the descriptor
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw failure("fstat") }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw SafetensorsError.cannotOpen(path: path, reason: "not a regular file")
        }
        let size = Int(status.st_size)
        guard size >= 8 else { throw SafetensorsError.fileTooShort(path: path, size: size) }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0),
              base != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw failure("mmap")
        }
        return UnsafeRawBufferPointer(start: base, count: size)
    }

    /// Reads and validates the header; returns it and the data buffer's offset in the file.
    private static func readHeader(_ file: UnsafeRawBufferPointer, path: String) throws -> (SafetensorsHeader, Int) {
        let length = UInt64(littleEndian: file.loadUnaligned(as: UInt64.self))
        let available = UInt64(file.count - 8)
        guard length <= UInt64(maxHeaderLength), length <= available else {
            throw SafetensorsError.headerTooLarge(path: path, headerLength: length, fileSize: file.count)
        }
        let start = 8 + Int(length)
        let json = Data(UnsafeRawBufferPointer(rebasing: file[8..<start]))
        let header = try SafetensorsHeader.parse(json, bufferSize: file.count - start, path: path)
        return (header, start)
    }

    // MARK: - Conversion to Float32

    /// Converts `count` little-endian elements of `dtype` at `source` (any alignment) to Float32.
    private static func decode(_ dtype: SafetensorsDType, count: Int, from source: UnsafeRawPointer,
                               into destination: UnsafeMutablePointer<Float>) {
        switch dtype {
        case .f32:
            #if _endian(little)
            memcpy(destination, source, count * 4)
            #else
            for i in 0..<count {
                destination[i] = Float(bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            }
            #endif
        case .f16:
            for i in 0..<count {
                let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                destination[i] = Float(Float16(bitPattern: bits))
            }
        case .bf16:
            for i in 0..<count {
                destination[i] = floatFromBFloat16(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
        case .f64:
            for i in 0..<count {
                destination[i] = Float(Double(bitPattern: UInt64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
            }
        case .i64:
            for i in 0..<count {
                destination[i] = Float(Int64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
            }
        case .i32:
            for i in 0..<count {
                destination[i] = Float(Int32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
            }
        default:
            preconditionFailure("decode of \(dtype.rawValue), which convertsToFloat excludes")
        }
    }
}
