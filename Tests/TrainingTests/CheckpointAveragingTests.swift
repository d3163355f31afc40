import Foundation
import Layers
import Tensors
import Testing
import Training

@Suite struct CheckpointAveragingTests {
    static func directory() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("avg-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func averageIsTheElementwiseMean() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let paths = (0..<3).map { "\(dir)/ckpt\($0).safetensors" }
        for (i, p) in paths.enumerated() {
            let f = Float(i)
            try SafetensorsFile.write(["a.weight": Tensor([f, 2 * f, -f, 1], shape: [2, 2]), "b": Tensor([10 * f], shape: [1])],
                                      to: p, metadata: ["step": "\(i)"])
        }
        let out = "\(dir)/avg.safetensors"
        #expect(try CheckpointAveraging.average(paths, to: out) == 2)
        let file = try SafetensorsFile(path: out)
        #expect(file.names == ["a.weight", "b"])
        #expect(try file.tensor("a.weight").scalars == [1, 2, -1, 1])
        #expect(try file.tensor("a.weight").shape == [2, 2])
        #expect(try file.tensor("b").scalars == [10])
        #expect(file.metadata["step"] == "2")
    }

    @Test func mismatchedCheckpointsGiveClearErrors() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = "\(dir)/a.safetensors", b = "\(dir)/b.safetensors", c = "\(dir)/c.safetensors"
        try SafetensorsFile.write(["w": Tensor([1, 2], shape: [2])], to: a)
        try SafetensorsFile.write(["w": Tensor([1, 2], shape: [1, 2])], to: b)
        try SafetensorsFile.write(["v": Tensor([1, 2], shape: [2])], to: c)
        #expect(throws: CheckpointAveragingError.shapeDiffers(path: b, name: "w", shape: [1, 2], expected: [2])) {
            try CheckpointAveraging.average([a, b])
        }
        #expect(throws: CheckpointAveragingError.namesDiffer(path: c, first: a, missing: ["w"], extra: ["v"])) {
            try CheckpointAveraging.average([a, c])
        }
        #expect(throws: CheckpointAveragingError.noCheckpoints) { try CheckpointAveraging.average([]) }
        let message = "\(CheckpointAveragingError.namesDiffer(path: c, first: a, missing: ["w"], extra: ["v"]))"
        #expect(message.hasPrefix(c + ":"))
        // A failed average leaves an existing output untouched.
        let out = "\(dir)/out.safetensors"
        try SafetensorsFile.write(["old": Tensor([7], shape: [1])], to: out)
        #expect(throws: (any Error).self) { try CheckpointAveraging.average([a, b], to: out) }
        #expect(try SafetensorsFile(path: out).names == ["old"])
    }
}
