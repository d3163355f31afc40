import ArgumentParser
import Foundation
import Tasks

/// `zoo classify --model M IMAGE|DIR|-... [--top K] [--json]`: the most likely labels of each image.
struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify PPM/PGM images with an image-classification model of the zoo.",
        discussion: """
            Prints IMAGE<TAB>LABEL<TAB>PROBABILITY for the K most likely labels of each image, most \
            likely first (probabilities with 4 decimals). A directory stands for every .ppm, .pgm \
            and .pnm file under it, searched recursively and taken in order of path; - reads one \
            path a line from standard input. With --json, prints one object per image: input (the \
            file), label and probability (the most likely) and top (the K most likely, as label and \
            probability). Images are converted to the model's channels and size as in training \
            and classified in batches. An unreadable image gets one line `Error: …` on stderr \
            naming the file and the problem; the others are still classified, and the exit status \
            is then 1.

            Examples:
              zoo data fashion-mnist --split test --out /tmp/fm --limit 10
              zoo classify --model vit-fashion-mnist /tmp/fm/Trouser/*.pgm --top 3
              zoo classify --model vit-fashion-mnist /tmp/fm --json
              find /tmp/fm -name '*.pgm' | zoo classify --model vit-fashion-mnist -
            """
    )

    @Option(help: "A zoo model name (see `zoo list`) or a model directory.")
    var model: String

    @OptionGroup var zoo: ZooOption

    @Argument(help: "PPM or PGM image files (P2, P3, P5, P6), directories of them, or - for paths on standard input.")
    var images: [String]

    @Option(help: "Labels to print per image.")
    var top = 1

    @Option(help: "Images per forward pass.")
    var batchSize = 64

    @Flag(help: "One JSON object per image (input, label, probability, top) instead of tab-separated lines.")
    var json = false

    /// The file extensions a directory is searched for.
    static let imageExtensions: Set = ["ppm", "pgm", "pnm"]

    func validate() throws {
        if images.isEmpty { throw ValidationError("give at least one image file, a directory or -") }
        if images.filter({ $0 == "-" }).count > 1 { throw ValidationError("give - (paths on standard input) once") }
        if top < 1 { throw ValidationError("--top must be at least 1, not \(top)") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1, not \(batchSize)") }
    }

    func run() throws {
        let images = try Self.expand(self.images)
        var classifier = try zoo.resolve(model).loadImageClassifier()
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
                if json {
                    let choices = best.map { JSONLine.Choice(label: $0.0, probability: JSONLine.number($0.1)) }
                    JSONLine(input: path, label: choices[0].label, probability: choices[0].probability, top: choices).print()
                } else {
                    for (label, p) in best { print("\(path)\t\(label)\t\(String(format: "%.4f", p))") }
                }
            }
        }
        if failed { throw ExitCode(1) }
    }

    /// The image files `arguments` name: files as given, each directory's images recursively in
    /// order of path, and for "-" the paths standard input lists (blank lines skipped).
    static func expand(_ arguments: [String]) throws -> [String] {
        var files: [String] = []
        for argument in arguments {
            if argument == "-" {
                var input = TextInput.StandardInput()
                files += try input.readAll().filter { !$0.allSatisfy(\.isWhitespace) }
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory), isDirectory.boolValue else {
                files.append(argument)  // a missing file is reported with the others, by the decoder
                continue
            }
            guard let walker = FileManager.default.enumerator(atPath: argument) else {
                throw CommandError("cannot read \(argument): not a readable directory")
            }
            let base = argument.hasSuffix("/") ? String(argument.dropLast()) : argument
            let found = walker.compactMap { $0 as? String }
                .filter { imageExtensions.contains(($0 as NSString).pathExtension.lowercased()) }
                .map { base + "/" + $0 }
                .sorted()
            if found.isEmpty { throw CommandError("\(argument): no .ppm, .pgm or .pnm images in the directory") }
            files += found
        }
        return files
    }
}
