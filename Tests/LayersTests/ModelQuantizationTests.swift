import Foundation
import Layers
import Models
import Testing
import Tensors

/// `ModelQuantization`: which matrices a model quantizes, and that a quantized model saved and
/// loaded back computes exactly what it computed before saving.
@Suite struct ModelQuantizationTests {
    func tinyGPT() -> GPT {
        GPT(GPT.gptConfig(vocabSize: 50, context: 32, dModel: 32, heads: 4, layers: 2, dropout: 0), seed: 7)
    }

    func path(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("quantization-\(UUID().uuidString)-\(name)").path
    }

    /// A short prompt (the quantized kernels) and one longer than their largest batch (OpenBLAS).
    func logits(_ model: GPT) -> [Float] {
        let long = (0..<QuantizedMatrix.largestBatch + 3).map { Int32($0 * 7 % 50) }
        return withoutGradients { model([1, 5, 9, 3, 7, 2], shape: [1, 6]).scalars + model(long, shape: [1, long.count]).scalars }
    }

    @Test func theMatricesAreTheLinearLayersAttentionAndTheTokenEmbeddings() {
        let names = Set(ModelQuantization.targets(of: tinyGPT()).map(\.name))
        #expect(names.contains("embedding.weight"))
        for layer in 0..<2 {
            for part in ["self_attn.in_proj_weight", "self_attn.out_proj.weight", "linear1.weight", "linear2.weight"] {
                #expect(names.contains("decoder.layers.\(layer).\(part)"), "\(part)")
            }
        }
        #expect(names.count == 9)
        #expect(!names.contains { $0.contains("norm") || $0.hasPrefix("positions") || $0.hasSuffix("bias") })
    }

    @Test(arguments: QuantizedKind.allCases)
    func aSavedModelLoadsBackToTheSameOutputs(kind: QuantizedKind) throws {
        let model = tinyGPT()
        let fp32 = logits(model)
        ModelQuantization.quantize(model, as: kind)
        let quantized = logits(model)
        // Close to fp32, and not the same (the weights did change).
        #expect(quantized != fp32)
        let scale = fp32.map(abs).max()!
        #expect(zip(quantized, fp32).allSatisfy { abs($0 - $1) <= scale * (kind == .int8 ? 0.05 : 0.02) })

        let file = path("model.safetensors")
        defer { unlink(file) }
        try SafetensorsFile.write(ModelQuantization.records(of: model), to: file)
        let stored = try SafetensorsFile(path: file)
        #expect(try stored.info("decoder.layers.0.linear1.weight").dtype == (kind == .int8 ? .i8 : .bf16))
        #expect(stored.contains("decoder.layers.0.linear1.weight_scale") == (kind == .int8))
        #expect(try stored.info("decoder.layers.0.norm1.weight").dtype == .f32)

        // Loaded into a model built with or without initial values (as zoo entries load), the
        // matrices keep no fp32 copy, and the outputs are the same bit for bit.
        for placeholders in [false, true] {
            let loaded = Tensor.$valuesWillBeLoaded.withValue(placeholders) { tinyGPT() }
            try ModelQuantization.load(stored, kind: kind, into: loaded)
            #expect(logits(loaded).map(\.bitPattern) == quantized.map(\.bitPattern))
            let targets = ModelQuantization.targets(of: loaded)
            #expect(targets.count == 9 && targets.allSatisfy { $0.tensor.valuesDeferred }, "\(targets.filter { !$0.tensor.valuesDeferred }.map(\.name))")
        }
    }

    @Test func anInt8MatrixWithoutItsScalesIsRefusedByName() throws {
        let model = tinyGPT()
        ModelQuantization.quantize(model, as: .int8)
        let file = path("model.safetensors")
        defer { unlink(file) }
        try SafetensorsFile.write(ModelQuantization.records(of: model).filter { $0.name != "decoder.layers.1.linear2.weight_scale" }, to: file)
        #expect {
            try ModelQuantization.load(SafetensorsFile(path: file), kind: .int8, into: tinyGPT())
        } throws: { error in
            "\(error)".contains(file) && "\(error)".contains("decoder.layers.1.linear2.weight") && "\(error)".contains("row scales")
        }
        // An fp32 file read as int8: its matrices have no quantized form.
        let plain = path("plain.safetensors")
        defer { unlink(plain) }
        try SafetensorsFile.write(tinyGPT().namedTensors.map { ($0.name, $0.tensor) }, to: plain)
        #expect { try ModelQuantization.load(SafetensorsFile(path: plain), kind: .int8, into: tinyGPT()) } throws: { "\($0)".contains("is not quantized") }
    }
}
