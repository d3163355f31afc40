/// `zoo eval` asked for something the model's family cannot do with what was given (a missing
/// flag, an unreadable file): one line saying what.
public struct EvaluationError: Error, CustomStringConvertible, Equatable, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
