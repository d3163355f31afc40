import Data
import Foundation

/// A sacreBLEU reproducibility signature such as
/// `nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0`.
public struct MetricSignature: Equatable, Sendable, CustomStringConvertible {
    /// One `key:value` of the signature (`nrefs:1`, `tok:13a`).
    public struct Field: Equatable, Sendable {
        public var key: String
        public var value: String
        public init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    /// The fields in sacreBLEU's order: `nrefs` first, then the metric's own, `version` last.
    public var fields: [Field]

    public init(fields: [Field]) { self.fields = fields }

    /// The signature of a metric with its own `fields`, evaluated with `references` references a
    /// segment (`nil` when segments have different numbers of references: `nrefs:var`).
    init(references: Int?, _ fields: [Field]) {
        self.fields = [Field("nrefs", references.map(String.init) ?? "var")] + fields + [Field("version", SacreBLEU.version)]
    }

    /// `Signature.format(short)`: `key:value` pairs joined by `|`; short names with `short`.
    public func formatted(short: Bool = false) -> String {
        fields.map { "\(short ? Self.abbreviations[$0.key] ?? $0.key : $0.key):\($0.value)" }.joined(separator: "|")
    }

    public var description: String { formatted() }

    /// sacreBLEU's `_abbr` tables (the base Signature's, BLEU's and chrF's together).
    static let abbreviations = [
        "version": "v", "nrefs": "#", "case": "c", "eff": "e", "tok": "tok", "smooth": "s",
        "nc": "nc", "nw": "nw", "space": "s",
    ]
}

/// A corpus score as sacreBLEU reports it: a name, a number, extra detail and a signature.
public protocol MetricScore: Sendable {
    /// `BLEU`, `chrF2`.
    var name: String { get }
    /// The score, 0–100.
    var score: Double { get }
    /// What follows the number in the score line (BLEU's precisions and brevity penalty), or "".
    var verbose: String { get }
    var signature: MetricSignature { get }
}

extension MetricScore {
    /// `Score.format(width, score_only, signature)`: `BLEU = 45.07 70.6/42.9/36.4/37.5 (BP = ...)`
    /// without a signature (Python's `str(score)`, width 2), or `BLEU|nrefs:1|...|version:2.6.0 =
    /// 45.1 ...` with one (sacreBLEU's command line, width 1).
    public func formatted(width: Int = 2, signature: String? = nil, scoreOnly: Bool = false) -> String {
        let number = PythonFormat.fixed(score, width)
        if scoreOnly { return number }
        var line = signature.map { "\(name)|\($0)" } ?? name
        line += " = \(number)"
        if !verbose.isEmpty { line += " \(verbose)" }
        return line
    }

    /// `Score.format(width, signature=..., is_json=True)`: sacreBLEU's JSON object for the score
    /// (`json.dumps(d, indent=1, ensure_ascii=False)`), with the full signature.
    public func json(width: Int = 1) -> String {
        var items: [(String, String)] = [
            ("name", jsonStringLiteral(name)),
            // float(f"{score:.{width}f}"), printed by json.dumps as Python's repr of the float.
            ("score", Double(PythonFormat.fixed(score, width)).map { "\($0)" } ?? "NaN"),
            ("signature", jsonStringLiteral(signature.formatted())),
        ]
        if !verbose.isEmpty { items.append(("verbose_score", jsonStringLiteral(verbose))) }
        for field in signature.fields { items.append((field.key, jsonStringLiteral(field.value))) }
        return "{\n" + items.map { " \(jsonStringLiteral($0.0)): \($0.1)" }.joined(separator: ",\n") + "\n}"
    }
}
