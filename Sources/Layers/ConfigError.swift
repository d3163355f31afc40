/// A model configuration that cannot build a model, in one line naming the file, the field's
/// path, what is wrong and what is allowed, as a recipe's errors do:
///
///     Zoo/gpt/config.json: field 'model.heads': 3 does not divide model.dModel 256
///     Zoo/gpt/config.json: field 'model.maxLength': expected an integer in [1, 65536], found 1000000000
///
/// Thrown before anything is allocated, so a hand-edited file is an error, never a trap.
public struct ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The configuration file, as the user named it.
    public var file: String
    /// The dotted path of the field in the file (`model.heads`, `vision.stem.strides`); empty
    /// for the file as a whole.
    public var field: String
    public var message: String

    public init(file: String, field: String, message: String) {
        self.file = file
        self.field = field
        self.message = message
    }

    /// The field's path names the file's top when it is empty (a whole-file problem).
    public var description: String { field.isEmpty ? "\(file): \(message)" : "\(file): field '\(field)': \(message)" }
}
