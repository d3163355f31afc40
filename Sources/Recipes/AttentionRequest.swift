/// What `zoo attention` was asked: the input and, per family, how to extend it. Each family reads
/// the fields it needs.
public struct AttentionRequest: Sendable {
    /// The sentence, prompt or image file.
    public var input: String
    /// Translation: the target to teacher-force instead of the model's own translation.
    public var target: String?
    /// Language model: tokens appended greedily to the prompt first.
    public var generate = 0
    /// Translation: beam search for the model's own translation.
    public var beam = 4
    public var lengthPenalty = 0.6
    /// Parsing: the sentence is already split into tokens by spaces.
    public var tokenized = false
    public init(input: String) { self.input = input }
}

/// An input `zoo attention` cannot show (longer than the model's context, empty, of a model
/// without attention maps): one line saying what.
public struct AttentionError: Error, CustomStringConvertible, Equatable, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
