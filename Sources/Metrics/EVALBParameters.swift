import Data
import Foundation

/// EVALB's settings: what its parameter (`.prm`) files set, with the defaults evalb has when it is
/// given none (labeled bracketing, nothing deleted, stop after more than 10 errors, the second
/// summary for sentences of at most 40 words).
///
/// ```swift
/// let collins = EVALBParameters.collins                 // COLLINS.prm, the usual setting
/// let mine = try EVALBParameters.read("my.prm")         // a .prm file, checked strictly
/// ```
public struct EVALBParameters: Equatable, Sendable {
    /// Two labels (or words) counted as the same, whichever side each is on (`EQ_LABEL A B`).
    public struct Pair: Equatable, Hashable, Sendable {
        public var first: String
        public var second: String
        public init(_ first: String, _ second: String) {
            self.first = first
            self.second = second
        }
    }

    /// `DEBUG`: evalb's per-sentence dump (1) and bracket details (2). Read and kept, but the
    /// report never holds the dump.
    public var debug = 0
    /// `MAX_ERROR`: evalb stops (exit status 1, no summary) at the error after the first
    /// `maxError + 1` errors.
    public var maxError = 10
    /// `CUTOFF_LEN`: the second summary counts sentences whose gold length is at most this.
    public var cutoffLength = 40
    /// `LABELED`: a matching bracket needs the same label (true) or only the same span (false).
    public var labeled = true
    /// `DELETE_LABEL`: preterminals with these labels are removed with their word; other brackets
    /// with these labels (after function tags are cut, and with `EQ_LABEL`) are not counted.
    public var deleteLabels: [String] = []
    /// `DELETE_LABEL_FOR_LENGTH`: preterminals with these labels do not count in a sentence's length.
    public var deleteLabelsForLength: [String] = []
    /// `QUOTE_LABEL`: preterminals with these labels over `'`, `"` or `/` that one side deletes and
    /// the other keeps are put back when the two lengths differ.
    public var quoteLabels: [String] = []
    /// `EQ_LABEL`: labels counted as the same.
    public var equivalentLabels: [Pair] = []
    /// `EQ_WORD`: words counted as the same.
    public var equivalentWords: [Pair] = []

    /// evalb's built-in settings (what it uses without `-p`).
    public init() {}

    public init(debug: Int = 0, maxError: Int = 10, cutoffLength: Int = 40, labeled: Bool = true, deleteLabels: [String] = [],
                deleteLabelsForLength: [String] = [], quoteLabels: [String] = [], equivalentLabels: [Pair] = [], equivalentWords: [Pair] = []) {
        self.debug = debug
        self.maxError = maxError
        self.cutoffLength = cutoffLength
        self.labeled = labeled
        self.deleteLabels = deleteLabels
        self.deleteLabelsForLength = deleteLabelsForLength
        self.quoteLabels = quoteLabels
        self.equivalentLabels = equivalentLabels
        self.equivalentWords = equivalentWords
    }

    /// `COLLINS.prm` as EVALB ships it (Collins 1997's scoring): labeled, `TOP`, traces and the
    /// punctuation tags `, : `` '' .` deleted, traces not counted in lengths, ADVP = PRT.
    public static let collins = EVALBParameters(
        debug: 0, maxError: 10, cutoffLength: 40, labeled: true,
        deleteLabels: ["TOP", "-NONE-", ",", ":", "``", "''", "."],
        deleteLabelsForLength: ["-NONE-"],
        equivalentLabels: [Pair("ADVP", "PRT")])

    /// The keys a parameter file may set, in the order evalb tries them.
    public static let keys = ["DEBUG", "MAX_ERROR", "CUTOFF_LEN", "LABELED", "DELETE_LABEL", "DELETE_LABEL_FOR_LENGTH",
                              "QUOTE_LABEL", "EQ_LABEL", "EQ_WORD"]

    /// A parameter file (UTF-8). Unreadable files, bad lines and unknown keys are errors naming the
    /// file, line and column.
    public static func read(_ path: String) throws -> EVALBParameters {
        try parse(ParallelCorpus.readLines(path), file: path)
    }

    /// The lines of a parameter file, read as evalb's `read_parameter_file` reads them: `KEY VALUE`
    /// a line, trailing white space ignored, lines starting with `#` and blank lines skipped, a
    /// value running to the end of the line. Where evalb only warns (an unknown key, a key without
    /// a value, `EQ_LABEL` without two values) or silently misreads (`atoi` on a number that is
    /// not one, a line shorter than three characters, a label holding a space, a key after
    /// leading white space), this throws an `EVALBParameterError`; evalb's line-length limit
    /// (500) does not apply.
    public static func parse(_ lines: [String], file: String) throws -> EVALBParameters {
        var p = EVALBParameters()
        for (index, line) in lines.enumerated() {
            let number = index + 1
            func fail(_ column: Int, _ message: String) -> EVALBParameterError {
                EVALBParameterError(file: file, line: number, column: column, message: message)
            }
            var bytes = Array(line.utf8)
            while let last = bytes.last, EVALBBytes.isSpace(last) { bytes.removeLast() }
            if bytes.isEmpty || bytes[0] == UInt8(ascii: "#") { continue }
            if EVALBBytes.isSpace(bytes[0]) { throw fail(1, "a key must start the line (it starts with white space)") }
            var i = 0
            while i < bytes.count && !EVALBBytes.isSpace(bytes[i]) { i += 1 }
            let key = String(decoding: bytes[0..<i], as: UTF8.self)
            while i < bytes.count && EVALBBytes.isSpace(bytes[i]) { i += 1 }
            let column = String(decoding: bytes[0..<i], as: UTF8.self).count + 1
            let value = String(decoding: bytes[i...], as: UTF8.self)
            guard keys.contains(key) else {
                throw fail(1, "unknown key '\(key)' (evalb's keys: \(keys.joined(separator: ", ")))")
            }
            if value.isEmpty { throw fail(column, "\(key) has no value") }
            func integer() throws -> Int {
                let digits = value.first == "+" || value.first == "-" ? value.dropFirst() : Substring(value)
                guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int32(value) else {
                    throw fail(column, "\(key) takes an integer, not '\(value)'")
                }
                return Int(n)
            }
            func label() throws -> String {
                if value.utf8.contains(where: EVALBBytes.isSpace) {
                    throw fail(column, "\(key) takes one label, not '\(value)' (a label cannot hold white space)")
                }
                return value
            }
            func pair() throws -> Pair {
                let parts = value.utf8.split(whereSeparator: EVALBBytes.isSpace).map { String(decoding: $0, as: UTF8.self) }
                guard parts.count == 2 else { throw fail(column, "\(key) takes two values, not \(parts.count) ('\(value)')") }
                return Pair(parts[0], parts[1])
            }
            switch key {
            case "DEBUG": p.debug = try integer()
            case "MAX_ERROR": p.maxError = try integer()
            case "CUTOFF_LEN": p.cutoffLength = try integer()
            case "LABELED": p.labeled = try integer() != 0
            case "DELETE_LABEL": p.deleteLabels.append(try label())
            case "DELETE_LABEL_FOR_LENGTH": p.deleteLabelsForLength.append(try label())
            case "QUOTE_LABEL": p.quoteLabels.append(try label())
            case "EQ_LABEL": p.equivalentLabels.append(try pair())
            default: p.equivalentWords.append(try pair())
            }
        }
        return p
    }
}

/// A parameter file evalb would misread or warn about: `FILE:LINE:COLUMN: what is wrong`.
public struct EVALBParameterError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// The bytes evalb's C code classifies (`isspace` in the C locale).
enum EVALBBytes {
    /// Space, tab, newline, vertical tab, form feed, carriage return.
    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0D) }
}
