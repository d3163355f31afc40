import Foundation
import Layers
import Yams

/// One YAML mapping of a recipe, read key by key with types and ranges checked. Every failure is
/// a `RecipeError` at the offending node's line and column, naming the dotted key.
public struct RecipeFields {
    public let file: String
    /// Dotted path of this mapping ("" at the top, "training" for the training section).
    public let path: String
    /// The mapping node (for the position of "missing key" errors).
    let node: Node
    private let values: [String: Node]

    /// Reads `node` as a mapping whose keys must all be in `allowed`; `foreign` names the task
    /// family of keys that other families accept here, for a clearer message.
    init(_ node: Node, path: String, file: String, allowed: [String], foreign: [String: String] = [:]) throws {
        self.file = file
        self.path = path
        self.node = node
        guard case .mapping(let mapping) = node else {
            throw RecipeFields.error(file: file, at: node.mark, key: path.isEmpty ? nil : path,
                                     "expected a mapping of keys to values, found \(RecipeFields.describe(node))")
        }
        var values: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                throw RecipeFields.error(file: file, at: keyNode.mark, key: path.isEmpty ? nil : path,
                                         "keys must be plain names, found \(RecipeFields.describe(keyNode))")
            }
            let key = scalar.string
            let dotted = path.isEmpty ? key : "\(path).\(key)"
            if !allowed.contains(key), let family = foreign[key] {
                throw RecipeFields.error(file: file, at: keyNode.mark, key: dotted, "'\(key)' is for \(family) recipes")
            }
            guard allowed.contains(key) else {
                throw RecipeFields.error(file: file, at: keyNode.mark, key: dotted, RecipeFields.unknownKeyMessage(key, allowed: allowed))
            }
            values[key] = value
        }
        self.values = values
    }

    public func has(_ key: String) -> Bool { values[key] != nil }

    public func dotted(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// An error about `key`'s value (at the value), or about the section when the key is absent.
    public func error(_ key: String, _ message: String) -> RecipeError {
        RecipeFields.error(file: file, at: values[key]?.mark ?? node.mark, key: dotted(key), message)
    }

    /// The error for a required key that is absent (at the start of this mapping).
    public func missing(_ key: String, _ hint: String = "") -> RecipeError {
        RecipeFields.error(file: file, at: node.mark, key: dotted(key), "required key is missing" + hint)
    }

    /// A nested mapping.
    public func section(_ key: String, allowed: [String], foreign: [String: String] = [:]) throws -> RecipeFields? {
        guard let value = values[key] else { return nil }
        return try RecipeFields(value, path: dotted(key), file: file, allowed: allowed, foreign: foreign)
    }

    /// A scalar's text; a mapping, list or null is an error.
    public func string(_ key: String) throws -> String? {
        guard let value = values[key] else { return nil }
        guard case .scalar(let scalar) = value, !isNull(scalar) else {
            throw error(key, "expected a string, found \(RecipeFields.describe(value))")
        }
        return scalar.string
    }

    /// A non-empty name usable as a directory name.
    public func name(_ key: String) throws -> String? {
        guard let s = try string(key) else { return nil }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard !s.isEmpty, !s.hasPrefix("."), s.allSatisfy({ allowed.contains($0) }) else {
            throw error(key, "expected a name of letters, digits, '.', '_' and '-' (not starting with '.'), found \(RecipeFields.quote(s))")
        }
        return s
    }

    /// One of `choices`.
    public func choice(_ key: String, _ choices: [String]) throws -> String? {
        guard let value = values[key] else { return nil }
        guard case .scalar(let scalar) = value, !isNull(scalar), choices.contains(scalar.string) else {
            throw error(key, "expected one of \(choices.joined(separator: ", ")), found \(RecipeFields.describe(value))")
        }
        return scalar.string
    }

    public func int(_ key: String, _ limit: Limit? = nil) throws -> Int? {
        guard let value = values[key] else { return nil }
        let expected = "an integer" + (limit.map { " \($0)" } ?? "")
        guard case .scalar(let scalar) = value, !isNull(scalar), !isQuoted(scalar),
              let n = RecipeFields.integer(scalar.string) else {
            throw error(key, "expected \(expected), found \(RecipeFields.describe(value))")
        }
        if let limit, !limit.contains(Double(n)) { throw error(key, "expected \(expected), found \(n)") }
        return n
    }

    public func double(_ key: String, _ limit: Limit? = nil) throws -> Double? {
        guard let value = values[key] else { return nil }
        let expected = "a number" + (limit.map { " \($0)" } ?? "")
        guard case .scalar(let scalar) = value, !isNull(scalar), !isQuoted(scalar),
              let x = Double(scalar.string.replacingOccurrences(of: "_", with: "")), x.isFinite else {
            throw error(key, "expected \(expected), found \(RecipeFields.describe(value))")
        }
        if let limit, !limit.contains(x) { throw error(key, "expected \(expected), found \(scalar.string)") }
        return x
    }

    public func float(_ key: String, _ limit: Limit? = nil) throws -> Float? { try double(key, limit).map { Float($0) } }

    public func bool(_ key: String) throws -> Bool? {
        guard let value = values[key] else { return nil }
        if case .scalar(let scalar) = value, !isQuoted(scalar) {
            switch scalar.string.lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default: break
            }
        }
        throw error(key, "expected true or false, found \(RecipeFields.describe(value))")
    }

    /// A list of exactly `count` numbers, each within `limit`.
    public func numbers(_ key: String, count: Int, _ limit: Limit) throws -> [Double]? {
        guard let value = values[key] else { return nil }
        let expected = "a list of \(count) numbers \(limit)"
        guard case .sequence(let sequence) = value, sequence.count == count else {
            throw error(key, "expected \(expected), found \(RecipeFields.describe(value))")
        }
        var out: [Double] = []
        for item in sequence {
            guard case .scalar(let scalar) = item, !isQuoted(scalar),
                  let x = Double(scalar.string), x.isFinite, limit.contains(x) else {
                throw RecipeFields.error(file: file, at: item.mark, key: dotted(key),
                                         "expected \(expected), found \(RecipeFields.describe(item)) in the list")
            }
            out.append(x)
        }
        return out
    }

    /// A list of exactly `count` names (letters, digits, '-', '_', '.').
    public func names(_ key: String, count: Int) throws -> [String]? {
        guard let value = values[key] else { return nil }
        let expected = "a list of \(count) names"
        guard case .sequence(let sequence) = value, sequence.count == count else {
            throw error(key, "expected \(expected), found \(RecipeFields.describe(value))")
        }
        return try sequence.map { item in
            guard case .scalar(let scalar) = item, !scalar.string.isEmpty,
                  scalar.string.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                throw RecipeFields.error(file: file, at: item.mark, key: dotted(key),
                                         "expected \(expected), found \(RecipeFields.describe(item)) in the list")
            }
            return scalar.string
        }
    }

    /// A non-empty list of non-empty strings (names or paths).
    public func strings(_ key: String) throws -> [String]? {
        guard let value = values[key] else { return nil }
        guard case .sequence(let sequence) = value, !sequence.isEmpty else {
            throw error(key, "expected a non-empty list of strings, found \(RecipeFields.describe(value))")
        }
        return try sequence.map { item in
            guard case .scalar(let scalar) = item, !isNull(scalar), !scalar.string.isEmpty else {
                throw RecipeFields.error(file: file, at: item.mark, key: dotted(key),
                                         "expected a non-empty list of strings, found \(RecipeFields.describe(item)) in the list")
            }
            return scalar.string
        }
    }

    /// A non-empty list of integers, each within `limit`.
    public func integers(_ key: String, _ limit: Limit) throws -> [Int]? {
        guard let value = values[key] else { return nil }
        let expected = "a list of integers \(limit)"
        guard case .sequence(let sequence) = value, !sequence.isEmpty else {
            throw error(key, "expected \(expected), found \(RecipeFields.describe(value))")
        }
        return try sequence.map { item in
            guard case .scalar(let scalar) = item, !isQuoted(scalar), let n = RecipeFields.integer(scalar.string),
                  limit.contains(Double(n)) else {
                throw RecipeFields.error(file: file, at: item.mark, key: dotted(key),
                                         "expected \(expected), found \(RecipeFields.describe(item)) in the list")
            }
            return n
        }
    }

    /// A non-empty list of numbers, each within `limit`.
    public func numberList(_ key: String, _ limit: Limit) throws -> [Double]? {
        guard let value = values[key] else { return nil }
        guard case .sequence(let sequence) = value else {
            throw error(key, "expected a list of numbers \(limit), found \(RecipeFields.describe(value))")
        }
        return try numbers(key, count: Swift.max(sequence.count, 1), limit)
    }

    // MARK: - Ranges

    /// The values a number may take, as said in messages ("at least 1", "in [0, 1)"); the same
    /// words as a zoo entry's config errors.
    public typealias Limit = ValueLimit

    // MARK: - Helpers

    static func error(file: String, at mark: Mark?, key: String?, _ message: String) -> RecipeError {
        RecipeError(file: file, line: mark?.line, column: mark?.column, key: key, message: message)
    }

    /// How a node appears in a message: `"abc"` for a scalar, "a mapping", "a list of 3 items", "nothing".
    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string) { return "nothing (null)" }
            return quote(scalar.string)
        case .mapping: return "a mapping"
        case .sequence(let s): return "a list of \(s.count) item\(s.count == 1 ? "" : "s")"
        case .alias: return "an alias"
        }
    }

    public static func quote(_ s: String) -> String {
        let short = s.count > 40 ? String(s.prefix(40)) + "…" : s
        return "\"" + short.replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    /// An integer literal: `8192`, `8_192`, or an integral `1e4`.
    static func integer(_ text: String) -> Int? {
        let s = text.replacingOccurrences(of: "_", with: "")
        if let n = Int(s) { return n }
        if s.lowercased().contains("e"), let x = Double(s), x == x.rounded(), abs(x) < 9e15 { return Int(x) }
        return nil
    }

    private func isNull(_ scalar: Node.Scalar) -> Bool {
        scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    private func isQuoted(_ scalar: Node.Scalar) -> Bool {
        scalar.style == .singleQuoted || scalar.style == .doubleQuoted
    }

    static func unknownKeyMessage(_ key: String, allowed: [String]) -> String {
        let close = allowed.map { ($0, editDistance($0, key)) }.filter { $0.1 <= max(1, key.count / 3) }.min { $0.1 < $1.1 }
        if let (suggestion, _) = close { return "unknown key (did you mean '\(suggestion)'?)" }
        return "unknown key (expected one of: \(allowed.joined(separator: ", ")))"
    }

    /// Levenshtein distance, for "did you mean" suggestions.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}

/// The sections of a recipe being read, for a task family's `TaskFamily.readRecipe`; the optional
/// ones are nil when the recipe leaves them out.
public struct RecipeSections {
    public let top: RecipeFields
    public let data: RecipeFields
    public let model: RecipeFields
    public let training: RecipeFields
    public let evaluation: RecipeFields?
    public let export: RecipeFields?
}
