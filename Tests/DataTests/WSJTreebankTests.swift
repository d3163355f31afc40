import Foundation
import Testing
@testable import Data

/// The Penn Treebank WSJ reader on the hand-written sample (Tests/Fixtures/wsj-sample: sections 00,
/// 02, 21, 22, 23 and 24 in the release's layout, and the normalized trees
/// make_wsj_sample_expected.py computed on its own): the split by section in every layout, the
/// normalization, and the one-line errors of incomplete copies.
@Suite struct WSJTreebankTests {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/wsj-sample")
    static let sections = sample.appendingPathComponent("parsed/mrg/wsj")

    /// The Python script's normalized trees of `split`, one a line.
    func expected(_ split: String) throws -> [String] {
        try String(contentsOf: Self.sample.appendingPathComponent("expected/\(split).txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
    }

    /// A copy of the sample's section folders in a folder of their own (`DIR/sections/SS`), with
    /// `edit` applied to that folder.
    func copy(_ edit: (URL) throws -> Void = { _ in }) throws -> URL {
        let folder = try scratchDirectory("wsj").appendingPathComponent("sections")
        try FileManager.default.copyItem(at: Self.sections, to: folder)
        try edit(folder)
        return folder
    }

    func write(_ text: String, _ url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    @Test func readsSections02To21AsTrain22AsDevAnd23AsTest() throws {
        let wsj = try WSJTreebank(directory: Self.sample.path, partial: true)
        #expect(wsj.splits.map(\.name) == ["train", "dev", "test"])
        #expect(wsj.train.sections == ["02", "21"] && wsj.dev.sections == ["22"] && wsj.test.sections == ["23"])
        #expect(wsj.train.files == ["02/wsj_0201.mrg", "02/wsj_0202.mrg", "21/wsj_2101.mrg", "21/wsj_2102.mrg"])
        #expect(wsj.dev.files == ["22/wsj_2201.mrg"])
        #expect(wsj.test.files == ["23/wsj_2301.mrg", "23/wsj_2302.mrg"])
        #expect(wsj.splits.map(\.trees.count) == [8, 2, 4])
        #expect(wsj.splits.map(\.dropped) == [0, 0, 0])
        for split in wsj.splits {
            #expect(split.trees.map(\.bracketed) == (try expected(split.name)), "\(split.name)")
        }
        // Sections in order, files in name order: 02's first tree first, 21's last tree last.
        #expect(wsj.train.trees.first?.words.prefix(3) == ["Lakeside", "Mills", "Corp."])
        #expect(wsj.train.trees.last?.words == ["Exports", "rose", "4", "%", "and", "imports", "2", "%", "."])
        // Sections 00 and 24 are read by no split.
        let words = Set(wsj.splits.flatMap { $0.trees.flatMap(\.words) })
        #expect(!words.contains("Kestrel") && !words.contains("Harborview"))
    }

    /// The release's root, its parsed/mrg/wsj folder and any folder of the section folders read alike.
    @Test func everyLayoutGivesTheSameSplits() throws {
        let layouts = [Self.sample.path, Self.sections.path, try copy().path]
        let read = try layouts.map { try WSJTreebank(directory: $0, partial: true) }
        for other in read.dropFirst() {
            for (a, b) in zip(read[0].splits, other.splits) {
                #expect(a.name == b.name && a.sections == b.sections && a.files == b.files && a.trees == b.trees)
            }
        }
    }

    @Test func treesAreNormalizedAsParsersUseThem() throws {
        let file = Self.sections.appendingPathComponent("02/wsj_0202.mrg").path
        let raw = try Treebank.read(path: file)[0].bracketed
        #expect(raw.hasPrefix("( (S (S-TPC-1 (NP-SBJ (NN Revenue))") && raw.contains("(-NONE- *U*)") && raw.contains("(-NONE- *T*-1)"))

        let wsj = try WSJTreebank(directory: Self.sample.path, partial: true)
        // Traces and the nodes they empty gone (the SBAR of "said" entirely), tags and indices
        // stripped, -LRB- and -RRB- kept, the unlabelled root TOP.
        #expect(wsj.train.trees[2].bracketed == "(TOP (S (S (NP (NN Revenue)) (VP (VBD rose) (PP (TO to) (NP (NP ($ $) (CD 14) (CD million)) "
            + "(PRN (-LRB- -LRB-) (PP (IN from) (NP ($ $) (CD 11) (CD million))) (-RRB- -RRB-)))))) (, ,) (NP (DT the) (NN firm)) (VP (VBD said)) (. .)))")
        // A gapped coordination: NP-SBJ=1 and NP-EXT=2 lose their indices.
        #expect(wsj.train.trees[7].bracketed == "(TOP (S (S (NP (NNS Exports)) (VP (VBD rose) (NP (CD 4) (NN %)))) (CC and) "
            + "(S (NP (NNS imports)) (NP (CD 2) (NN %))) (. .)))")
        for tree in wsj.splits.flatMap(\.trees) {
            #expect(tree.label == "TOP")
            func labels(_ t: ParseTree) -> [String] { t.isLeaf ? [] : [t.label] + t.children.flatMap(labels) }
            for label in labels(tree) {
                #expect(label != "-NONE-" && label == Treebank.strip(label), "\(label) in \(tree.bracketed)")
            }
        }
    }

    @Test func writesOneTreeALineAsTheScriptDid() throws {
        let out = try scratchDirectory("wsj-out").appendingPathComponent("data/wsj")
        try WSJTreebank(directory: Self.sample.path, partial: true).write(to: out.path)
        for split in ["train", "dev", "test"] {
            let written = try Data(contentsOf: out.appendingPathComponent("\(split).txt"))
            #expect(written == (try Data(contentsOf: Self.sample.appendingPathComponent("expected/\(split).txt"))), "\(split)")
        }
    }

    /// With every section of 02–23 there, the strict reader takes them all, in order.
    @Test func aCompleteCopyIsReadWithoutPartial() throws {
        let folder = try copy { dir in
            for n in 3...20 {
                let s = n < 10 ? "0\(n)" : "\(n)"
                try self.write("( (S (NP-SBJ (NN section) ) (VP (VBZ is) (NP-PRD (CD \(s)) ))) )\n", dir.appendingPathComponent("\(s)/wsj_\(s)01.mrg"))
            }
        }
        let wsj = try WSJTreebank(directory: folder.path)
        #expect(wsj.train.sections == (2...21).map { $0 < 10 ? "0\($0)" : "\($0)" })
        #expect(wsj.train.trees.count == 8 + 18)
        #expect(wsj.train.trees[4].bracketed == "(TOP (S (NP (NN section)) (VP (VBZ is) (NP (CD 03)))))")
        #expect(wsj.dev.trees.count == 2 && wsj.test.trees.count == 4)
    }

    /// Files in name order whatever the folder's order; hidden files and other names skipped.
    @Test func filesAreReadInNameOrder() throws {
        let folder = try copy { dir in
            try self.write("( (S (NP-SBJ (PRP It) ) (VP (VBD began) )) )\n", dir.appendingPathComponent("02/wsj_0200.mrg"))
            try self.write("not a tree", dir.appendingPathComponent("02/._wsj_0200.mrg"))
            try self.write("not a tree", dir.appendingPathComponent("02/notes.txt"))
        }
        let wsj = try WSJTreebank(directory: folder.path, partial: true)
        #expect(wsj.train.files.prefix(2) == ["02/wsj_0200.mrg", "02/wsj_0201.mrg"])
        #expect(wsj.train.trees[0].bracketed == "(TOP (S (NP (PRP It)) (VP (VBD began))))")
    }

    @Test func sentencesLeftEmptyAreDroppedAndCounted() throws {
        let folder = try copy { dir in
            try self.write("( (S (NP-SBJ (-NONE- *PRO*) ) (VP (VBD ran) )) )\n( (S (NP (-NONE- *T*-1) )) )\n( (FRAG (-NONE- *) ) )\n",
                           dir.appendingPathComponent("22/wsj_2201.mrg"))
        }
        let wsj = try WSJTreebank(directory: folder.path, partial: true)
        #expect(wsj.dev.trees.map(\.bracketed) == ["(TOP (S (VP (VBD ran))))"])
        #expect(wsj.dev.dropped == 2 && wsj.train.dropped == 0 && wsj.test.dropped == 0)
    }

    @Test func missingPiecesAreOneLineErrorsNamingThePath() throws {
        #expect(errorMessage { try WSJTreebank(directory: "/nonexistent/treebank_3") } == "/nonexistent/treebank_3: no such directory")
        let file = Self.sample.appendingPathComponent("README.md").path
        #expect(errorMessage { try WSJTreebank(directory: file) } == "\(file): not a directory (give the Penn Treebank-3 release's directory)")

        let empty = try scratchDirectory("wsj-empty")
        #expect(errorMessage { try WSJTreebank(directory: empty.path) }
            == "\(empty.path): not the WSJ part of Penn Treebank-3: no section folders 00 … 24 (give the release's root, holding "
                + "parsed/mrg/wsj/SS/wsj_SSNN.mrg, its parsed/mrg/wsj folder, or a folder holding the section folders)")

        // The sample lacks sections 03–20: read strictly, the first missing one is named.
        #expect(errorMessage { try WSJTreebank(directory: Self.sample.path) }
            == "\(Self.sections.path)/03: section 03 is missing (the standard split needs every section of 02–23)")
        let noTest = try copy { try FileManager.default.removeItem(at: $0.appendingPathComponent("23")) }
        #expect(errorMessage { try WSJTreebank(directory: noTest.path, partial: true) }
            == "\(noTest.path)/23: section 23 is missing (the standard split needs every section of 02–23)")
        let noTrain = try copy { dir in
            for s in ["02", "21"] { try FileManager.default.removeItem(at: dir.appendingPathComponent(s)) }
        }
        #expect(errorMessage { try WSJTreebank(directory: noTrain.path, partial: true) }
            == "\(noTrain.path): no training section: none of the folders 02 … 21 is there")
    }

    @Test func badSectionsAndTreesNameTheFileAndLine() throws {
        let noFiles = try copy { dir in
            try FileManager.default.removeItem(at: dir.appendingPathComponent("22/wsj_2201.mrg"))
            try self.write("notes", dir.appendingPathComponent("22/README"))
        }
        #expect(errorMessage { try WSJTreebank(directory: noFiles.path, partial: true) } == "\(noFiles.path)/22: section 22 holds no .mrg files")

        let notAFolder = try copy { dir in
            try FileManager.default.removeItem(at: dir.appendingPathComponent("22"))
            try self.write("22", dir.appendingPathComponent("22"))
        }
        #expect(errorMessage { try WSJTreebank(directory: notAFolder.path, partial: true) } == "\(notAFolder.path)/22: section 22 is not a folder")

        let broken = try copy { dir in
            try self.write("( (S (NP (NN x)) )\n( (S (NN y)) )\n", dir.appendingPathComponent("21/wsj_2102.mrg"))
        }
        #expect(errorMessage { try WSJTreebank(directory: broken.path, partial: true) } == "\(broken.path)/21/wsj_2102.mrg:2: a bracket without a label")
    }
}
