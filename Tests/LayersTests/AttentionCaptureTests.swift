import Foundation
import Layers
import Tensors
import Testing

/// The weights an `AttentionRecorder` collects, against nn.MultiheadAttention's
/// (`need_weights=True, average_attn_weights=False`) in the stacks of
/// Tests/Fixtures/make_attention_fixtures.py.
@Suite struct AttentionCaptureTests {
    final class Stacks: Module {
        let encoder: Encoder
        let decoder: Decoder
        init(_ c: TransformerConfig) {
            var g = RandomGenerator(seed: 1)
            let d = Dropout(0, random: RandomSource(seed: 0))
            encoder = Encoder(c, dropout: d, generator: &g)
            decoder = Decoder(c, dropout: d, generator: &g)
        }
    }

    /// Each recorded map equals PyTorch's to 1e-5, and is a distribution over the keys each query
    /// may see: rows sum to 1 and masked keys (padding, the future) are exactly 0.
    func expectMatches(_ maps: [AttentionWeights], _ fx: TorchFixture, masked: (AttentionKind, _ b: Int, _ q: Int, _ k: Int) -> Bool,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expectedNames = fx.file.names.filter { $0.hasPrefix("attn.") }.sorted()
        #expect(maps.map { "attn.\($0.kind.rawValue).\($0.layer)" }.sorted() == expectedNames, sourceLocation: sourceLocation)
        for map in maps {
            let name = "attn.\(map.kind.rawValue).\(map.layer)"
            let expected = try fx.tensor(name)
            #expect(map.weights.shape == expected.shape, "\(name)", sourceLocation: sourceLocation)
            guard map.weights.shape == expected.shape else { continue }
            let a = map.weights.scalars, e = expected.scalars
            let worst = zip(a, e).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-5, "\(name): differs from PyTorch by \(worst)", sourceLocation: sourceLocation)
            let (b, h, tq, tk) = (expected.shape[0], expected.shape[1], expected.shape[2], expected.shape[3])
            for bi in 0..<b {
                for hi in 0..<h {
                    for qi in 0..<tq {
                        let row = ((bi * h + hi) * tq + qi) * tk
                        let sum = a[row..<(row + tk)].reduce(0, +)
                        #expect(abs(sum - 1) <= 1e-5, "\(name) [\(bi), \(hi), \(qi)] sums to \(sum)", sourceLocation: sourceLocation)
                        for ki in 0..<tk where masked(map.kind, bi, qi, ki) {
                            #expect(a[row + ki] == 0, "\(name) [\(bi), \(hi), \(qi), \(ki)] is masked but \(a[row + ki])",
                                    sourceLocation: sourceLocation)
                        }
                    }
                }
            }
        }
    }

    @Test func encoderDecoderWeightsMatchPyTorch() throws {
        let fx = try TorchFixture("encoder_decoder", directory: "attention")
        let model = Stacks(fx.transformerConfig)
        try model.load(fx.parameters())
        let src = try fx.tensor("input.src"), tgt = try fx.tensor("input.tgt")
        let padding = fx.padding("src_key_padding", length: src.shape[1])!
        let recorder = AttentionRecorder()
        model.encoder.recordAttention(into: recorder, kind: .encoderSelf)
        model.decoder.recordAttention(into: recorder)
        let out = withoutGradients {
            model.decoder(tgt, memory: model.encoder(src, padding: padding), memoryPadding: padding)
        }
        expectClose(out, try fx.tensor("output"), "output")
        #expect(recorder.maps.map(\.kind) == [.encoderSelf, .encoderSelf, .decoderSelf, .cross, .decoderSelf, .cross])
        try expectMatches(recorder.maps, fx) { kind, b, q, k in
            kind == .decoderSelf ? k > q : padding[b * src.shape[1] + k]
        }
        // Detached, the stacks record nothing more.
        model.encoder.recordAttention(into: nil)
        model.decoder.recordAttention(into: nil)
        _ = withoutGradients { model.decoder(tgt, memory: model.encoder(src, padding: padding), memoryPadding: padding) }
        #expect(recorder.maps.count == 6)
    }

    @Test func causalStackWeightsMatchPyTorch() throws {
        let fx = try TorchFixture("causal_stack", directory: "attention")
        var g = RandomGenerator(seed: 1)
        let stack = DecoderOnly(fx.transformerConfig, dropout: Dropout(0, random: RandomSource(seed: 0)), generator: &g)
        try stack.load(fx.parameters())
        let x = try fx.tensor("input.x")
        let t = x.shape[1]
        let padding = fx.padding("key_padding", length: t)!
        let recorder = AttentionRecorder()
        stack.recordAttention(into: recorder)
        let out = withoutGradients { stack(x, padding: padding) }
        expectClose(out, try fx.tensor("output"), "output")
        try expectMatches(recorder.maps, fx) { _, b, q, k in k > q || padding[b * t + k] }
    }

    /// Incremental decoding with a KV cache records one query row per step, equal to the rows of
    /// the whole sequence's map.
    @Test func cachedStepsRecordTheRowsOfTheWholeMap() throws {
        let fx = try TorchFixture("causal_stack", directory: "attention")
        var g = RandomGenerator(seed: 1)
        let stack = DecoderOnly(fx.transformerConfig, dropout: Dropout(0, random: RandomSource(seed: 0)), generator: &g)
        try stack.load(fx.parameters())
        let x = try fx.tensor("input.x").slice(axis: 0, 0..<1)
        let t = x.shape[1], h = fx.int("nhead")
        let whole = AttentionRecorder(), steps = AttentionRecorder()
        stack.recordAttention(into: whole)
        _ = withoutGradients { stack(x) }
        stack.recordAttention(into: steps)
        let caches = stack.makeCaches(capacity: t)
        for i in 0..<t { _ = withoutGradients { stack(x.slice(axis: 1, i..<(i + 1)), caches: caches) } }
        #expect(steps.maps.count == t * stack.layers.count)
        for (n, step) in steps.maps.enumerated() {
            let i = n / stack.layers.count, layer = step.layer
            #expect(step.weights.shape == [1, h, 1, i + 1])
            let all = whole.maps[layer].weights.scalars, got = step.weights.scalars
            for head in 0..<h {
                for k in 0...i {
                    #expect(abs(got[head * (i + 1) + k] - all[(head * t + i) * t + k]) <= 1e-5, "step \(i) layer \(layer) head \(head) key \(k)")
                }
            }
        }
    }
}
