import Layers
import Tensors
import Testing

/// Our layers against PyTorch's on the same weights: outputs, input gradients and every
/// parameter gradient to 1e-4 relative (fixtures from Tests/Fixtures/make_torch_fixtures.py).
@Suite struct TorchParityTests {
    /// Runs `forward`, back-propagates Σ output ⊙ R and checks output and gradients.
    func check(_ fx: TorchFixture, module: any Module, prefix: String = "", inputs: [String: Tensor],
               forward: () -> Tensor) throws {
        try module.load(fx.parameters(under: prefix))
        let out = forward()
        expectClose(out, try fx.tensor("output"), "output")
        (out * (try fx.tensor("input.R"))).sum().backward()
        for (name, t) in inputs { expectClose(t.grad, try fx.tensor("grad.input." + name), "grad of input \(name)") }
        for (name, p) in module.namedParameters {
            expectClose(p.grad, try fx.tensor("grad.param." + prefix + name), "grad of \(name)")
        }
    }

    func dropout() -> Dropout { Dropout(0, random: RandomSource(seed: 0)) }

    @Test(arguments: ["mha_self", "mha_self_causal_padding"])
    func selfAttentionMatchesPyTorch(_ name: String) throws {
        let fx = try TorchFixture(name)
        var g = RandomGenerator(seed: 1)
        let mha = MultiHeadAttention(dim: fx.int("d_model"), heads: fx.int("nhead"), generator: &g)
        let x = try fx.tensor("input.x", requiresGrad: true)
        let mask = AttentionMask(causal: fx.bool("causal"), keyPadding: fx.padding("key_padding", length: x.shape[1]))
        try check(fx, module: mha, inputs: ["x": x]) { mha(x, mask: mask) }
    }

    @Test func crossAttentionMatchesPyTorch() throws {
        let fx = try TorchFixture("mha_cross")
        var g = RandomGenerator(seed: 1)
        let mha = MultiHeadAttention(dim: fx.int("d_model"), heads: fx.int("nhead"), generator: &g)
        let q = try fx.tensor("input.query", requiresGrad: true)
        let m = try fx.tensor("input.memory", requiresGrad: true)
        let mask = AttentionMask(keyPadding: fx.padding("key_padding", length: m.shape[1]))
        try check(fx, module: mha, inputs: ["query": q, "memory": m]) { mha(q, memory: m, mask: mask) }
    }

    @Test(arguments: ["encoder_layer_post", "encoder_layer_pre_gelu"])
    func encoderLayerMatchesPyTorch(_ name: String) throws {
        let fx = try TorchFixture(name)
        var g = RandomGenerator(seed: 1)
        let layer = EncoderLayer(fx.transformerConfig, dropout: dropout(), generator: &g)
        let src = try fx.tensor("input.src", requiresGrad: true)
        let mask = AttentionMask(keyPadding: fx.padding("src_key_padding", length: src.shape[1]))
        try check(fx, module: layer, inputs: ["src": src]) { layer(src, mask: mask) }
    }

    @Test(arguments: ["decoder_layer_post", "decoder_layer_pre"])
    func decoderLayerMatchesPyTorch(_ name: String) throws {
        let fx = try TorchFixture(name)
        var g = RandomGenerator(seed: 1)
        let layer = DecoderLayer(fx.transformerConfig, dropout: dropout(), generator: &g)
        let tgt = try fx.tensor("input.tgt", requiresGrad: true)
        let memory = try fx.tensor("input.memory", requiresGrad: true)
        let memoryMask = AttentionMask(keyPadding: fx.padding("memory_key_padding", length: memory.shape[1]))
        try check(fx, module: layer, inputs: ["tgt": tgt, "memory": memory]) {
            layer(tgt, memory: memory, selfMask: AttentionMask(causal: fx.bool("causal")), memoryMask: memoryMask)
        }
    }

    /// nn.Transformer's two stacks with their final norms.
    final class TinyTransformer: Module {
        let encoder: Encoder
        let decoder: Decoder
        init(_ c: TransformerConfig) {
            var g = RandomGenerator(seed: 1)
            let d = Dropout(0, random: RandomSource(seed: 0))
            encoder = Encoder(c, dropout: d, generator: &g)
            decoder = Decoder(c, dropout: d, generator: &g)
        }
    }

    @Test func encoderDecoderStacksMatchPyTorchTransformer() throws {
        let fx = try TorchFixture("transformer_tiny")
        let model = TinyTransformer(fx.transformerConfig)
        let src = try fx.tensor("input.src", requiresGrad: true)
        let tgt = try fx.tensor("input.tgt", requiresGrad: true)
        let srcPad = fx.padding("src_key_padding", length: src.shape[1])
        let memPad = fx.padding("memory_key_padding", length: src.shape[1])
        try check(fx, module: model, inputs: ["src": src, "tgt": tgt]) {
            let memory = model.encoder(src, padding: srcPad)
            return model.decoder(tgt, memory: memory, memoryPadding: memPad)
        }
    }

    @Test func crossEntropyMatchesPyTorch() throws {
        let fx = try TorchFixture("losses")
        let targets = try fx.tensor("input.targets").scalars.map { Int32($0) }
        for (suffix, smoothing) in [("ce", Float(0)), ("ls", Float(0.1))] {
            let logits = try fx.tensor("input.logits", requiresGrad: true)
            let loss = logits.crossEntropy(targets: targets, labelSmoothing: smoothing, ignoreIndex: -100)
            expectClose(loss, try fx.tensor(suffix == "ce" ? "output.ce" : "output.ce_ls"), "loss \(suffix)")
            loss.backward()
            expectClose(logits.grad, try fx.tensor("grad.input.logits_" + suffix), "grad \(suffix)")
        }
    }

    @Test func activationsNormsAndLogSoftmaxMatchPyTorch() throws {
        let fx = try TorchFixture("layers_misc")
        let r = try fx.tensor("input.R")
        let ln = LayerNorm(7)
        try ln.load(fx.parameters(under: "layer_norm."))
        let cases: [(String, (Tensor) -> Tensor)] = [
            ("gelu", { $0.gelu(approximate: false) }),
            ("gelu_tanh", { $0.gelu(approximate: true) }),
            ("layer_norm", { ln($0) }),
            ("log_softmax", { $0.logSoftmax() }),
        ]
        for (name, f) in cases {
            let x = try fx.tensor("input.x", requiresGrad: true)
            let y = f(x)
            expectClose(y, try fx.tensor("output." + name), name)
            (y * r).sum().backward()
            expectClose(x.grad, try fx.tensor("grad." + name), "grad \(name)")
        }
        expectClose(ln.weight.grad, try fx.tensor("grad.param.layer_norm.weight"), "layer norm weight grad")
        expectClose(ln.bias.grad, try fx.tensor("grad.param.layer_norm.bias"), "layer norm bias grad")
    }
}
