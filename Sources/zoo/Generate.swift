import ArgumentParser
import Foundation
import Tasks

/// `zoo generate`: continues prompts with a zoo language model, streaming text as it comes.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate text from a prompt with a language model of the zoo.",
        discussion: """
        Greedy when --temperature is 0; otherwise samples, after top-k then top-p filtering. \
        A continuation ends at the model's end-of-text token (unless --no-stop-at-eos), at a \
        --stop string, after \
        --max-tokens new tokens, or when prompt and continuation fill the model's context (there is \
        no sliding window; a note on stderr says so when --max-tokens asks for more). A prompt \
        longer than the context is generated from its end, with a note. With --prompts-file, \
        every line is a prompt and the prompts are generated as one batch; outputs are printed \
        in order when all are done, one line per line: a blank line gives a blank line and a \
        continuation stops at a newline. With neither --prompt nor --prompts-file, prompts are \
        read from standard input the same way, one a line, unless it is a terminal. With --json, \
        prints one object per prompt line when all are done: input (the prompt), output (the \
        continuation alone) and ids (the continuation's token ids). Prompts must be UTF-8: invalid UTF-8 is an error \
        naming the file (or "stdin", or the argument) and the line.

        Examples:
          zoo generate --model gpt-kjv --prompt "In the beginning" --max-tokens 100
          zoo generate --model gpt-kjv --prompt "And God said" --top-p 0.9 --seed 7
          zoo generate --model Zoo/gpt-kjv --prompts-file prompts.txt --temperature 0
          cat prompts.txt | zoo generate --model gpt-kjv --temperature 0
          zoo generate --model gpt-kjv --temperature 0 --json < prompts.txt \\
            | jq -r .output
        """
    )

    @Option(help: "A zoo model name (see `zoo list`) or a model directory.")
    var model: String

    @OptionGroup var zoo: ZooOption

    @Option(help: "The text to continue.")
    var prompt: String?

    @Option(help: "A file with one prompt per line, - for standard input (generated as a batch).")
    var promptsFile: String?

    @Option(help: "Tokens to generate at most (fewer when the model's context is full).")
    var maxTokens: Int = 100

    @Option(help: "Sampling temperature; 0 is greedy.")
    var temperature: Float = 0.8

    @Option(help: "Sample only from the K most likely tokens.")
    var topK: Int?

    @Option(help: "Sample only from the most likely tokens that together reach this probability, in (0, 1].")
    var topP: Float?

    @Option(help: "Seed of the sampler.")
    var seed: UInt64 = 0

    @Option(help: "Stop when the text contains this string (may be repeated).")
    var stop: [String] = []

    @Flag(inversion: .prefixedNo,
          help: "End a continuation at the model's end-of-text token (the default: the zoo's language models learn it at the end of each document or verse); with --no-stop-at-eos, generation goes on past it.")
    var stopAtEos = true

    @Flag(help: "One JSON object per prompt line (input, output, ids) instead of the text.")
    var json = false

    @Flag(help: "Print tokens per second on stderr.")
    var verbose = false

    func validate() throws {
        if prompt != nil && promptsFile != nil { throw ValidationError("give one of --prompt and --prompts-file, not both") }
        if prompt == nil && promptsFile == nil && isatty(STDIN_FILENO) != 0 {
            throw ValidationError("give --prompt TEXT or --prompts-file FILE, or prompts on standard input, one a line")
        }
        if maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1, not \(maxTokens)") }
        if !(temperature >= 0 && temperature.isFinite) { throw ValidationError("--temperature must be a finite number, 0 or more, not \(temperature)") }
        if let k = topK, k < 1 { throw ValidationError("--top-k must be at least 1, not \(k)") }
        if let p = topP, !(p > 0 && p <= 1) { throw ValidationError("--top-p must be in (0, 1], not \(p)") }
    }

    func run() throws {
        // Blank lines of a prompts file are not generated from: they stay blank in the output.
        let prompts: [String?]
        // No prompt given and standard input is no terminal (checked in validate): it holds the prompts.
        if let promptsFile = promptsFile ?? (prompt == nil ? "-" : nil) {
            prompts = try TextInput.lines(ofFile: promptsFile).map { $0.allSatisfy(\.isWhitespace) ? nil : $0 }
            if !prompts.contains(where: { $0 != nil }) { throw CommandError("\(promptsFile == "-" ? TextInput.standardInputName : promptsFile): no prompts in the file") }
        } else {
            prompts = [prompt!]
        }
        let given = prompts.compactMap { $0 }
        let entry = try zoo.resolve(model)
        let (lm, tokenizer) = try entry.loadLanguageModel()
        let generator = TextGenerator(model: lm, tokenizer: tokenizer)
        noteTheContext(promptLengths: given.map { generator.promptIds($0).count }, context: lm.config.maxLength)
        let streaming = prompt != nil && !json
        var options = TextGenerator.Options(maxTokens: maxTokens, sampling: SamplingOptions(temperature: temperature, topK: topK, topP: topP),
                                            seed: seed, stop: prompt != nil ? stop : stop + ["\n"])
        options.stopAtEndOfText = stopAtEos
        let start = Date()
        if streaming { print(given[0], terminator: ""); fflush(stdout) }
        let results = generator.generate(given, options: options) { _, piece in
            guard streaming else { return }
            print(piece, terminator: "")
            fflush(stdout)
        }
        if streaming {
            print()
        } else {
            var next = results.makeIterator()
            for p in prompts {
                let result = p.map { _ in next.next()! }
                if json {
                    JSONLine(input: p ?? "", output: result?.text ?? "", ids: result?.ids.map(Int.init) ?? []).print()
                } else {
                    print(p.map { $0 + result!.text } ?? "")
                }
            }
        }
        if verbose {
            let tokens = results.reduce(0) { $0 + $1.ids.count }
            let seconds = Date().timeIntervalSince(start)
            FileHandle.standardError.write(Data(String(format: "%d tokens in %.2f s: %.1f tokens/s\n", tokens, seconds, Double(tokens) / seconds).utf8))
        }
    }

    /// One note on stderr when the context cuts a prompt or --max-tokens short: the output is
    /// then not what was asked for, and nothing else would say so.
    func noteTheContext(promptLengths: [Int], context: Int) {
        let longest = promptLengths.max() ?? 0
        let (kept, steps) = TextGenerator.budget(promptLengths: promptLengths, maxTokens: maxTokens, context: context)
        let prompt = promptLengths.count == 1 ? "the prompt" : "the longest prompt"
        func tokens(_ n: Int) -> String { n == 1 ? "1 token" : "\(n) tokens" }
        let stops = steps < maxTokens ? ", so generation stops after \(tokens(steps)), not \(maxTokens) (--max-tokens)" : ""
        if kept < longest {
            fputs("note: \(prompt) has \(tokens(longest)) and the model's context is \(context): it is continued from its last \(kept)\(stops)\n", stderr)
        } else if steps < maxTokens {
            fputs("note: the model's context is \(context) tokens and \(prompt) takes \(kept)\(stops)\n", stderr)
        }
    }
}
