import CICU

/// A Unicode normalization form, computed by ICU (libicuuc) through the `CICU` C target.
///
/// Foundation's `precomposedStringWithCompatibilityMapping` is wrong on Linux (it does not
/// recompose e.g. "ｶﾞ") and slow, so every form here goes to ICU's `unorm2` (docs/performance-notes.md).
public enum UnicodeForm: Sendable, CaseIterable {
    /// Canonical composition (NFC).
    case nfc
    /// Compatibility composition (NFKC): "ﬁ" → "fi", "①" → "1", "ｶﾞ" → "ガ".
    case nfkc
    /// NFKC followed by full case folding and removal of default ignorables (ICU's NFKC_Casefold).
    case nfkcCasefold
    /// No change.
    case identity

    var icuForm: Int32? {
        switch self {
        case .nfc: return Int32(ZOO_ICU_NFC)
        case .nfkc: return Int32(ZOO_ICU_NFKC)
        case .nfkcCasefold: return Int32(ZOO_ICU_NFKC_CASEFOLD)
        case .identity: return nil
        }
    }
}

/// `s` in normalization form `form` (ICU). `normalized("ｶﾞ ﬁ①", form: .nfkc) == "ガ fi1"`.
public func normalized(_ s: String, form: UnicodeForm) -> String {
    guard form != .identity, !s.isEmpty else { return s }
    var s = s
    return s.withUTF8 { utf8 in
        let result = normalizedUTF8(utf8, form: form)
        return String(decoding: result.bytes, as: UTF8.self)
    }
}

/// UTF-8 bytes normalized to `form` by ICU. Ill-formed UTF-8 sequences become U+FFFD;
/// `replaced` counts them (ICU's maximal-subpart rule: one U+FFFD per ill-formed subsequence).
/// With `.identity` the bytes are returned unchanged and `replaced` is 0.
public func normalized(utf8: [UInt8], form: UnicodeForm) -> (bytes: [UInt8], replaced: Int) {
    guard form != .identity else { return (utf8, 0) }
    return utf8.withUnsafeBufferPointer { normalizedUTF8($0, form: form) }
}

/// Library-internal access to ICU's code-point level operations, used to build character maps.
enum ICU {
    static let nfc = Int32(ZOO_ICU_NFC)
    static let nfkc = Int32(ZOO_ICU_NFKC)
    static let nfd = Int32(ZOO_ICU_NFD)
    static let nfkd = Int32(ZOO_ICU_NFKD)

    /// `cps` normalized with ICU form `form` (one of the constants above), as code points.
    static func normalize(_ cps: [UInt32], form: Int32) -> [UInt32] {
        var out = [UInt32](repeating: 0, count: 32)
        var n = zoo_icu_normalize_code_points(form, cps, Int32(cps.count), &out, Int32(out.count))
        if n > Int32(out.count) {
            out = [UInt32](repeating: 0, count: Int(n))
            n = zoo_icu_normalize_code_points(form, cps, Int32(cps.count), &out, Int32(out.count))
        }
        precondition(n >= 0, "ICU failed to normalize \(cps)")
        out.removeSubrange(Int(n)...)
        return out
    }

    /// ICU's simple default case folding (u_foldCase), as sentencepiece's builder uses.
    static func foldCase(_ cp: UInt32) -> UInt32 { zoo_icu_fold_case(cp) }

    /// Whether `cp` is assigned in the linked ICU's Unicode version.
    static func isAssigned(_ cp: UInt32) -> Bool { zoo_icu_is_assigned(cp) != 0 }

    /// The linked ICU's Unicode version, e.g. "15.0".
    static var unicodeVersion: String {
        var buffer = [CChar](repeating: 0, count: 32)
        zoo_icu_unicode_version(&buffer, Int32(buffer.count))
        return String(cString: buffer)
    }
}

private func normalizedUTF8(_ input: UnsafeBufferPointer<UInt8>, form: UnicodeForm) -> (bytes: [UInt8], replaced: Int) {
    guard let icuForm = form.icuForm, input.count > 0, let base = input.baseAddress else {
        return (Array(input), 0)
    }
    precondition(input.count < Int(Int32.max / 4), "text too long for ICU normalization")
    let src = UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self)
    var capacity = input.count * 3 + 16
    var replaced: Int32 = 0
    while true {
        var length: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            length = buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: capacity) {
                zoo_icu_normalize_utf8(icuForm, src, Int32(input.count), $0, Int32(capacity), &replaced)
            }
            count = length >= 0 && Int(length) <= capacity ? Int(length) : 0
        }
        precondition(length >= 0, "ICU normalization failed")
        if Int(length) <= capacity { return (bytes, Int(replaced)) }
        capacity = Int(length)
    }
}
