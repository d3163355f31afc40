import Foundation

/// Python's number formatting and `json.dumps` strings, as sacreBLEU's output uses them.
public enum PythonFormat {
    /// `f"{x:.{digits}f}"`: both round the exact binary value correctly (C's printf does too).
    public static func fixed(_ x: Double, _ digits: Int) -> String {
        String(format: "%.\(max(0, digits))f", x)
    }

}
