/// A recipe that cannot be used, with where and why: one line such as
/// `Recipes/gpt.yaml:12:10: key 'training.steps': expected an integer, found "abc"`.
public struct RecipeError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The recipe file (empty for a recipe parsed from a string without a name).
    public var file: String
    /// 1-based position of the offending node, when there is one.
    public var line: Int?
    public var column: Int?
    /// The dotted key path (`training.steps`), when the problem is a key's.
    public var key: String?
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, key: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    public var description: String {
        var s = file.isEmpty ? "<recipe>" : file
        if let line {
            s += ":\(line)"
            if let column { s += ":\(column)" }
        }
        s += ": "
        if let key { s += "key '\(key)': " }
        return s + message
    }
}
