import ArgumentParser
import Tasks

/// `zoo data`: extracts the shipped corpora from their Debian packages (shared/data/README.md).
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Extract a corpus from its Debian package into plain text files.",
        discussion: """
        Reads a SWORD Bible module with diatheke (packages diatheke and sword-text-*; `make data` \
        installs them) and writes one verse a line to train.txt, valid.txt and test.txt, with whole \
        books held out for validation (\(BibleCorpus.validationBooks.sorted().joined(separator: ", "))) \
        and test (\(BibleCorpus.testBooks.sorted().joined(separator: ", "))).

        Example:
          zoo data bible --module engKJV2006eb --out data/kjv
        """,
        subcommands: [Bible.self, FashionMNISTCommand.self]
    )

    struct Bible: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Extract a Bible translation, one verse a line.")

        @Option(help: "The SWORD module: engKJV2006eb (King James), engWEB2015eb (World English), spaRV1909eb (Reina-Valera).")
        var module: String = "engKJV2006eb"

        @Option(help: "Directory for train.txt, valid.txt and test.txt.")
        var out: String

        func run() throws {
            let counts = try BibleCorpus.export(module: module, to: out)
            print("\(module): \(counts.train) training, \(counts.validation) validation, \(counts.test) test verses in \(out)")
        }
    }
}
