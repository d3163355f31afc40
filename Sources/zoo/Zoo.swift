import ArgumentParser
import Tasks

/// The `zoo` command: a thin front over the libraries; each subcommand lives in its own file.
@main
struct Zoo: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "zoo",
        abstract: "A Transformer model zoo on a Swift tensor library.",
        version: "\(version) (commit \(BuildCommit.commit))",
        subcommands: [Run.self, Generate.self, List.self, Finetune.self, TokenizerCommand.self, Import.self, DataCommand.self, Bench.self, Demo.self, BLEUCommand.self, EVALBCommand.self, Average.self, Quantize.self, Translate.self, Parse.self, Classify.self, AttentionCommand.self, Eval.self, Show.self]
    )

    /// Registers the shipped task families, then runs the command line; a failure is one line
    /// (`ErrorLine`).
    static func main() {
        TaskCatalog.registerShipped()
        var arguments = Array(CommandLine.arguments.dropFirst())
        do {
            try ErrorLine.checkArgumentsAreUTF8()
            var command: ParsableCommand
            do { command = try parseAsRoot(arguments) } catch where exitCode(for: error) == .validationFailure {
                let joined = ErrorLine.negativeValuesJoined(arguments)
                guard joined != arguments else { throw error }
                arguments = joined
                command = try parseAsRoot(arguments)
            }
            try command.run()
            DataParallel.leave()
        } catch {
            if DataParallel.world.size > 1 { ErrorLine.exitJob(error, arguments: arguments) }
            ErrorLine.exit(error, arguments: arguments)
        }
    }
}
