/// The few Python `str` behaviours the sacreBLEU metrics rely on, on Unicode scalars.
public enum PythonText {
    /// `str.isspace()`: the scalars `str.split()` and `str.rstrip()` treat as whitespace.
    public static func isSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    /// `str.split()` with no separator: runs of whitespace separate, none are empty.
    public static func split(_ s: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var parts: [[Unicode.Scalar]] = []
        var start = -1
        for (i, c) in s.enumerated() {
            if isSpace(c) {
                if start >= 0 { parts.append(Array(s[start..<i])); start = -1 }
            } else if start < 0 {
                start = i
            }
        }
        if start >= 0 { parts.append(Array(s[start...])) }
        return parts
    }

    /// `str.rstrip()`.
    public static func rstrip(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var end = s.count
        while end > 0 && isSpace(s[end - 1]) { end -= 1 }
        return Array(s[..<end])
    }

    /// `''.join(s.split())`: the line without any whitespace.
    public static func removingSpaces(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        s.filter { !isSpace($0) }
    }

    /// `str.replace(old, new)`: every non-overlapping occurrence, left to right.
    public static func replace(_ s: [Unicode.Scalar], _ old: String, _ new: String) -> [Unicode.Scalar] {
        let o = Array(old.unicodeScalars), n = Array(new.unicodeScalars)
        guard let first = o.first, s.count >= o.count, s.contains(first) else { return s }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            if s[i] == first && i + o.count <= s.count && s[i..<(i + o.count)].elementsEqual(o) {
                out += n
                i += o.count
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return out
    }
}
