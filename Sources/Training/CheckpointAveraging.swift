import Foundation
import Layers
import Tensors

/// What makes checkpoints impossible to average; each message names the file and the problem.
public enum CheckpointAveragingError: Error, CustomStringConvertible, Equatable {
    /// No input checkpoint was given.
    case noCheckpoints
    /// `path` lacks tensors the first checkpoint has, or has ones it lacks.
    case namesDiffer(path: String, first: String, missing: [String], extra: [String])
    /// A tensor's shape in `path` differs from its shape in the first checkpoint.
    case shapeDiffers(path: String, name: String, shape: [Int], expected: [Int])

    public var description: String {
        switch self {
        case .noCheckpoints:
            return "checkpoint averaging needs at least one safetensors file"
        case let .namesDiffer(path, first, missing, extra):
            var parts: [String] = []
            if !missing.isEmpty { parts.append("lacks \(Self.list(missing))") }
            if !extra.isEmpty { parts.append("has extra \(Self.list(extra))") }
            return "\(path): tensor names differ from \(first): " + parts.joined(separator: "; ")
        case let .shapeDiffers(path, name, shape, expected):
            return "\(path): tensor \"\(name)\" has shape \(shape) but the first checkpoint's is \(expected)"
        }
    }

    private static func list(_ names: [String]) -> String {
        let shown = names.prefix(3).map { "\"\($0)\"" }.joined(separator: ", ")
        return names.count > 3 ? "\(shown) and \(names.count - 3) more" : shown
    }
}

/// Checkpoint averaging (Vaswani et al. 2017 §6.1: "averaging the last 5 checkpoints"), as
/// fairseq's `scripts/average_checkpoints.py`: the element-wise mean of every tensor of N
/// safetensors files with the same names and shapes.
public enum CheckpointAveraging {
    /// The mean of every tensor across `paths`, by name (only those whose names start with
    /// `prefix`, e.g. a checkpoint's "model."). Throws `CheckpointAveragingError` when the files
    /// disagree and `SafetensorsError` when one cannot be read.
    public static func average(_ paths: [String], prefix: String = "") throws -> [String: Tensor] {
        guard let firstPath = paths.first else { throw CheckpointAveragingError.noCheckpoints }
        let first = try SafetensorsFile(path: firstPath)
        let expected = Set(first.names.filter { $0.hasPrefix(prefix) })
        var sums: [String: Tensor] = [:]
        for name in expected { sums[name] = try first.tensor(name) }
        for path in paths.dropFirst() {
            let file = try SafetensorsFile(path: path)
            let names = Set(file.names.filter { $0.hasPrefix(prefix) })
            guard names == expected else {
                throw CheckpointAveragingError.namesDiffer(path: path, first: firstPath,
                                                           missing: expected.subtracting(names).sorted(),
                                                           extra: names.subtracting(expected).sorted())
            }
            for name in expected {
                let shape = try file.info(name).shape, want = sums[name]!.shape
                guard shape == want else {
                    throw CheckpointAveragingError.shapeDiffers(path: path, name: name, shape: shape, expected: want)
                }
                let t = try file.tensor(name), sum = sums[name]!
                for i in 0..<sum.count { sum.data[i] += t.data[i] }
            }
        }
        let scale = 1 / Float(paths.count)
        for sum in sums.values { for i in 0..<sum.count { sum.data[i] *= scale } }
        return sums
    }

    /// Averages `paths` and writes the result to `output` (atomically: a temporary file renamed
    /// over it), keeping the last checkpoint's metadata. Returns the number of tensors written.
    @discardableResult
    public static func average(_ paths: [String], to output: String, dtype: SafetensorsDType = .f32) throws -> Int {
        let tensors = try average(paths)
        let metadata = try SafetensorsFile(path: paths.last!).metadata
        try SafetensorsFile.write(tensors, to: output, dtype: dtype, metadata: metadata)
        return tensors.count
    }
}
