/// One measured figure of a benchmark.
public struct Figure: Sendable {
    public var name: String
    public var value: Double
    public var unit: String
    public init(name: String, value: Double, unit: String) {
        self.name = name
        self.value = value
        self.unit = unit
    }
}
