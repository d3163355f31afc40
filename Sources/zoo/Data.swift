import ArgumentParser
import Foundation
import Tasks

/// `zoo data`: extracts the shipped corpora from their Debian packages, and the CRAFT treebank and
/// the Penn Treebank's WSJ sections from copies the user has (docs/data-sources.md).
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Extract a corpus (a Debian package's, a CRAFT release or Penn Treebank-3) into plain text files.",
        discussion: """
        Reads a SWORD Bible module with diatheke (packages diatheke and sword-text-*; `make data` \
        installs them) and writes one verse a line to train.txt, valid.txt and test.txt, with whole \
        books held out for validation (\(BibleCorpus.validationBooks.sorted().joined(separator: ", "))) \
        and test (\(BibleCorpus.testBooks.sorted().joined(separator: ", "))).

        Examples:
          zoo data bible --module engKJV2006eb --out data/kjv
          zoo data bible-parallel --out data/bible-en-es      # English ↔ Spanish
          zoo data bible-parallel --out data/bible-en-es --check   # what changes
          zoo data craft --from CRAFT-5.0.2 --out data/craft  # CRAFT's trees
          zoo data wsj --from treebank_3 --out data/wsj       # WSJ 02–21, 22, 23
        """,
        subcommands: [Bible.self, BibleParallel.self, CRAFTCommand.self, WSJCommand.self, FashionMNISTCommand.self]
    )

    struct CRAFTCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "craft",
            abstract: "Normalize the CRAFT treebank into train.txt, dev.txt and test.txt, one tree a line.",
            discussion: """
            Reads the CRAFT corpus's Penn Treebank trees (97 biomedical articles, 30,830 sentences; \
            CC BY 3.0: cite Bada et al. 2012 and Verspoor et al. 2012) from a CRAFT release \
            (structural-annotation/treebank/penn/PMID.tree, articles/ids/craft-ids-*.txt) or a copy \
            of its treebank (penn/PMID.tree, craft-ids-*.txt), splits them as the corpus does by \
            PubMed id (60 training, 7 development, 30 test articles), and normalizes every tree as \
            parsers are trained and scored: -NONE- elements removed with the nodes they leave empty, \
            function tags and indices stripped (NP-SBJ-1 → NP), the root labelled TOP. A sentence \
            left with nothing is dropped and counted. The summary goes to stderr. From the \
            repository, `make data CRAFT=DIR` extracts the Bible corpora and then runs this.

            Example:
              zoo data craft --from CRAFT-5.0.2 --out data/craft
            """)

        @Option(help: "The CRAFT release directory, or a copy of its treebank (penn/*.tree and craft-ids-*.txt).")
        var from: String

        @Option(help: "Directory for train.txt, dev.txt and test.txt.")
        var out: String = "data/craft"

        func run() throws {
            var current = ""
            let craft = try CRAFT(directory: from) { split, _ in
                if split != current {
                    current = split
                    FileHandle.standardError.write(Data("craft: reading the \(split) articles…\n".utf8))
                }
            }
            try craft.write(to: out)
            let counts = craft.splits.map { "\($0.trees.count) \($0.name) (\($0.articles.count) article\($0.articles.count == 1 ? "" : "s"))" }.joined(separator: ", ")
            let dropped = craft.splits.map(\.dropped).reduce(0, +)
            FileHandle.standardError.write(Data("craft: \(counts) trees; \(dropped) sentences dropped (nothing left without -NONE- elements); wrote \(out)/{train,dev,test}.txt\n".utf8))
        }
    }

    struct WSJCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "wsj",
            abstract: "Normalize the Penn Treebank's WSJ sections into train.txt (02–21), dev.txt (22) and test.txt (23).",
            discussion: """
            Reads the Wall Street Journal trees of the Penn Treebank-3 (Marcus et al. 1993; LDC99T42, \
            licensed from the Linguistic Data Consortium: nothing is downloaded) from the release's \
            directory (parsed/mrg/wsj/SS/wsj_SSNN.mrg), its parsed/mrg/wsj folder, or a folder \
            holding the section folders 00 … 24; splits them as parsing papers do (sections 02–21 \
            training, 22 development, 23 test; 00, 01 and 24 unused), each section's files in name \
            order; and normalizes every tree as parsers are trained and scored: -NONE- elements \
            removed with the nodes they leave empty, function tags and indices stripped \
            (NP-SBJ-1 → NP), the root labelled TOP. A sentence left with nothing is dropped and \
            counted. Every section of 02–23 must be there (--partial reads the training sections \
            present). The summary goes to stderr. From the repository, `make data WSJ=DIR` extracts \
            the Bible corpora and then runs this.

            Example:
              zoo data wsj --from treebank_3 --out data/wsj
            """)

        @Option(help: "The Penn Treebank-3 directory, its parsed/mrg/wsj folder, or a folder of the section folders 00–24.")
        var from: String

        @Option(help: "Directory for train.txt, dev.txt and test.txt.")
        var out: String = "data/wsj"

        @Flag(help: "Read the training sections that are there (a sample, or a copy of a few) instead of requiring all of 02–21.")
        var partial = false

        func run() throws {
            let wsj = try WSJTreebank(directory: from, partial: partial) { split, section in
                FileHandle.standardError.write(Data("wsj: reading section \(section) (\(split))…\n".utf8))
            }
            try wsj.write(to: out)
            let counts = wsj.splits.map { "\($0.trees.count) \($0.name) (\(Self.sections($0.sections)), \($0.files.count) file\($0.files.count == 1 ? "" : "s"))" }
                .joined(separator: ", ")
            let dropped = wsj.splits.map(\.dropped).reduce(0, +)
            FileHandle.standardError.write(Data("wsj: \(counts) trees; \(dropped) sentences dropped (nothing left without -NONE- elements); wrote \(out)/{train,dev,test}.txt\n".utf8))
        }

        /// "section 22", "sections 02–21" when they run on, "sections 02, 21" when they do not.
        static func sections(_ names: [String]) -> String {
            guard names.count > 1, let first = names.first, let last = names.last else { return "section \(names.first ?? "")" }
            let numbers = names.compactMap { Int($0) }
            let consecutive = zip(numbers, numbers.dropFirst()).allSatisfy { $1 == $0 + 1 }
            return "sections " + (consecutive ? "\(first)–\(last)" : names.joined(separator: ", "))
        }
    }

    struct BibleParallel: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bible-parallel",
            abstract: "Extract two Bible translations aligned by verse: train/valid/test files per language.")

        @Option(help: "Source SWORD module.") var source: String = "engWEB2015eb"
        @Option(help: "Target SWORD module.") var target: String = "spaRV1909eb"
        @Option(help: "Source language code (file suffix).") var sourceLanguage: String = "en"
        @Option(help: "Target language code (file suffix).") var targetLanguage: String = "es"
        @Option(help: "Directory for train.SRC, train.TGT, valid.*, test.*.") var out: String
        @Flag(help: "Write nothing: count the pairs that differ from the files in --out, and fail if a verse ends with a heading printed between verses.")
        var check = false

        func run() throws {
            if check {
                let c = try BibleParallelCheck.run(source: source, target: target, sourceLanguage: sourceLanguage,
                                                   targetLanguage: targetLanguage, directory: out)
                let changed = c.changed.map { "\($0) of \(c.pairs) pairs differ from \(out)" } ?? "\(c.pairs) pairs (none in \(out) to compare with)"
                print("\(source) ↔ \(target): \(changed); \(c.endingWithHeading.count) verses end with a heading")
                guard c.endingWithHeading.isEmpty else {
                    throw CommandError("verses ending with a heading: " + c.endingWithHeading.prefix(10).joined(separator: ", "))
                }
                return
            }
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
