import ArgumentParser
import Foundation
import Tasks

/// `zoo classify --model M IMAGE... [--top K]`: the most likely labels of each image.
struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify PPM/PGM images with an image-classification model of the zoo.",
        discussion: """
            Prints IMAGE<TAB>LABEL<TAB>PROBABILITY for the K most likely labels of each image, most \
            likely first (probabilities with 4 decimals). Images are converted to the model's \
            channels and size as in training and classified in batches. An unreadable image gets \
            one line `Error: …` on stderr naming the file and the problem; the others are still \
            classified, and the exit status is then 1.

            Example:
              zoo data fashion-mnist --split test --out /tmp/fm --limit 10
              zoo classify --model vit-fashion-mnist /tmp/fm/Trouser/*.pgm --top 3
            """
    )

    @Option(help: "A zoo model name (see `zoo list`) or a model directory.")
    var model: String

    @Argument(help: "PPM or PGM image files (P2, P3, P5, P6).")
    var images: [String]

    @Option(help: "Labels to print per image.")
    var top = 1

    @Option(help: "Images per forward pass.")
    var batchSize = 64

    func validate() throws {
        if images.isEmpty { throw ValidationError("give at least one image file") }
        if top < 1 { throw ValidationError("--top must be at least 1, not \(top)") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1, not \(batchSize)") }
    }

    func run() throws {
        var classifier = try ZooRegistry().resolve(model).loadImageClassifier()
        classifier.batchSize = batchSize
        var failed = false
        // Decode a batch, classify the readable images, print, move on: memory stays one batch.
        for start in stride(from: 0, to: images.count, by: batchSize) {
            var paths: [String] = [], decoded: [Image] = []
            for path in images[start..<min(images.count, start + batchSize)] {
                do {
                    decoded.append(try Image(contentsOfFile: path))
                    paths.append(path)
                } catch {
                    failed = true
                    FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
                }
            }
            for (path, best) in zip(paths, classifier.top(min(top, classifier.labels.count), of: decoded)) {
                for (label, p) in best { print("\(path)\t\(label)\t\(String(format: "%.4f", p))") }
            }
        }
        if failed { throw ExitCode(1) }
    }
}
