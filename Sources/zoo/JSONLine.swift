import Foundation

/// One line of a model command's `--json` (JSON Lines: one object per input line, printed as it
/// is done). Every command uses these names, so one `jq` filter reads them all: `input` (the
/// line, image or prompt), `output` (the translation, continuation or tree), `label` and
/// `probability` (the best class), `top` (the --top classes, best first), `tokens` (pieces or
/// words), `ids` (token ids), `metrics` (by name), `directory` and `files` (what a command wrote
/// there). Absent fields are left out.
struct JSONLine: Encodable {
    struct Choice: Encodable, Equatable {
        var label: String
        var probability: Double
    }

    var input: String?
    var output: String?
    var label: String?
    var probability: Double?
    var top: [Choice]?
    var tokens: [String]?
    var ids: [Int]?
    /// A metric that is not a number (F1 with nothing to score) is null: JSON has no NaN.
    var metrics: [String: Double?]?
    var directory: String?
    var files: [String]?

    /// The object on one line, keys sorted, "/" unescaped (paths stay readable).
    var text: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // JSON has no NaN: a broken model's non-finite probability is written as a string
        // rather than trapping, so encoding strings, numbers and arrays of them cannot fail.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    func print() {
        Swift.print(text)
        fflush(stdout)
    }

    /// `metrics` with what is not finite as null.
    static func metrics(_ values: [String: Double]) -> [String: Double?] { values.mapValues { $0.isFinite ? $0 : nil } }

    /// A Float as the shortest decimal that reads back as it (0.8 rather than 0.800000011920929).
    static func number(_ value: Float) -> Double { Double("\(value)") ?? Double(value) }
}
