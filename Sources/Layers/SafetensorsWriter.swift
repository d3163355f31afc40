import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Data
import Tensors

extension SafetensorsFile {
    /// Writes `tensors` as a safetensors file that Python's `safetensors` loads.
    ///
    /// The file is written atomically: to a temporary file in the same directory, flushed, then
    /// renamed over `path`. If anything fails, the temporary file is removed and whatever was at
    /// `path` before is untouched.
    ///
    /// As Hugging Face's writer does, the header is padded with spaces to a multiple of 8 bytes so
    /// the data buffer is 8-byte aligned. `__metadata__` comes first, then the tensors sorted by
    /// name; the data buffer holds them in that same order.
    ///
    /// - Parameters:
    ///   - tensors: names and tensors; names must be unique and not `__metadata__`.
    ///   - dtype: `.f32`, `.f16` or `.bf16`; narrowing rounds to nearest even (BF16 as PyTorch does).
    ///   - metadata: written as the header's `__metadata__` when not empty.
    public static func write(_ tensors: [(String, Tensor)], to path: String, dtype: SafetensorsDType = .f32,
                             metadata: [String: String] = [:]) throws {
        try write(tensors, to: path, dtype: dtype, metadata: metadata, afterWrite: nil)
    }

    /// Writes `tensors` as a safetensors file; see `write(_:to:dtype:metadata:)` for the array form.
    public static func write(_ tensors: [String: Tensor], to path: String, dtype: SafetensorsDType = .f32,
                             metadata: [String: String] = [:]) throws {
        try write(tensors.map { ($0.key, $0.value) }, to: path, dtype: dtype, metadata: metadata, afterWrite: nil)
    }

    /// Writes `records`, each in its own dtype: what a quantized model's file needs (int8 or bf16
    /// matrices beside fp32 scales, biases and norms). Atomic as `write(_:to:dtype:metadata:)`.
    public static func write(_ records: [SafetensorsRecord], to path: String, metadata: [String: String] = [:]) throws {
        try write(records, to: path, metadata: metadata, afterWrite: nil)
    }

    /// The writer, with a hook called with the number of bytes written after each write to the
    /// temporary file; tests throw from it to simulate a crash part-way through.
    static func write(_ tensors: [(String, Tensor)], to path: String, dtype: SafetensorsDType,
                      metadata: [String: String], afterWrite: ((Int) throws -> Void)?) throws {
        guard dtype == .f32 || dtype == .f16 || dtype == .bf16 else {
            throw SafetensorsError.writeFailed(path: path, reason: "cannot write dtype \(dtype.rawValue); use F32, F16 or BF16")
        }
        try write(tensors.map { SafetensorsRecord($0.0, $0.1, as: dtype) }, to: path, metadata: metadata, afterWrite: afterWrite)
    }

    static func write(_ records: [SafetensorsRecord], to path: String, metadata: [String: String],
                      afterWrite: ((Int) throws -> Void)?) throws {
        let sorted = records.sorted { $0.name < $1.name }
        for (i, record) in sorted.enumerated() {
            if record.name == "__metadata__" {
                throw SafetensorsError.invalidTensorName(path: path, name: record.name, reason: "the name is reserved for metadata")
            }
            if i > 0 && sorted[i - 1].name == record.name {
                throw SafetensorsError.invalidTensorName(path: path, name: record.name, reason: "the name appears twice")
            }
        }
        let header = headerBytes(sorted, metadata: metadata)

        let file = try TemporaryFile(beside: path, afterWrite: afterWrite)
        do {
            var length = UInt64(header.count).littleEndian
            try withUnsafeBytes(of: &length) { try file.write($0) }
            try header.withUnsafeBytes { try file.write($0) }
            for record in sorted {
                switch record.payload {
                case .tensor(let tensor): try writeData(tensor, as: record.dtype, to: file)
                case .bytes(let bytes): try bytes.withUnsafeBytes { try file.write($0) }
                }
            }
            try file.commit()
        } catch {
            file.discard()
            throw error
        }
    }

    // MARK: - Header

    /// The JSON header, padded with spaces to a multiple of 8 bytes.
    static func headerBytes(_ records: [SafetensorsRecord], metadata: [String: String]) -> [UInt8] {
        var parts: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\(jsonStringLiteral($0.key)):\(jsonStringLiteral($0.value))" }
            parts.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for record in records {
            let end = offset + record.byteCount
            let shape = record.shape.map(String.init).joined(separator: ",")
            parts.append("\(jsonStringLiteral(record.name)):{\"dtype\":\"\(record.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var bytes = Array("{\(parts.joined(separator: ","))}".utf8)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - bytes.count % 8) % 8))
        return bytes
    }

    // MARK: - Data

    /// Writes the tensor's elements as little-endian `dtype`, narrowing in chunks so memory stays flat.
    private static func writeData(_ tensor: Tensor, as dtype: SafetensorsDType, to file: TemporaryFile) throws {
        let source = tensor.data
        let count = tensor.count
        #if _endian(little)
        if dtype == .f32 {
            try file.write(UnsafeRawBufferPointer(start: source, count: count * 4))
            return
        }
        #endif
        let chunk = 1 << 16
        var buffer = [UInt32](repeating: 0, count: chunk)
        var start = 0
        while start < count {
            let n = min(chunk, count - start)
            try buffer.withUnsafeMutableBufferPointer { out in
                let raw = UnsafeMutableRawPointer(out.baseAddress!)
                switch dtype {
                case .f16:
                    for i in 0..<n { raw.storeBytes(of: float16Bits(source[start + i]).littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
                case .bf16:
                    for i in 0..<n { raw.storeBytes(of: bfloat16Bits(source[start + i]).littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
                default:
                    for i in 0..<n { raw.storeBytes(of: source[start + i].bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self) }
                }
                try file.write(UnsafeRawBufferPointer(start: raw, count: n * dtype.byteSize))
            }
            start += n
        }
    }
}

/// A file created next to its destination under a unique hidden name, renamed over the
/// destination by `commit()` or removed by `discard()`.
private final class TemporaryFile {
    let destination: String
    let path: String
    private var fd: Int32
    private var written = 0
    private let afterWrite: ((Int) throws -> Void)?

    init(beside destination: String, afterWrite: ((Int) throws -> Void)?) throws {
        self.destination = destination
        self.afterWrite = afterWrite
        let ns = destination as NSString
        let directory = ns.deletingLastPathComponent.isEmpty ? "." : ns.deletingLastPathComponent
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        path = "\(directory)/.\(ns.lastPathComponent).tmp-\(getpid())-\(suffix)"
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw SafetensorsError.writeFailed(path: destination,
                                               reason: "cannot create a temporary file in \(directory): \(Self.systemError())")
        }
    }

    /// Writes all of `bytes`, retrying short writes and interruptions.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = systemWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("write")
            }
            offset += n
            written += n
        }
        try afterWrite?(written)
    }

    /// Flushes the file to disk and renames it over the destination.
    func commit() throws {
        guard fsync(fd) == 0 else { throw failure("fsync") }
        let status = close(fd)
        fd = -1
        guard status == 0 else { throw failure("close") }
        guard rename(path, destination) == 0 else { throw failure("rename") }
    }

    /// Closes and removes the temporary file.
    func discard() {
        if fd >= 0 { close(fd); fd = -1 }
        unlink(path)
    }

    private func failure(_ what: String) -> SafetensorsError {
        .writeFailed(path: destination, reason: "\(what) of \(path) failed: \(Self.systemError())")
    }

    private static func systemError() -> String { String(cString: strerror(errno)) }
}

/// POSIX `write(2)`, named apart from `TemporaryFile.write(_:)`.
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, bytes, count)
    #else
    return Darwin.write(fd, bytes, count)
    #endif
}
