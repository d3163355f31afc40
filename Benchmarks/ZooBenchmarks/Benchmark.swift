import Foundation
import Data
import Layers
import Tensors

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

    /// One JSON object on one line, e.g. `{"name": "gemm-1024", "value": 412.3, "unit": "GFLOP/s"}`.
    /// The format `Benchmarks/peers/torch_peers.py` prints too, so both sides can be joined by name.
    public var jsonLine: String {
        "{\"name\": \(jsonStringLiteral(name)), \"value\": \(jsonNumber(value)), \"unit\": \(jsonStringLiteral(unit))}"
    }

    /// A line for people: the name, the value aligned, the unit.
    public var humanLine: String {
        let padded = name.count < 28 ? name + String(repeating: " ", count: 28 - name.count) : name + " "
        return "\(padded)\(formatted(value)) \(unit)"
    }
}

/// A named benchmark: what `zoo bench NAME` runs.
public struct BenchmarkCase {
    /// The name on the command line, e.g. `gemm`.
    public let name: String
    /// One line saying what it measures.
    public let summary: String
    /// Runs the benchmark (warm-up included) and returns its figures.
    public let run: () throws -> [Figure]

    public init(name: String, summary: String, run: @escaping () throws -> [Figure]) {
        self.name = name
        self.summary = summary
        self.run = run
    }
}

/// A benchmark name that is not registered; the message lists the valid ones.
public struct UnknownBenchmarkError: Error, CustomStringConvertible {
    public let name: String
    public let valid: [String]
    public var description: String {
        "unknown benchmark '\(name)'; valid names: \(valid.joined(separator: ", "))"
    }
}

extension Benchmarks {
    /// The registered names, in order.
    public static var names: [String] { all.map(\.name) }

    /// The cases `name` selects: one case, or every case for `all`.
    public static func select(_ name: String) throws -> [BenchmarkCase] {
        if name == "all" { return all }
        if let found = all.first(where: { $0.name == name }) { return [found] }
        throw UnknownBenchmarkError(name: name, valid: names + ["all"])
    }

    /// The process's peak resident set size as a figure named `peak-rss` (MiB): the high-water
    /// mark of everything this process has done so far, so after `zoo bench NAME` it is that
    /// benchmark's peak and after `zoo bench all` the largest of them.
    public static func peakRSSFigure() -> Figure {
        Figure(name: "peak-rss", value: peakResidentMiB(), unit: "MiB")
    }
}

// MARK: - Timing

/// Seconds since an arbitrary fixed point, from the monotonic clock.
@inline(__always)
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Wall time of one call of `body`, in seconds.
@inline(__always)
public func timeSeconds(_ body: () throws -> Void) rethrows -> Double {
    let start = monotonicSeconds()
    try body()
    return monotonicSeconds() - start
}

/// The median of `values` (the mean of the middle two for an even count).
public func median(_ values: [Double]) -> Double {
    precondition(!values.isEmpty, "median of no values")
    let s = values.sorted()
    let mid = s.count / 2
    return s.count % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

// MARK: - Memory

/// Peak resident set size of this process in MiB: `VmHWM` from `/proc/self/status` on Linux,
/// `getrusage`'s `ru_maxrss` elsewhere.
public func peakResidentMiB() -> Double {
    if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) {
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            // "VmHWM:     123456 kB"
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 2, let kib = Double(fields[1]) { return kib / 1024 }
        }
    }
    var usage = rusage()
    #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024  // KiB on Linux
    #else
    getrusage(RUSAGE_SELF, &usage)
    return Double(usage.ru_maxrss) / (1024 * 1024)  // bytes on Darwin
    #endif
}

// MARK: - Formatting

/// Enough digits to compare runs, not more: 412.3, 98.71, 0.01234.
func formatted(_ v: Double) -> String {
    guard v.isFinite else { return "\(v)" }
    let a = abs(v)
    if a >= 100 { return String(format: "%.1f", v) }
    if a >= 1 { return String(format: "%.2f", v) }
    if a == 0 { return "0" }
    return String(format: "%.4g", v)
}

func jsonNumber(_ v: Double) -> String {
    v.isFinite ? formatted(v) : "null"  // JSON has no NaN or infinity
}


// MARK: - Environment

extension Benchmarks {
    /// What the figures depend on, for the head of a human-readable run: the OpenBLAS kernel family.
    public static var environmentSummary: String {
        "OpenBLAS core: \(blasCoreName)"
    }
}
