import ArgumentParser
import Tasks

/// The held-out data and decoding settings of `zoo eval`, which `zoo quantize` takes too to
/// measure both models the same way.
struct HeldOutOptions: ParsableArguments {
    @Option(help: "Image classification: a folder of class folders, or fashion-mnist-test. Language model: a text file. Parsing: gold trees.")
    var data: String?

    @Option(help: "Translation: the source sentences, one a line.")
    var src: String?

    @Option(help: "Translation: the reference translations, one a line (repeat for several references).")
    var ref: [String] = []

    @Option(help: "Translation: beam size K (1 decodes greedily).")
    var beam = 4

    @Option(name: .customLong("length-penalty"), help: "Translation: length penalty α (Wu et al. 2016).")
    var lengthPenalty = 0.6

    @Option(help: "Images (or sentences) per forward pass.")
    var batchSize = 64

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1, not \(batchSize)") }
        if beam < 1 { throw ValidationError("--beam must be at least 1, not \(beam)") }
        if !(lengthPenalty >= 0 && lengthPenalty.isFinite) { throw ValidationError("--length-penalty must be a finite number, 0 or more, not \(lengthPenalty)") }
    }

    /// The data as the task families read it: --data, or --src for translation.
    var input: String? { data ?? src }

    var request: EvaluationRequest {
        var request = EvaluationRequest()
        request.data = data
        request.source = src
        request.references = ref
        request.beam = beam
        request.lengthPenalty = lengthPenalty
        request.batchSize = batchSize
        return request
    }
}
