import Foundation

/// `s` as a JSON string literal, escaped as Python's `json.dumps(ensure_ascii=False)` and
/// serde_json write it (non-ASCII characters stay as they are). Used wherever we write JSON by
/// hand to match another tool byte for byte: safetensors headers, sacreBLEU's output, benchmark lines.
public func jsonStringLiteral(_ s: String) -> String {
    var out = "\""
    for c in s.unicodeScalars {
        switch c {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        case _ where c.value < 0x20: out += String(format: "\\u%04x", c.value)
        default: out.unicodeScalars.append(c)
        }
    }
    return out + "\""
}
