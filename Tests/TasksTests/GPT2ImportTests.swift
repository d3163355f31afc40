import Foundation
import Layers
import Models
import Tensors
import Tasks
import TestSupport
import Testing
import Tokenization

/// A tiny random-weight Hugging Face GPT-2 (Tests/Fixtures/make_gpt2_fixture.py), imported here,
/// computes what `GPT2LMHeadModel` computed.
@Suite struct GPT2ImportTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/gpt2-tiny")

    struct Expected: Decodable {
        struct Prompt: Decodable { let ids: [Int32] }
        struct Generation: Decodable {
            let prompt: String
            let promptIds: [Int32]
            /// Prompt and 20 greedy tokens.
            let ids: [Int32]
        }
        let prompts: [Prompt]
        let generations: [Generation]
    }

    static func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: fixture.appendingPathComponent("expected.json")))
    }

    static let expectedLogits = Result { try SafetensorsFile(path: fixture.appendingPathComponent("expected.safetensors").path) }

    /// Largest |ours − Hugging Face's| over every prompt's logits.
    static func worstLogitError(_ model: GPT) throws -> Float {
        let file = try expectedLogits.get()
        var worst: Float = 0
        for (i, prompt) in try expected().prompts.enumerated() {
            let want = try file.tensor("logits.\(i)")
            let got = withoutGradients { model(prompt.ids, shape: [1, prompt.ids.count]) }
            #expect(got.shape == [1] + want.shape)
            for (a, b) in zip(got.scalars, want.scalars) { worst = max(worst, abs(a - b)) }
        }
        return worst
    }

    @Test func configMapsToOurGPT() throws {
        let c = try GPT2Import.config(contentsOf: Self.fixture.appendingPathComponent("config.json").path)
        #expect(c == GPT.gptConfig(vocabSize: 500, context: 64, dModel: 32, heads: 4, layers: 2, ffnDim: 128,
                                             dropout: 0.1, activation: .geluTanh))
    }

    @Test func logitsMatchHuggingFace() throws {
        let model = try GPT2Import.model(from: Self.fixture.path)
        let worst = try Self.worstLogitError(model)
        #expect(worst < 1e-4, "largest logit difference \(worst)")
    }

    /// Greedy decoding with the KV cache: the prompt in one call, then one token at a time.
    @Test func greedyGenerationMatchesHuggingFace() throws {
        let (model, tokenizer) = try GPT2Import.load(from: Self.fixture.path)
        for g in try Self.expected().generations {
            #expect(tokenizer.encode(g.prompt) == g.promptIds)
            let generated = greedy(model, prompt: g.promptIds, newTokens: g.ids.count - g.promptIds.count)
            #expect(generated == g.ids, "\(g.prompt)")
        }
    }

    @Test func checkpointWithoutTransformerPrefixImportsTheSame() throws {
        let dir = try TrainingFixtures.temporaryDirectory("gpt2-import")
        defer { try? FileManager.default.removeItem(at: dir) }
        let original = try SafetensorsFile(path: Self.fixture.appendingPathComponent("model.safetensors").path)
        // As OpenAI's gpt2 on the hub: no prefix, plus the causal-mask buffers and a tied lm_head.
        var tensors = try original.names.map { (String($0.dropFirst("transformer.".count)), try original.tensor($0)) }
        tensors.append(("h.0.attn.bias", Tensor(repeating: 1, shape: [1, 1, 64, 64])))
        tensors.append(("h.1.attn.masked_bias", Tensor(scalar: -1e4)))
        tensors.append(("lm_head.weight", try original.tensor("transformer.wte.weight")))
        try SafetensorsFile.write(tensors, to: dir.appendingPathComponent("model.safetensors").path)
        for f in ["config.json", "vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(at: Self.fixture.appendingPathComponent(f), to: dir.appendingPathComponent(f))
        }
        let worst = try Self.worstLogitError(try GPT2Import.model(from: dir.path))
        #expect(worst < 1e-4, "largest logit difference \(worst)")
    }

    @Test func importWritesAZooEntryThatLoadsAndGenerates() throws {
        let zoo = try TrainingFixtures.temporaryDirectory("gpt2-import")
        defer { try? FileManager.default.removeItem(at: zoo) }
        let out = zoo.appendingPathComponent("tiny-gpt2")
        try importGPT2(from: Self.fixture.path, to: out.path)

        let files = Set(try FileManager.default.contentsOfDirectory(atPath: out.path))
        #expect(files.isSuperset(of: ["config.json", "model.safetensors", "vocab.json", "merges.txt", "card.md"]))
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("config.json"))) as? [String: Any]
        #expect(config?["task"] as? String == "language-model")
        let tokenizerInfo = config?["tokenizer"] as? [String: Any]
        #expect(tokenizerInfo?["kind"] as? String == "gpt2-bpe")
        #expect(tokenizerInfo?["files"] as? [String] == ["vocab.json", "merges.txt"])
        #expect(try SafetensorsFile(path: out.appendingPathComponent("model.safetensors").path).names.contains("decoder.layers.1.self_attn.in_proj_weight"))
        #expect(try String(contentsOf: out.appendingPathComponent("card.md"), encoding: .utf8).contains("GPT-2"))

        let entry = try ZooRegistry(root: zoo).resolve("tiny-gpt2")
        let (model, tokenizer) = try entry.loadLanguageModel()
        let worst = try Self.worstLogitError(model)
        #expect(worst < 1e-4, "largest logit difference \(worst)")
        let g = try Self.expected().generations[0]
        #expect(tokenizer.encode(g.prompt) == g.promptIds)
        #expect(greedy(model, prompt: g.promptIds, newTokens: g.ids.count - g.promptIds.count) == g.ids)
        #expect(try ZooRegistry(root: zoo).entries().map(\.name) == ["tiny-gpt2"])

        // A second import does not overwrite unless asked to.
        let message = TrainingFixtures.errorMessage { try importGPT2(from: Self.fixture.path, to: out.path) }
        #expect(message == "\(out.path) exists; pass --force to replace it", "\(message)")
        try importGPT2(from: Self.fixture.path, to: out.path, overwrite: true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: zoo.path).filter { $0.contains(".tmp-") || $0.contains(".old-") }.isEmpty)
    }

    // MARK: - Bad checkpoints

    @Test func badCheckpointsGiveClearErrors() throws {
        let dir = try TrainingFixtures.temporaryDirectory("gpt2-import")
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixture.appendingPathComponent("config.json"))) as! [String: Any]
        func write(config changes: [String: Any?], weights: Bool = true) throws {
            let fm = FileManager.default
            for f in try fm.contentsOfDirectory(atPath: dir.path) { try fm.removeItem(at: dir.appendingPathComponent(f)) }
            var c = config
            for (k, v) in changes { c[k] = v }
            try JSONSerialization.data(withJSONObject: c).write(to: dir.appendingPathComponent("config.json"))
            for f in ["vocab.json", "merges.txt"] + (weights ? ["model.safetensors"] : []) {
                try fm.copyItem(at: Self.fixture.appendingPathComponent(f), to: dir.appendingPathComponent(f))
            }
        }
        let cases: [([String: Any?], Bool, String)] = [
            ([:], false, "model.safetensors: no such file"),
            (["n_embd": nil], true, "config.json: invalid GPT-2 config: missing \"n_embd\""),
            (["n_head": 5], true, "n_embd 32 is not a multiple of n_head 5"),
            (["activation_function": "swish"], true, "activation_function \"swish\" is not supported"),
            (["model_type": "llama"], true, "model_type is \"llama\""),
            (["n_embd": 64, "n_head": 4], true, "model.safetensors: invalid GPT-2 weights: transformer.wte.weight has shape [500, 32], expected [500, 64]"),
            (["n_layer": 3], true, "missing transformer.h.2.ln_1.weight"),
            (["n_layer": 1], true, "unexpected tensors transformer.h.1."),
            (["vocab_size": 400], true, "transformer.wte.weight has shape [500, 32], expected [400, 32]"),
            // The zoo's own limits, in the file's names, before anything is allocated.
            (["n_positions": 1_000_000_000], true,
             "config.json: invalid GPT-2 config: field 'n_positions': expected an integer in [1, 65536], found 1000000000"),
            (["n_layer": 5000], true, "config.json: invalid GPT-2 config: field 'n_layer': expected an integer in [0, 1024], found 5000"),
            // Within the limits, but more than the file holds: refused from the header, before the model is built.
            (["vocab_size": 4_000_000], true, "model.safetensors: invalid GPT-2 weights: transformer.wte.weight has shape [500, 32], expected [4000000, 32]"),
        ]
        for (changes, weights, expected) in cases {
            try write(config: changes, weights: weights)
            let message = TrainingFixtures.errorMessage { try GPT2Import.load(from: dir.path) }
            #expect(message.contains(expected), "\(changes): \(message)")
            #expect(message.hasPrefix(dir.path), "\(message)")
            #expect(!message.contains("\n"))
        }
        // A tokenizer bigger than the model's embedding table.
        try write(config: [:])
        var vocab = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("vocab.json"))) as! [String: Int]
        vocab["extra"] = 500
        try JSONSerialization.data(withJSONObject: vocab).write(to: dir.appendingPathComponent("vocab.json"))
        let message = TrainingFixtures.errorMessage { try GPT2Import.load(from: dir.path) }
        #expect(message.contains("vocab.json has 501 tokens but config.json's vocab_size is 500"), "\(message)")
    }

    /// A field of the wrong type or value is one line naming the file, the key and what is there.
    @Test func malformedConfigFieldsNameTheFileAndKey() throws {
        let dir = try TrainingFixtures.temporaryDirectory("gpt2-import")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("config.json").path
        let text = try String(contentsOf: Self.fixture.appendingPathComponent("config.json"), encoding: .utf8)
        let config = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        func message(_ changes: [String: Any]) throws -> String {
            try JSONSerialization.data(withJSONObject: config.merging(changes) { $1 }).write(to: URL(fileURLWithPath: path))
            return TrainingFixtures.errorMessage { try GPT2Import.config(contentsOf: path) }
        }
        let cases: [([String: Any], String)] = [
            (["n_embd": "32"], "\"n_embd\" must be a positive integer, found \"32\""),
            (["n_layer": 2.5], "\"n_layer\" must be a positive integer, found 2.5"),
            (["n_head": -4], "\"n_head\" must be a positive integer, found -4"),
            (["n_positions": NSNull()], "missing \"n_positions\""),
            (["layer_norm_epsilon": "small"], "\"layer_norm_epsilon\" must be a number, found \"small\""),
            (["tie_word_embeddings": "yes"], "\"tie_word_embeddings\" must be true or false, found \"yes\""),
            (["activation_function": ["gelu"]], "\"activation_function\" must be a string, found [\"gelu\"]"),
        ]
        for (changes, reason) in cases {
            #expect(try message(changes) == "\(path): invalid GPT-2 config: \(reason)")
        }
        try Data("[1, 2]".utf8).write(to: URL(fileURLWithPath: path))
        #expect(TrainingFixtures.errorMessage { try GPT2Import.config(contentsOf: path) } == "\(path): invalid GPT-2 config: not a JSON object")

        // Python writes some integers as floats: 32.0 is 32. Without n_positions, n_ctx is the context.
        try Data(text.replacingOccurrences(of: "\"n_embd\": 32,", with: "\"n_embd\": 32.0,").utf8).write(to: URL(fileURLWithPath: path))
        #expect(try GPT2Import.configuration(contentsOf: path).hiddenSize == 32)
        var old = config
        old["n_ctx"] = old.removeValue(forKey: "n_positions")
        try JSONSerialization.data(withJSONObject: old).write(to: URL(fileURLWithPath: path))
        #expect(try GPT2Import.config(contentsOf: path) == GPT2Import.config(contentsOf: Self.fixture.appendingPathComponent("config.json").path))
    }

    @Test func failedImportLeavesNothingBehind() throws {
        let zoo = try TrainingFixtures.temporaryDirectory("gpt2-import")
        defer { try? FileManager.default.removeItem(at: zoo) }
        let message = TrainingFixtures.errorMessage { try importGPT2(from: zoo.appendingPathComponent("nowhere").path, to: zoo.appendingPathComponent("x").path) }
        #expect(message.contains("config.json: no such file"), "\(message)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: zoo.path).isEmpty)
    }

    // MARK: - Helpers

    /// Prompt plus `newTokens` argmax tokens, decoded incrementally with the KV cache.
    private func greedy(_ model: GPT, prompt: [Int32], newTokens: Int) -> [Int32] {
        withoutGradients {
            let caches = model.makeCaches(capacity: prompt.count + newTokens)
            var ids = prompt
            var logits = model(prompt, shape: [1, prompt.count], offset: 0, caches: caches)
            for step in 0..<newTokens {
                let next = Int32(logits.argmax().last!)
                ids.append(next)
                if step + 1 < newTokens { logits = model([next], shape: [1, 1], offset: ids.count - 1, caches: caches) }
            }
            return ids
        }
    }
}
