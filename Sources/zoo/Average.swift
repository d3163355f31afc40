import ArgumentParser
import Foundation
import Tasks

/// `zoo average`: the element-wise mean of several checkpoints' weights.
struct Average: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "average",
        abstract: "Average the weights of several safetensors checkpoints (same tensor names and shapes).",
        discussion: """
        As fairseq's average_checkpoints.py and the paper's "average of the last 5 checkpoints". \
        A file already at --out is not replaced unless --force is given (refused before anything is \
        read). The output is written to a temporary file and renamed, so an old file is never \
        half-overwritten.

        Example:
          zoo average run/step-8000.safetensors run/step-9000.safetensors \\
            run/step-10000.safetensors --out averaged.safetensors
          zoo average .runs/bible-en-es/checkpoint-*.safetensors \\
            --out averaged.safetensors --force   # replace it
        """
    )

    @Argument(help: ArgumentHelp("The checkpoints to average.", valueName: "checkpoint"))
    var checkpoints: [String]

    @Option(help: ArgumentHelp("The averaged safetensors file to write.", valueName: "file"))
    var out: String

    @Flag(help: "Replace the file at --out if there is one.")
    var force = false

    func run() throws {
        try ProtectedOutput.check(URL(fileURLWithPath: out), force: force)
        let count = try CheckpointAveraging.average(checkpoints, to: out)
        print("averaged \(count) tensors over \(checkpoints.count) checkpoints into \(out)")
    }
}
