import Data
import Foundation
import Layers
import Models
import Recipes

extension ImageClassifier {
    /// Every layer's self-attention over the class token and the patches of one image, with the
    /// picture as the model saw it (converted and resized, before normalization) and the label.
    public func attentionMaps(_ image: Image, model name: String) -> AttentionMaps {
        let c = model.config, input = c.patchInput
        let columns = input.width / c.patchSize, rows = input.height / c.patchSize
        let seen = image.converted(toChannels: preprocessing.channels)
            .resized(width: preprocessing.width, height: preprocessing.height, antialias: preprocessing.antialias)
        var tokens = ["[CLS]"]
        for r in 0..<rows { for col in 0..<columns { tokens.append("patch \(r + 1),\(col + 1)") } }
        let best = top(1, of: [image])[0][0]
        return AttentionMaps(task: "image-classification", model: name,
                             sequences: ["patches": tokens],
                             sides: [.selfAttention: AttentionSides(queries: "patches", keys: "patches")],
                             maps: AttentionMap.maps(model.attentionWeights(preprocessing.batch([image]))),
                             output: "\(best.label) (\(String(format: "%.4f", best.probability)))",
                             picture: AttentionPicture(image: seen, columns: columns, rows: rows))
    }
}

extension ImageClassificationFamily {
    public func attention(_ entry: ZooEntry, _ request: AttentionRequest) throws -> AttentionMaps {
        let image = try Image(contentsOfFile: request.input)
        return try entry.loadImageClassifier().attentionMaps(image, model: entry.name)
    }
}
