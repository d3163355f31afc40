import ArgumentParser
import Foundation
import Tasks

/// `zoo import KIND DIR --out Zoo/NAME`: a checkpoint from another framework as a zoo entry.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import a pretrained checkpoint from another framework as a zoo entry.",
        discussion: """
            Examples:
              zoo import gpt2 ~/models/gpt2 --out Zoo/gpt2
              zoo import vit ~/models/vit-base-patch16-224 --out Zoo/vit-base
            """,
        subcommands: [ImportGPT2.self, ImportViT.self]
    )
}

/// `zoo import gpt2 DIR --out Zoo/NAME`.
struct ImportGPT2: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpt2",
        abstract: "Import a Hugging Face GPT-2 checkpoint directory.",
        discussion: """
            DIR holds config.json, model.safetensors, vocab.json and merges.txt, as a GPT-2 model \
            repository on the Hugging Face hub does (or `save_pretrained(DIR, safe_serialization=True)` \
            plus the tokenizer's files). The entry gets our config.json, the weights in our names, \
            the tokenizer files and a card, and is listed in the zoo's index.

            Example:
              zoo import gpt2 ~/models/gpt2 --out Zoo/gpt2
              zoo generate --model gpt2 --prompt "Hello, I'm a language model,"
            """
    )

    @Argument(help: "The Hugging Face GPT-2 directory.")
    var directory: String

    @Option(help: "The zoo entry to write, e.g. Zoo/gpt2.")
    var out: String

    @Flag(help: "Replace the entry at --out if there is one.")
    var force = false

    func run() throws {
        let entry = try importGPT2(from: directory, to: out, overwrite: force)
        let c = entry.config.model
        print("imported \(entry.name) into \(out): \(c.decoderLayers) layers, d_model \(c.dModel), \(c.heads) heads, "
              + "context \(c.maxLength), vocabulary \(c.vocabSize), \(entry.config.training.parameters) parameters")
    }
}

/// `zoo import vit DIR --out Zoo/NAME`.
struct ImportViT: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vit",
        abstract: "Import a Hugging Face ViTForImageClassification checkpoint directory.",
        discussion: """
            DIR holds config.json and model.safetensors (and optionally preprocessor_config.json), \
            as `ViTForImageClassification.save_pretrained(DIR, safe_serialization=True)` writes. \
            The entry's labels are config.json's id2label; its preprocessing (size, mean, std) is \
            the image processor's. The entry is listed in the zoo's index.

            Example:
              zoo import vit ~/models/vit-base-patch16-224 --out Zoo/vit-base
              zoo classify --model vit-base cat.ppm --top 5
            """
    )

    @Argument(help: "The Hugging Face ViT directory.")
    var directory: String

    @Option(help: "The zoo entry to write, e.g. Zoo/vit-base.")
    var out: String

    @Flag(help: "Replace the entry at --out if there is one.")
    var force = false

    func run() throws {
        let entry = try importViT(from: directory, to: out, overwrite: force)
        let v = entry.config.vision!, e = v.encoder
        print("imported \(entry.name) into \(out): \(v.imageWidth)×\(v.imageHeight)×\(v.channels), patch \(v.patchSize), "
              + "\(e.encoderLayers) layers, d_model \(e.dModel), \(e.heads) heads, \(v.labels.count) labels, "
              + "\(entry.config.training.parameters) parameters")
    }
}
