import ArgumentParser
import Foundation
import Tasks

/// `zoo finetune --model M --data FILE --out DIR`: continues training a zoo language model on new text.
struct Finetune: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fine-tune a zoo language model on a text file and save it as a new zoo entry.",
        discussion: """
            Starts from the model's weights and keeps its tokenizer. FILE is UTF-8 text, one document \
            a line; its last 10% of lines is held out to measure validation loss and perplexity, \
            before and after (both go into the new entry's card). AdamW with warm-up over the first \
            10% of steps and cosine decay to a tenth of --lr.

            An entry already at --out is not replaced unless --force is given, and never when it is \
            the model being fine-tuned; both are refused before training starts.

            Example:
              zoo finetune --model gpt-kjv --data my.txt --steps 500 --out Zoo/my-gpt
              zoo generate --model Zoo/my-gpt --prompt "Once upon a time"
              zoo finetune --model gpt-kjv --data more.txt --steps 500 \\
                --out Zoo/my-gpt --force   # replace Zoo/my-gpt
            """
    )

    @Option(help: "The pretrained model: a zoo name or an entry directory.")
    var model: String

    @OptionGroup var zoo: ZooOption

    @Option(help: "The text to fine-tune on (UTF-8, one document a line).")
    var data: String

    @Option(help: "Optimizer steps.")
    var steps = 500

    @Option(help: "Peak learning rate.")
    var lr: Float = 1e-4

    @Option(help: "Tokens per step (default: 16 context windows, at most 8192).")
    var batchTokens: Int?

    @Option(help: "Seed of the data order and dropout.")
    var seed: UInt64 = 0

    @Option(help: "The new zoo entry's directory, e.g. Zoo/my-gpt.")
    var out: String

    @Option(help: "The directory for the log, the loss plot and checkpoints (default: .runs/finetune-<name>).")
    var work: String?

    @Flag(help: "Continue from the last checkpoint in the work directory.")
    var resume = false

    @Flag(help: "Replace the zoo entry at --out if there is one (never the model being fine-tuned).")
    var force = false

    func validate() throws {
        if steps < 1 { throw ValidationError("--steps must be at least 1 (got \(steps))") }
        if !(lr > 0) || !lr.isFinite { throw ValidationError("--lr must be a positive number (got \(lr))") }
        if let batchTokens, batchTokens < 1 { throw ValidationError("--batch-tokens must be at least 1 (got \(batchTokens))") }
    }

    func run() throws {
        try DataParallel.join()
        let base = try zoo.resolve(model)
        var job = FineTuning(base: base, data: data, output: URL(fileURLWithPath: out))
        job.steps = steps
        job.learningRate = lr
        job.batchTokens = batchTokens
        job.seed = seed
        job.workDirectory = work.map { URL(fileURLWithPath: $0) }
        job.resume = resume
        job.force = force
        let result = try job.run()
        guard DataParallel.world.isPrimary else { return }
        func show(_ m: [String: Double]) -> String {
            TrainingLog.metricLine(m)
        }
        print("\(out): \(show(result.after)) (before fine-tuning: \(show(result.before))) after \(result.summary.steps) steps")
    }
}
