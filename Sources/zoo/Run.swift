import ArgumentParser
import Foundation
import Tasks

/// `zoo run RECIPE`: trains a task recipe end to end and exports the model to the zoo.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a task recipe end to end: data, tokenizer, model, evaluation, export to the zoo.",
        discussion: """
            The recipe (YAML) names the task, data, tokenizer, model, training, evaluation and \
            export; see Recipes/ for examples. A missing SentencePiece tokenizer is trained and \
            saved where the recipe says. Progress goes to stderr (a bar on a terminal); the JSON-lines \
            log train.jsonl, the training curve loss.svg and checkpoint.safetensors go to the work \
            directory. After the last step the model is evaluated and written to the zoo with its card.

            --resume continues from the work directory's last checkpoint exactly as if the run had \
            never stopped (same batches, dropout masks and losses), given the same recipe and --steps. \
            The inverse-sqrt schedule does not depend on the run's length, so with it a finished run \
            resumed with more steps is exactly the longer run. \
            --stop-after N checkpoints and stops after step N without exporting (a time-boxed run).

            Started by Open MPI's mpirun, the run trains data-parallel: every process takes its share \
            of each step's batch (the recipe's batch is the global one), the gradients are summed \
            across the processes, and process 0 alone shows progress and writes the log, checkpoints \
            and the zoo entry. Each process uses the cores mpirun binds it to (ZOO_THREADS overrides).

            An entry already at the output (a shipped model, a previous run) is not replaced unless \
            --force is given; the run refuses before it starts. The new entry is written beside the \
            old one and swapped in only when complete, so an interrupted export leaves the old whole.

            Example:
              zoo run Recipes/gpt-kjv.yaml --steps 200 --out Zoo/gpt-kjv-short
              zoo run Recipes/gpt-kjv.yaml --force   # retrain, replacing Zoo/gpt-kjv
              zoo run Recipes/gpt-kjv.yaml --force --resume
              mpirun -np 2 zoo run Recipes/gpt-kjv.yaml --force   # 2 processes
              mpirun -np 8 --hostfile hosts zoo run Recipes/gpt-kjv.yaml --force
            """
    )

    @Argument(help: "The recipe file (YAML).")
    var recipe: String

    @Option(help: "Train for N optimizer steps instead of the recipe's (the schedule follows).")
    var steps: Int?

    @Option(help: "The zoo entry to write (default: Zoo/<the recipe's export name>).")
    var out: String?

    @Option(help: "The directory for the log, the loss plot and checkpoints (default: .runs/<recipe name>).")
    var work: String?

    @Flag(help: "Continue from the last checkpoint in the work directory.")
    var resume = false

    @Flag(help: "Replace the zoo entry at the output if there is one.")
    var force = false

    @Option(help: "Checkpoint and stop after step N, without exporting (continue later with --resume).")
    var stopAfter: Int?

    func validate() throws {
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1 (got \(steps))") }
        if let stopAfter, stopAfter < 1 { throw ValidationError("--stop-after must be at least 1 (got \(stopAfter))") }
    }

    func run() throws {
        try DataParallel.join()
        let recipe = try RecipeLoader.load(path: self.recipe)
        var options = RecipeRun.Options(steps: steps, output: out.map { URL(fileURLWithPath: $0) },
                                        workDirectory: work.map { URL(fileURLWithPath: $0) }, resume: resume, force: force)
        options.stopAfter = stopAfter
        let result = try RecipeRun.run(recipe, options: options)
        guard DataParallel.world.isPrimary else { return }
        let s = result.summary
        let metrics = TrainingLog.metricLine(s.validation)
        let place = result.entry.map { $0.directory.relativePath } ?? result.workDirectory.relativePath
        print("\(place): \(metrics.isEmpty ? "no validation metrics" : metrics) after \(s.steps) steps, "
              + "\(s.tokens) tokens, \(ProgressBar.duration(s.wallSeconds))")
    }
}
