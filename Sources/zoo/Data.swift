import ArgumentParser
import Tasks

/// `zoo data`: extracts the shipped corpora from their Debian packages (docs/data-sources.md).
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Extract a corpus from its Debian package into plain text files.",
        discussion: """
        Reads a SWORD Bible module with diatheke (packages diatheke and sword-text-*; `make data` \
        installs them) and writes one verse a line to train.txt, valid.txt and test.txt, with whole \
        books held out for validation (\(BibleCorpus.validationBooks.sorted().joined(separator: ", "))) \
        and test (\(BibleCorpus.testBooks.sorted().joined(separator: ", "))).

        Examples:
          zoo data bible --module engKJV2006eb --out data/kjv
          zoo data bible-parallel --out data/bible-en-es      # English (WEB) ↔ Spanish (RV 1909), aligned by verse
        """,
        subcommands: [Bible.self, BibleParallel.self, FashionMNISTCommand.self]
    )

    struct BibleParallel: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bible-parallel",
            abstract: "Extract two Bible translations aligned by verse: train/valid/test files per language.")

        @Option(help: "Source SWORD module.") var source: String = "engWEB2015eb"
        @Option(help: "Target SWORD module.") var target: String = "spaRV1909eb"
        @Option(help: "Source language code (file suffix).") var sourceLanguage: String = "en"
        @Option(help: "Target language code (file suffix).") var targetLanguage: String = "es"
        @Option(help: "Directory for train.SRC, train.TGT, valid.*, test.*.") var out: String

        func run() throws {
            let c = try BibleCorpus.exportParallel(source: source, target: target, sourceLanguage: sourceLanguage,
                                                   targetLanguage: targetLanguage, to: out)
            print("\(source) ↔ \(target): \(c.train) training, \(c.validation) validation, \(c.test) test verse pairs in \(out)")
        }
    }

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
