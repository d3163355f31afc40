import ArgumentParser
import Tasks

/// The `zoo` command: a thin front over the libraries; each subcommand lives in its own file.
@main
struct Zoo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zoo",
        abstract: "A Transformer model zoo on a Swift tensor library.",
        version: "0.1.0",
        subcommands: [Run.self, Generate.self, List.self, Finetune.self, TokenizerCommand.self, Import.self, DataCommand.self, Bench.self, Demo.self, BLEUCommand.self, EVALBCommand.self, Average.self, Translate.self, Parse.self, Classify.self, Eval.self]
    )

    /// Registers the shipped task families, then runs the command line.
    static func main() {
        TaskCatalog.registerShipped()
        main(nil)
    }
}
