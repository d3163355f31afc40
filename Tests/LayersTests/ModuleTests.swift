import Foundation
import Layers
import Models
import Tensors
import Testing

@Suite struct ModuleTests {
    /// Parameter names come from property names and match PyTorch's state-dict names.
    @Test func parameterNamesMatchPyTorch() {
        let c = TransformerConfig(dModel: 8, heads: 2, ffnDim: 16, encoderLayers: 1, decoderLayers: 1, vocabSize: 10, maxLength: 8)
        var g = RandomGenerator(seed: 0)
        let layer = DecoderLayer(c, dropout: Dropout(0, random: RandomSource(seed: 0)), generator: &g)
        let names = Set(layer.namedParameters.map(\.name))
        #expect(names == [
            "self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
            "multihead_attn.in_proj_weight", "multihead_attn.in_proj_bias", "multihead_attn.out_proj.weight",
            "multihead_attn.out_proj.bias", "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias",
            "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias", "norm3.weight", "norm3.bias",
        ])
    }

    /// A tied output projection is the embedding itself: listed once, not twice.
    @Test func tiedEmbeddingIsOneParameter() {
        let c = TransformerConfig(dModel: 8, heads: 2, ffnDim: 16, encoderLayers: 1, decoderLayers: 1, vocabSize: 10, maxLength: 8)
        let model = EncoderDecoder(c)
        let names = model.namedParameters.map(\.name)
        #expect(names.filter { $0.contains("embedding") } == ["embedding.weight"])
        #expect(names.contains("encoder.layers.0.self_attn.in_proj_weight"))
        #expect(!names.contains { $0.hasPrefix("positions") })  // sinusoids are not parameters
        let untied = EncoderDecoder(TransformerConfig(dModel: 8, heads: 2, ffnDim: 16, encoderLayers: 1, decoderLayers: 1,
                                                      vocabSize: 10, maxLength: 8, shareEmbeddings: false, tieOutput: false))
        let more = Set(untied.namedParameters.map(\.name))
        #expect(more.isSuperset(of: ["embedding.weight", "target_embedding.weight", "output_projection.weight"]))
    }

    @Test func loadRefusesMissingUnexpectedAndMisshapenWeights() {
        var g = RandomGenerator(seed: 0)
        let linear = Linear(3, 2, generator: &g)
        #expect(throws: StateDictError.self) { try linear.load(["weight": Tensor(zeros: [2, 3])]) }
        #expect(throws: StateDictError.self) {
            try linear.load(["weight": Tensor(zeros: [2, 3]), "bias": Tensor(zeros: [2]), "extra": Tensor(zeros: [1])])
        }
        #expect(throws: StateDictError.self) { try linear.load(["weight": Tensor(zeros: [3, 2]), "bias": Tensor(zeros: [2])]) }
        #expect(throws: Never.self) { try linear.load(["weight": Tensor(repeating: 1, shape: [2, 3]), "bias": Tensor(zeros: [2])]) }
        #expect(linear.weight.scalars == [1, 1, 1, 1, 1, 1])
    }

    /// Loading from the file writes what `load(file.tensors())` writes, and refuses a missing,
    /// unexpected, misshapen or non-numeric weight before any value is written.
    @Test func loadFromAFileChecksEverythingBeforeWriting() throws {
        let dir = try ScratchDirectory()
        let c = TransformerConfig(dModel: 8, heads: 2, ffnDim: 16, encoderLayers: 1, decoderLayers: 1, vocabSize: 10, maxLength: 8, dropout: 0)
        let a = EncoderDecoder(c, seed: 1)
        let good = dir.path("good.safetensors")
        try SafetensorsFile.write(a.stateDict, to: good)
        let viaFile = EncoderDecoder(c, seed: 2), viaTensors = EncoderDecoder(c, seed: 2)
        try viaFile.load(try SafetensorsFile(path: good))
        try viaTensors.load(try SafetensorsFile(path: good).tensors())
        for ((name, x), (_, y)) in zip(viaFile.stateDict.sorted { $0.key < $1.key }, viaTensors.stateDict.sorted { $0.key < $1.key }) {
            #expect(x.scalars.map(\.bitPattern) == y.scalars.map(\.bitPattern), "\(name)")
        }

        var state = a.stateDict
        let last = state.keys.max()!
        func refused(_ records: [SafetensorsRecord], strict: Bool = true) throws -> Bool {
            let path = dir.path("bad.safetensors")
            try SafetensorsFile.write(records, to: path)
            let b = EncoderDecoder(c, seed: 3)
            let before = b.stateDict.mapValues(\.scalars)
            let threw = (try? b.load(try SafetensorsFile(path: path), strict: strict)) == nil
            if threw { #expect(b.stateDict.mapValues(\.scalars) == before, "a refused load wrote values") }
            return threw
        }
        func records(_ tensors: [String: Tensor], dtype: [String: SafetensorsDType] = [:]) -> [SafetensorsRecord] {
            tensors.sorted { $0.key < $1.key }.map { name, t in
                guard let d = dtype[name] else { return SafetensorsRecord(name, t) }
                return SafetensorsRecord(name, dtype: d, shape: t.shape, bytes: [UInt8](repeating: 0, count: t.count * d.byteSize))
            }
        }
        #expect(try !refused(records(state)))
        state[last] = Tensor(zeros: [state[last]!.count + 1])
        #expect(try refused(records(state)))  // misshapen, and the last name in order
        state[last] = a.stateDict[last]
        #expect(try refused(records(state.merging(["extra": Tensor(zeros: [1])]) { x, _ in x })))
        #expect(try !refused(records(state.merging(["extra": Tensor(zeros: [1])]) { x, _ in x }), strict: false))
        #expect(try refused(records(state.filter { $0.key != last })))
        #expect(try refused(records(state, dtype: [last: .u8])))
    }

    /// A model saved to safetensors and loaded into a fresh one with another seed computes the same.
    @Test func checkpointRoundTripRestoresTheModel() throws {
        let c = TransformerConfig(dModel: 8, heads: 2, ffnDim: 16, encoderLayers: 1, decoderLayers: 1, vocabSize: 10, maxLength: 8, dropout: 0)
        let a = EncoderDecoder(c, seed: 1), b = EncoderDecoder(c, seed: 2)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try SafetensorsFile.write(a.stateDict, to: path)
        try b.load(try SafetensorsFile(path: path).tensors())
        let src: [Int32] = [3, 4, 5, 6], tgt: [Int32] = [1, 7, 8]
        let ya = withoutGradients { a(source: src, sourceShape: [1, 4], target: tgt, targetShape: [1, 3]).scalars }
        let yb = withoutGradients { b(source: src, sourceShape: [1, 4], target: tgt, targetShape: [1, 3]).scalars }
        #expect(ya == yb)
    }

    @Test func evaluationModeTurnsDropoutOff() {
        let c = TransformerConfig(dModel: 8, heads: 2, ffnDim: 16, encoderLayers: 1, decoderLayers: 1, vocabSize: 10, maxLength: 8, dropout: 0.5)
        let model = EncoderDecoder(c, seed: 1)
        let run = { withoutGradients { model(source: [3, 4], sourceShape: [1, 2], target: [1, 5], targetShape: [1, 2]).scalars } }
        #expect(run() != run())  // dropout draws new masks
        model.setTraining(false)
        #expect(run() == run())
    }
}
