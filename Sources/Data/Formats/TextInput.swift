import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Text a command reads (a file, standard input or a command-line argument), under one policy:
/// lines split at "\n" (a "\r" before it dropped, a last line without "\n" counted) and UTF-8 or
/// an error naming the place, `FILE:LINE: not valid UTF-8`. Nothing is repaired: a repaired
/// `caf\xE9` would reach a tokenizer as `caf` or `caf�` and be translated or counted silently.
public enum TextInput {
    /// How errors name standard input.
    public static let standardInputName = "stdin"

    /// A line of text that cannot be read.
    public enum Failure: Error, CustomStringConvertible, Equatable, Sendable {
        case invalidUTF8(source: String, line: Int)
        case unreadable(file: String, reason: String)

        public var description: String {
            switch self {
            case .invalidUTF8(let source, let line): "\(source):\(line): not valid UTF-8"
            case .unreadable(let file, let reason): "cannot read \(file): \(reason)"
            }
        }
    }

    /// The lines of the file at `path` ("-" is standard input).
    public static func lines(ofFile path: String) throws -> [String] {
        if path == "-" { return try lines(FileHandle.standardInput.readDataToEndOfFile(), source: standardInputName) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw Failure.unreadable(file: path, reason: "no such file")
        }
        if isDirectory.boolValue { throw Failure.unreadable(file: path, reason: "it is a directory") }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw Failure.unreadable(file: path, reason: FileProblem.reason(error, path: path))
        }
        return try lines(data, source: path)
    }

    /// The lines of `data`; `source` names it in errors.
    public static func lines(_ data: Data, source: String) throws -> [String] {
        var lines: [String] = []
        try forEachLine(data, source: source) { lines.append($0) }
        return lines
    }

    /// Checks that every line of the file at `path` is UTF-8, without keeping them.
    public static func validate(file path: String) throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw Failure.unreadable(file: path, reason: FileProblem.reason(error, path: path))
        }
        try forEachLine(data, source: path) { _ in }
    }

    /// `text` checked as UTF-8: a command-line argument (bytes as the shell gave them) or any other
    /// text that may span lines; errors name `source` and the line.
    public static func text(_ bytes: some Collection<UInt8>, source: String) throws -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        var line = 1
        for piece in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            if String(validating: piece, as: UTF8.self) == nil { break }
            line += 1
        }
        throw Failure.invalidUTF8(source: source, line: line)
    }

    private static func forEachLine(_ data: Data, source: String, _ body: (String) throws -> Void) throws {
        try data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0, number = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != 0x0A { end += 1 }
                number += 1
                try body(line(UnsafeBufferPointer(rebasing: bytes[start..<end]), source: source, number: number))
                start = end + 1
            }
        }
    }

    /// One line's bytes (without its "\n") as text: a "\r" before the end dropped, UTF-8 or an error
    /// naming `source` and line `number`.
    public static func line(_ bytes: UnsafeBufferPointer<UInt8>, source: String, number: Int) throws -> String {
        var stop = bytes.count
        if stop > 0 && bytes[stop - 1] == 0x0D { stop -= 1 }
        guard let text = String(validating: UnsafeBufferPointer(rebasing: bytes[0..<stop]), as: UTF8.self) else {
            throw Failure.invalidUTF8(source: source, line: number)
        }
        return text
    }

    /// Standard input one line at a time, as it arrives (a pipe is answered line by line).
    public struct StandardInput {
        /// The number of the line `next()` returned last.
        public private(set) var lineNumber = 0

        public init() {}

        /// The next line, nil at the end of the input.
        public mutating func next() throws -> String? {
            var buffer: UnsafeMutablePointer<CChar>?
            var capacity = 0
            defer { free(buffer) }
            let count = getline(&buffer, &capacity, stdin)
            guard count >= 0, let buffer else { return nil }
            lineNumber += 1
            var length = count
            if length > 0 && buffer[length - 1] == 0x0A { length -= 1 }
            return try buffer.withMemoryRebound(to: UInt8.self, capacity: count) {
                try TextInput.line(UnsafeBufferPointer(start: $0, count: length), source: TextInput.standardInputName, number: lineNumber)
            }
        }

        /// Every remaining line.
        public mutating func readAll() throws -> [String] {
            var lines: [String] = []
            while let line = try next() { lines.append(line) }
            return lines
        }
    }
}
