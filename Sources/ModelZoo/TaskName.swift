import Layers


/// The task family a model or a recipe belongs to: `task:` in a recipe, `"task"` in a zoo entry's
/// `config.json`. The set is open: each family's folder under `Tasks/` declares its name (e.g.
/// `TaskName.translation`) and registers itself in the task catalog.
public struct TaskName: RawRepresentable, Hashable, Comparable, Codable, Sendable, CustomStringConvertible,
                        ExpressibleByStringLiteral {
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }

    public var description: String { rawValue }

    public static func < (a: TaskName, b: TaskName) -> Bool { a.rawValue < b.rawValue }

    public init(from decoder: Swift.Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }

    public func encode(to encoder: Swift.Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
