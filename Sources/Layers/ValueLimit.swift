/// The values a number may take, as messages say them ("at least 1", "in [1, 65536]", "in [0, 1)"):
/// one vocabulary for a recipe's keys (`RecipeFields.Limit`) and a zoo entry's fields
/// (`ConfigFields`), so both kinds of error read alike.
public enum ValueLimit: CustomStringConvertible, Sendable, Equatable {
    case atLeast(Double)
    case greaterThan(Double)
    /// [low, high] or [low, high) with `openHigh`.
    case between(Double, Double, openHigh: Bool)

    /// [low, high] of integers.
    public static func integers(_ range: ClosedRange<Int>) -> ValueLimit {
        .between(Double(range.lowerBound), Double(range.upperBound), openHigh: false)
    }

    public func contains(_ x: Double) -> Bool {
        switch self {
        case .atLeast(let lo): return x >= lo
        case .greaterThan(let lo): return x > lo
        case .between(let lo, let hi, let open): return x >= lo && (open ? x < hi : x <= hi)
        }
    }

    public var description: String {
        switch self {
        case .atLeast(let lo): return "at least \(Self.show(lo))"
        case .greaterThan(let lo): return "greater than \(Self.show(lo))"
        case .between(let lo, let hi, let open): return "in [\(Self.show(lo)), \(Self.show(hi))\(open ? ")" : "]")"
        }
    }

    private static func show(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
    }
}
