import ArgumentParser
import Foundation
import Tasks

/// `zoo import KIND DIR --out Zoo/NAME`: a checkpoint from another framework as a zoo entry.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import a pretrained checkpoint from another framework as a zoo entry.",
        subcommands: [ImportGPT2.self]
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
