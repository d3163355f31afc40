import Layers
import Models
import Tensors
import Testing

/// Each model's attention weights (`attentionWeights`) and attention rollout.
@Suite struct ModelAttentionTests {
    /// A GPT's maps: one per block, T × T, causal, and the model's logits unchanged by recording.
    @Test func gptMapsAreCausalOnePerBlockAndLeaveTheLogitsAlone() {
        let model = GenerationTests.tinyModel()
        model.setTraining(false)
        let ids: [Int32] = [72, 105, 33, 10, 65]
        let before = withoutGradients { model(ids, shape: [1, 5]) }.scalars
        let maps = AttentionMap.maps(model.attentionWeights(ids))
        #expect(maps.map(\.layer) == [1, 2] && maps.allSatisfy { $0.kind == .selfAttention && $0.heads == 2 && $0.queries == 5 && $0.keys == 5 })
        for map in maps {
            for h in 0..<2 {
                for q in 0..<5 {
                    #expect(abs((0..<5).map { map.weight(head: h, query: q, key: $0) }.reduce(0, +) - 1) < 1e-5)
                    for k in (q + 1)..<5 { #expect(map.weight(head: h, query: q, key: k) == 0) }
                }
            }
        }
        #expect(withoutGradients { model(ids, shape: [1, 5]) }.scalars == before)
        #expect(model.decoder.layers.allSatisfy { $0.selfAttn.recording == nil })
    }

    /// An encoder–decoder's maps: encoder self-attention S × S for every layer, then per decoder
    /// layer its self-attention T × T and cross-attention T × S.
    @Test func encoderDecoderMapsHaveTheirSidesShapes() {
        let c = TransformerConfig(dModel: 16, heads: 4, ffnDim: 32, encoderLayers: 2, decoderLayers: 3, vocabSize: 40, maxLength: 16, dropout: 0)
        let model = EncoderDecoder(c, seed: 2)
        let maps = AttentionMap.maps(model.attentionWeights(source: [5, 6, 7, 8, 1], target: [0, 9, 10]))
        #expect(maps.map(\.kind) == [.encoderSelf, .encoderSelf, .decoderSelf, .cross, .decoderSelf, .cross, .decoderSelf, .cross])
        for map in maps {
            let shape = [map.heads, map.queries, map.keys]
            switch map.kind {
            case .encoderSelf: #expect(shape == [4, 5, 5])
            case .decoderSelf: #expect(shape == [4, 3, 3])
            case .cross: #expect(shape == [4, 3, 5])
            case .selfAttention: Issue.record("no single-stack maps in an encoder–decoder")
            }
        }
    }

    /// A ViT's maps cover the class token and every patch, in every layer (the last one too, which
    /// classification computes for the class token only).
    @Test func visionTransformerMapsCoverEveryToken() {
        let model = VisionTransformer(ClassTokenOnlyLayerTests.config, seed: 3)
        var g = RandomGenerator(seed: 9)
        let maps = AttentionMap.maps(model.attentionWeights(Tensor.randn([1, 1, 8, 8], generator: &g)))
        #expect(maps.count == 2 && maps.allSatisfy { $0.heads == 2 && $0.queries == 17 && $0.keys == 17 })
    }

    /// Rollout (Abnar & Zuidema 2020): of one layer, the head mean plus identity with rows
    /// renormalized; of several, their product, later layers on the left; rows sum to 1.
    @Test func rolloutIsTheProductOfResidualNormalizedMeans() {
        // Two heads over two tokens: the mean is [[0.5, 0.5], [0.25, 0.75]].
        let first = AttentionMap(layer: 1, kind: .selfAttention, heads: 2, queries: 2, keys: 2, weights: [1, 0, 0.5, 0.5, 0, 1, 0, 1])
        let one = AttentionRollout.rollout([first])
        // (mean + I) / row sums: [[1.5, 0.5] / 2, [0.25, 1.75] / 2].
        let expectedOne: [Float] = [0.75, 0.25, 0.125, 0.875]
        #expect(zip(one, expectedOne).allSatisfy { abs($0 - $1) < 1e-6 })
        let second = AttentionMap(layer: 2, kind: .selfAttention, heads: 1, queries: 2, keys: 2, weights: [0, 1, 1, 0])
        // Ã₂ = [[0.5, 0.5], [0.5, 0.5]]: every row of Ã₂ · Ã₁ is the mean of Ã₁'s rows.
        let two = AttentionRollout.rollout([first, second])
        let expectedTwo: [Float] = [0.4375, 0.5625, 0.4375, 0.5625]
        #expect(zip(two, expectedTwo).allSatisfy { abs($0 - $1) < 1e-6 })
    }
}
