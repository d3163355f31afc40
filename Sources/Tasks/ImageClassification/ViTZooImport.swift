import Foundation
import Layers
import Models
import ModelZoo

/// `zoo import vit DIR --out Zoo/NAME`: a Hugging Face `ViTForImageClassification` directory as
/// a zoo entry, with its labels (id2label) and its image processor's size, mean and std
/// (`preprocessor_config.json`; without one, `ViTImageProcessor`'s defaults: the model's
/// image size, mean and std 0.5).
@discardableResult
public func importViT(from directory: String, to zooDirectory: String, overwrite: Bool = false) throws -> ZooEntry {
    let source = URL(fileURLWithPath: directory).standardizedFileURL
    let destination = URL(fileURLWithPath: zooDirectory).standardizedFileURL
    try ProtectedOutput.check(URL(fileURLWithPath: zooDirectory), force: overwrite)
    let model = try ViTImport.model(from: source.path)
    let c = model.config
    let preprocessing = try ViTImport.preprocessing(contentsOf: source.appendingPathComponent("preprocessor_config.json").path, for: c)
    let name = destination.lastPathComponent
    let training = ZooEntryConfig.TrainingInfo(recipe: nil, data: "huggingface-vit: \(source.path)", steps: 0, tokens: 0,
                                               wallSeconds: 0, parameters: model.parameterCount)
    let config = ZooEntryConfig(name: name, task: .imageClassification, model: c.encoder, tokenizer: .init(kind: "none", files: []),
                                metrics: [:], training: training, vision: c, image: preprocessing)
    var card = ModelCard(title: name, summary: """
        A Vision Transformer (Dosovitskiy et al. 2021) imported from a Hugging Face \
        `ViTForImageClassification` checkpoint with `zoo import vit`. The weights are the checkpoint's, \
        renamed (query, key and value packed into one projection); nothing was trained here, so no \
        metric was measured.
        """)
    card.facts = [
        ("task", "image-classification"),
        ("source", "`\(source.path)` (config.json, model.safetensors)"),
        ("input", "\(preprocessing.channels) channel(s), \(preprocessing.width)×\(preprocessing.height), mean \(preprocessing.mean), std \(preprocessing.std)"),
        ("model", "\(c.patchCount) patches of \(c.patchSize)×\(c.patchSize), d_model \(c.encoder.dModel), \(c.encoder.heads) heads, "
            + "\(c.encoder.encoderLayers) layers, ffn \(c.encoder.ffnDim); \(ModelCard.count(model.parameterCount)) parameters"),
        ("labels", c.labels.count <= 12 ? c.labels.joined(separator: ", ") : "\(c.labels.count) (\(c.labels.prefix(5).joined(separator: ", ")), …)"),
    ]
    card.usage = ["zoo classify --model \(name) image.ppm --top 5"]
    let export = ZooExport(config: config, weights: model.namedTensors.map { ($0.name, $0.tensor) }, tokenizerFiles: [],
                           card: card.markdown)
    return try ZooRegistry.export(export, to: destination)
}
