import Foundation

/// Decoding a Hugging Face JSON configuration file (`config.json`, `preprocessor_config.json`)
/// with `JSONDecoder`, a failure told in one line that names the key and what is wrong with it:
///
///     missing "n_embd"
///     "n_embd" must be a positive integer, found "32"
///     "image_mean[1]" must be a number, found "x"
///     not a JSON object
///
/// The importers put the file's path in front (`GPT2ImportError.invalidConfig`,
/// `ViTImportError.invalidConfig`).
enum HuggingFaceConfigDecoding {
    /// Why a configuration file did not decode, in one line.
    struct Failure: Error {
        let reason: String
    }

    /// `T` from the JSON in `data`.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws(Failure) -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw Failure(reason: reason(for: error, in: data))
        } catch {
            throw Failure(reason: oneLine("\(error)"))
        }
    }

    /// The one-line reason for `error`, quoting the offending value from `data`.
    static func reason(for error: DecodingError, in data: Data) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "missing \(quoted(context.codingPath + [key]))"
        case .valueNotFound(_, let context):
            // A null where a value is needed: Hugging Face treats null as absent.
            return "missing \(quoted(context.codingPath))"
        case .typeMismatch(let type, let context):
            // An empty path is the file itself: a list, a string, … rather than an object.
            guard !context.codingPath.isEmpty else { return "not a JSON object" }
            // A type that is not a JSON value is a whole configuration (`GPT2Configuration`
            // decoding another model's file, say), whose description is the reason.
            guard let expected = jsonKind(type) else { return oneLine(context.debugDescription) }
            return "\(quoted(context.codingPath)) must be \(expected)" + found(at: context.codingPath, in: data)
        case .dataCorrupted(let context):
            // Without a path, JSONDecoder could not read the JSON at all.
            guard !context.codingPath.isEmpty else { return "not a JSON object" }
            return "\(quoted(context.codingPath)) \(oneLine(context.debugDescription))" + found(at: context.codingPath, in: data)
        @unknown default:
            return oneLine("\(error)")
        }
    }

    /// A key path as the file spells it, quoted: `"n_embd"`, `"size.height"`, `"image_mean[1]"`.
    static func quoted(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = arrayIndex(key) {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return "\"\(text)\""
    }

    /// What a decoder's expected type is, in JSON's words; nil for a type that is not a JSON value.
    static func jsonKind(_ type: Any.Type) -> String? {
        switch type {
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        default:
            // JSONDecoder names containers as `Array<Any>` and `Dictionary<String, Any>`.
            switch String(describing: type) {
            case let name where name.hasPrefix("Array<"): "a list"
            case let name where name.hasPrefix("Dictionary<"): "an object"
            default: nil
            }
        }
    }

    /// `, found <the value at path, as JSON>`, or nothing when the path leads nowhere in `data`.
    static func found(at path: [any CodingKey], in data: Data) -> String {
        guard var value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return "" }
        for key in path {
            if let object = value as? [String: Any], let next = object[key.stringValue] {
                value = next
            } else if let list = value as? [Any], let index = arrayIndex(key), list.indices.contains(index) {
                value = list[index]
            } else {
                return ""
            }
        }
        guard let json = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes])
        else { return "" }
        let text = String(decoding: json, as: UTF8.self)
        return ", found " + (text.count > 60 ? String(text.prefix(57)) + "…" : text)
    }

    /// The position a decoder's key stands for in a list. Keys of objects may have an integer
    /// value too (`"0"` of `id2label`); only a list's are spelled `Index i`.
    static func arrayIndex(_ key: any CodingKey) -> Int? {
        guard let index = key.intValue, key.stringValue == "Index \(index)" else { return nil }
        return index
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}

extension KeyedDecodingContainer {
    /// The positive integer at `key`; nil when the key is absent or null.
    ///
    /// Read as a number and then checked, so `64.0` is 64 (as Python's json would give it) and
    /// `32.5` is refused with its key: JSONDecoder's own `Int` reports a fraction without one.
    func decodePositiveIntegerIfPresent(forKey key: Key) throws -> Int? {
        let number: Double?
        do {
            number = try decodeIfPresent(Double.self, forKey: key)
        } catch DecodingError.typeMismatch {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "must be a positive integer")
        }
        guard let number else { return nil }
        guard let value = Int(exactly: number), value > 0 else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "must be a positive integer")
        }
        return value
    }

    /// The positive integer at `key`, which must be there and not null.
    func decodePositiveInteger(forKey key: Key) throws -> Int {
        guard let value = try decodePositiveIntegerIfPresent(forKey: key) else {
            let context = DecodingError.Context(codingPath: codingPath + [key], debugDescription: "\(key.stringValue) is null")
            throw contains(key) ? DecodingError.valueNotFound(Int.self, context)
                : DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no \(key.stringValue)"))
        }
        return value
    }
}
