import ArgumentParser
import Foundation
import Tasks

/// `zoo generate`: continues prompts with a zoo language model, streaming text as it comes.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate text from a prompt with a language model of the zoo.",
        discussion: """
        Greedy when --temperature is 0; otherwise samples, after top-k then top-p filtering. \
        With --prompts-file, every line is a prompt and the prompts are generated as one batch \
        (outputs are printed in order when all are done).

        Examples:
          zoo generate --model gpt-kjv --prompt "In the beginning" --max-tokens 100 --top-p 0.9
          zoo generate --model Zoo/gpt-kjv --prompts-file prompts.txt --temperature 0
        """
    )

    @Option(help: "A zoo model name (see `zoo list`) or a model directory.")
    var model: String

    @Option(help: "The text to continue.")
    var prompt: String?

    @Option(help: "A file with one prompt per line (generated as a batch).")
    var promptsFile: String?

    @Option(help: "Tokens to generate at most.")
    var maxTokens: Int = 100

    @Option(help: "Sampling temperature; 0 is greedy.")
    var temperature: Float = 0.8

    @Option(help: "Sample only from the K most likely tokens.")
    var topK: Int?

    @Option(help: "Sample only from the most likely tokens that together reach this probability.")
    var topP: Float?

    @Option(help: "Seed of the sampler.")
    var seed: UInt64 = 0

    @Option(help: "Stop when the text contains this string (may be repeated).")
    var stop: [String] = []

    @Flag(help: "Print tokens per second on stderr.")
    var verbose = false

    func validate() throws {
        if (prompt == nil) == (promptsFile == nil) { throw ValidationError("give exactly one of --prompt and --prompts-file") }
        if maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1") }
        if temperature < 0 { throw ValidationError("--temperature must not be negative") }
        if let k = topK, k < 1 { throw ValidationError("--top-k must be at least 1") }
        if let p = topP, !(p > 0 && p <= 1) { throw ValidationError("--top-p must be in (0, 1]") }
    }

    func run() throws {
        let prompts: [String]
        if let promptsFile {
            guard let text = try? String(contentsOfFile: promptsFile, encoding: .utf8) else {
                throw ValidationError("\(promptsFile): cannot read the prompts file")
            }
            prompts = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            if prompts.isEmpty { throw ValidationError("\(promptsFile): no prompts in the file") }
        } else {
            prompts = [prompt!]
        }
        let entry = try ZooRegistry().resolve(model)
        let (lm, tokenizer) = try entry.loadLanguageModel()
        let generator = TextGenerator(model: lm, tokenizer: tokenizer)
        var options = TextGenerator.Options(maxTokens: maxTokens, sampling: SamplingOptions(temperature: temperature, topK: topK, topP: topP),
                                            seed: seed, stop: stop)
        options.stopAtEndOfText = true
        let start = Date()
        let streaming = prompts.count == 1
        if streaming { print(prompts[0], terminator: ""); fflush(stdout) }
        let results = generator.generate(prompts, options: options) { _, piece in
            guard streaming else { return }
            print(piece, terminator: "")
            fflush(stdout)
        }
        if streaming {
            print()
        } else {
            for (p, r) in zip(prompts, results) { print(p + r.text) }
        }
        if verbose {
            let tokens = results.reduce(0) { $0 + $1.ids.count }
            let seconds = Date().timeIntervalSince(start)
            FileHandle.standardError.write(Data(String(format: "%d tokens in %.2f s: %.1f tokens/s\n", tokens, seconds, Double(tokens) / seconds).utf8))
        }
    }
}
