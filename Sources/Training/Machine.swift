import Foundation

/// The machine a run trains on, in words for a model card: the CPU's name, its x86-64 family
/// and model (machines of one kind differ: Zen 2, Zen 3, Zen 4...), its widest vector unit, and
/// the cores this process may use.
public enum Machine {
    public static let summary: String = {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        func field(_ name: String) -> String? {
            for line in info.split(separator: "\n") where line.hasPrefix(name) {
                if let colon = line.firstIndex(of: ":") { return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
            }
            return nil
        }
        var parts: [String] = []
        if let family = field("cpu family"), let model = field("model\t") {
            parts.append("x86-64 family \(family) model \(model)")
        }
        let flags = Set((field("flags") ?? "").split(separator: " ").map(String.init))
        if !flags.isEmpty { parts.append(flags.contains("avx512f") ? "AVX-512" : flags.contains("avx2") ? "AVX2, no AVX-512" : "no AVX2") }
        let name = field("model name") ?? ProcessInfo.processInfo.hostName
        return parts.isEmpty ? name : "\(name) (\(parts.joined(separator: ", ")))"
    }()
}
