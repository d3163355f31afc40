/// One section of a model configuration file being checked: where its fields are (the file, the
/// section's dotted path) and how the file spells them, so every check reports the field as the
/// user sees it. Our own `config.json` spells fields as the Swift properties; a Hugging Face
/// file has its own names (`n_head` for `heads`), given as `spelling`.
///
/// ```swift
/// let model = ConfigFields(file: "Zoo/gpt/config.json").section("model")
/// try model.int("heads", config.heads, in: 1...config.dModel)   // field 'model.heads': expected an integer in [1, 256], found 0
/// ```
public struct ConfigFields: Sendable {
    public let file: String
    /// The dotted path of this section ("" at the top of the file).
    public let path: String
    /// The file's name of a field, by our dotted path, when it differs from ours.
    public let spelling: [String: String]

    public init(file: String, path: String = "", spelling: [String: String] = [:]) {
        self.file = file
        self.path = path
        self.spelling = spelling
    }

    /// A nested section.
    public func section(_ name: String) -> ConfigFields {
        ConfigFields(file: file, path: ours(name), spelling: spelling)
    }

    /// The field's path as the file spells it.
    public func field(_ name: String) -> String {
        let path = ours(name)
        return spelling[path] ?? path
    }

    private func ours(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    /// An error about the field `name` of this section ("" for the section itself).
    public func error(_ name: String, _ message: String) -> ConfigError {
        ConfigError(file: file, field: name.isEmpty ? (spelling[path] ?? path) : field(name), message: message)
    }

    /// Throws unless `value` is in `range`.
    public func int(_ name: String, _ value: Int, in range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            throw error(name, "expected an integer \(ValueLimit.integers(range)), found \(value)")
        }
    }

    /// Throws unless `value` is within `limit`.
    public func int(_ name: String, _ value: Int, _ limit: ValueLimit) throws {
        guard limit.contains(Double(value)) else { throw error(name, "expected an integer \(limit), found \(value)") }
    }

    /// Throws unless `value` is a finite number within `limit`.
    public func number(_ name: String, _ value: Double, _ limit: ValueLimit) throws {
        guard value.isFinite, limit.contains(value) else { throw error(name, "expected a number \(limit), found \(value)") }
    }

    /// Throws unless `values` has one number, or one per channel, each finite and within `limit`
    /// (any finite number when nil).
    public func perChannel(_ name: String, _ values: [Float], channels: Int, _ limit: ValueLimit? = nil) throws {
        let counts = channels == 1 ? "1 number" : "1 or \(channels) numbers"
        guard values.count == 1 || values.count == channels else {
            throw error(name, "expected a list of \(counts) (the model has \(channels) channel\(channels == 1 ? "" : "s")), "
                        + "found \(values.count) number\(values.count == 1 ? "" : "s")")
        }
        for v in values where !(v.isFinite && (limit?.contains(Double(v)) ?? true)) {
            throw error(name, "expected a list of \(counts)\(limit.map { " \($0)" } ?? ""), found \(v) in the list")
        }
    }

    /// Throws unless `values` has `count` names (or at least `count` with `orMore`), none empty;
    /// `what` is one item ("label"). Repeats are allowed: ImageNet's classes name two "crane"s.
    public func names(_ name: String, _ values: [String], count: Int, orMore: Bool = false, what: String) throws {
        let expected = "a list of \(orMore ? "at least " : "")\(count) \(what)\(count == 1 ? "" : "s")"
        guard orMore ? values.count >= count : values.count == count else {
            throw error(name, "expected \(expected), found \(values.isEmpty ? "an empty list" : "\(values.count)")")
        }
        if values.contains("") { throw error(name, "expected \(expected), found an empty \(what) in the list") }
    }

    /// Throws unless a model of at least `parameters` values fits in a weights file holding
    /// `values`: a configuration describing more than its weights cannot be right, and building
    /// it first would allocate what the file never justified.
    public func fits(_ parameters: Int, weights values: Int, weightsFile: String) throws {
        guard parameters <= values else {
            throw error("", "describes at least \(parameters) parameters, more than the \(values) values of \(weightsFile)")
        }
    }
}
