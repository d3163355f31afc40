import Foundation

/// One line of the zoo's index (`Zoo/index.json`), what `zoo list` shows.
public struct ZooIndexEntry: Codable, Sendable, Equatable {
    public var name: String
    public var task: TaskName
    /// The entry's directory, relative to the index's directory.
    public var path: String
    public var metrics: [String: Double]
    public var parameters: Int

    public init(name: String, task: TaskName, path: String, metrics: [String: Double], parameters: Int) {
        self.name = name
        self.task = task
        self.path = path
        self.metrics = metrics
        self.parameters = parameters
    }

    /// `{"name":"gpt-kjv","task":"language-model","metrics":{"val_loss":3.2},"parameters":5201408,"path":"gpt-kjv"}`.
    public var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}
