import Foundation
import Layers
import Tensors
import Testing

/// A fixture written by Tests/Fixtures/make_torch_fixtures.py: parameters, inputs, the output and
/// the gradients of loss = Σ output ⊙ R, computed by PyTorch.
struct TorchFixture {
    let file: SafetensorsFile
    let config: [String: Any]

    /// `name`.safetensors in Tests/Fixtures/`directory`.
    init(_ name: String, directory: String = "torch") throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/" + directory)
        file = try SafetensorsFile(path: dir.appendingPathComponent(name + ".safetensors").path)
        let json = file.metadata["config"] ?? "{}"
        config = (try JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
    }

    func tensor(_ name: String, requiresGrad: Bool = false) throws -> Tensor {
        let t = try file.tensor(name)
        t.requiresGrad = requiresGrad
        return t
    }

    /// Every `param.*` tensor, prefix removed.
    func parameters(under prefix: String = "") throws -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for name in file.names where name.hasPrefix("param." + prefix) {
            out[String(name.dropFirst(("param." + prefix).count))] = try file.tensor(name)
        }
        return out
    }

    func int(_ key: String) -> Int { (config[key] as? NSNumber)?.intValue ?? 0 }
    func bool(_ key: String) -> Bool { (config[key] as? NSNumber)?.boolValue ?? false }

    /// Padding flags [B·T] from valid lengths stored under `key`.
    func padding(_ key: String, length: Int) -> [Bool]? {
        guard let lengths = config[key] as? [NSNumber] else { return nil }
        return lengths.flatMap { len in (0..<length).map { $0 >= len.intValue } }
    }

    /// Our config for the module the fixture describes, dropout off.
    var transformerConfig: TransformerConfig {
        TransformerConfig(dModel: int("d_model"), heads: int("nhead"), ffnDim: int("dim_feedforward"),
                          encoderLayers: max(int("num_encoder_layers"), 1), decoderLayers: max(int("num_decoder_layers"), 1),
                          vocabSize: 1, maxLength: 16, dropout: 0,
                          activation: (config["activation"] as? String) == "gelu" ? .gelu : .relu,
                          normFirst: bool("norm_first"), finalNorm: bool("final_norm"),
                          layerNormEps: (config["layer_norm_eps"] as? NSNumber)?.floatValue ?? 1e-5)
    }
}

/// Asserts `actual` equals `expected` elementwise to `rtol` relative (atol scaled by the tensor's magnitude).
func expectClose(_ actual: Tensor?, _ expected: Tensor, rtol: Float = 1e-4, _ what: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    guard let actual else {
        Issue.record("\(what): missing", sourceLocation: sourceLocation)
        return
    }
    #expect(actual.count == expected.count, "\(what): \(actual.shape) vs \(expected.shape)", sourceLocation: sourceLocation)
    guard actual.count == expected.count else { return }
    let a = actual.scalars, e = expected.scalars
    let scale = e.map(abs).max() ?? 0
    var worst: Float = 0, worstIndex = 0
    for i in e.indices {
        let excess = abs(a[i] - e[i]) - rtol * (abs(e[i]) + 0.01 * scale)
        if excess > worst { worst = excess; worstIndex = i }
    }
    #expect(worst <= 0, "\(what): element \(worstIndex) is \(a[worstIndex]), PyTorch has \(e[worstIndex])",
            sourceLocation: sourceLocation)
}
