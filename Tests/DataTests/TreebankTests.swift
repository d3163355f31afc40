import Foundation
import Testing
@testable import Data

/// Penn Treebank brackets: reading both layouts, normalizing as parsing papers do, writing back,
/// and the one-line errors (file and line) that damaged files get, on hand-written text and on the
/// CRAFT sample (Tests/Fixtures/craft-sample, made by make_craft_sample.py).
@Suite struct TreebankTests {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/craft-sample")

    /// `( (S ...) )` roots over several lines, as the WSJ `.mrg` files.
    static let multiLine = """
    ( (S
        (NP-SBJ-1 (DT The) (NN striatum) )
        (VP (VBZ plays)
          (NP (DT a) (NN role) ))
        (. .) ))
    ( (S (NP-SBJ (PRP We)) (VP (VBD mapped) (NP (CD two) (NNS QTLs))) (. .)) )

    """

    func parse(_ text: String, file: String = "t.mrg") throws -> [ParseTree] { try Treebank.parse(text, file: file) }

    func normalized(_ text: String) throws -> [String] {
        try parse(text).map { Treebank.normalized($0)?.bracketed ?? "nil" }
    }

    // MARK: - Reading

    @Test func readsTreesOverSeveralLines() throws {
        let trees = try parse(Self.multiLine)
        #expect(trees.count == 2)
        #expect(trees[0].label == "" && trees[0].children.map(\.label) == ["S"])
        #expect(trees[0].words == ["The", "striatum", "plays", "a", "role", "."])
        #expect(trees[0].tags == ["DT", "NN", "VBZ", "DT", "NN", "."])
        #expect(trees[1].bracketed == "( (S (NP-SBJ (PRP We)) (VP (VBD mapped) (NP (CD two) (NNS QTLs))) (. .)))")
    }

    @Test func readsOneTreeALineWithCRLFAndTabs() throws {
        let trees = try parse("(TOP (NP (DT the)\t(NN cat)))\r\n(S (VP (VB go)))\r\n(NN x)")
        #expect(trees.map(\.bracketed) == ["(TOP (NP (DT the) (NN cat)))", "(S (VP (VB go)))", "(NN x)"])
    }

    /// Words are anything but brackets and ASCII whitespace: UTF-8, and Unicode spaces inside a
    /// word (CRAFT writes `Xpd†XPCS` with a hair space and `. ` with a no-break space).
    @Test func wordsKeepUTF8AndUnicodeSpaces() throws {
        let trees = try parse("(NP (NN Xpd\u{200A}†XPCS) (. .\u{00A0}) (NN β-catenin))")
        #expect(trees[0].words == ["Xpd\u{200A}†XPCS", ".\u{00A0}", "β-catenin"])
    }

    @Test func aByteOrderMarkIsNotAWord() throws {
        let trees = try Treebank.parse(Data([0xEF, 0xBB, 0xBF]) + Data("(S (NN x))\n".utf8), file: "bom.mrg")
        #expect(trees.map(\.bracketed) == ["(S (NN x))"])
    }

    // MARK: - Normalization

    @Test func emptyElementsGoWithTheNodesTheyEmpty() throws {
        #expect(try normalized("( (S (NP-SBJ (-NONE- *PRO*)) (VP (VBD ran))) )") == ["(TOP (S (VP (VBD ran))))"])
        // A chain of nodes holding only a trace goes whole; its siblings stay.
        #expect(try normalized("(S (NP (NP (-NONE- *T*)) (SBAR (-NONE- 0) (S (-NONE- *T*)))) (VP (VB go) (NP (-NONE- *))))")
            == ["(TOP (S (VP (VB go))))"])
        // A tree of nothing but empty elements is nil.
        #expect(try normalized("( (S (NP-SBJ (-NONE- *PRO*))) )\n( (-NONE- *) )") == ["nil", "nil"])
    }

    @Test func functionTagsAndIndicesAreStripped() throws {
        let tree = """
        ( (S (NP-SBJ-1 (PRP$ Our) (NN analysis)) (VP (VBZ is) (S-NOM (NP=2 (NN x))) (SBAR (WHNP-1 (WDT that)) \
        (S (NP-SBJ-1=3 (-NONE- *T*)) (VP (VBP modulate) (PP-LOC-PRD (-LRB- -LRB-) (NN y) (-RRB- -RRB-)))))) (. .)) )
        """
        #expect(try normalized(tree) == ["""
        (TOP (S (NP (PRP$ Our) (NN analysis)) (VP (VBZ is) (S (NP (NN x))) (SBAR (WHNP (WDT that)) \
        (S (VP (VBP modulate) (PP (-LRB- -LRB-) (NN y) (-RRB- -RRB-)))))) (. .)))
        """])
    }

    @Test(arguments: [
        ("NP-SBJ-1", "NP"), ("S-NOM", "S"), ("NP=2", "NP"), ("WHNP-1", "WHNP"), ("NP-SBJ-1=2", "NP"),
        ("PP-LOC-PRD", "PP"), ("-LRB-", "-LRB-"), ("-RRB-", "-RRB-"), ("-NONE-", "-NONE-"), ("PRP$", "PRP$"),
        ("-", "-"), ("--", "--"), (",", ","), ("``", "``"), ("TOP", "TOP"),
    ])
    func strip(_ label: String, _ expected: String) {
        #expect(Treebank.strip(label) == expected)
    }

    @Test func theRootIsTOP() throws {
        #expect(try normalized("( (S (NN x)) )") == ["(TOP (S (NN x)))"])
        #expect(try normalized("(ROOT (S (NN x)))") == ["(TOP (S (NN x)))"])
        #expect(try normalized("(TOP (S (NN x)))") == ["(TOP (S (NN x)))"])
        #expect(try normalized("(S (NN x))") == ["(TOP (S (NN x)))"])
        #expect(try normalized("(NN x)") == ["(TOP (NN x))"])
        #expect(try normalized("( (S (NN x)) (S (NN y)) )") == ["(TOP (S (NN x)) (S (NN y)))"])
        #expect(try normalized("(S-HLN (NN x))") == ["(TOP (S (NN x)))"])
    }

    // MARK: - Writing

    @Test func writtenTreesReadBackTheSame() throws {
        let trees = try parse(Self.multiLine).compactMap(Treebank.normalized)
        let dir = try scratchDirectory("treebank")
        let path = dir.appendingPathComponent("out.txt").path
        try Treebank.write(trees, to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 2 && text.hasSuffix(")\n"))
        #expect(try Treebank.read(path: path) == trees)
        // Normalizing a normalized tree changes nothing.
        #expect(trees.compactMap(Treebank.normalized) == trees)
    }

    @Test func writingIntoAMissingDirectoryIsAnError() {
        let message = errorMessage { try Treebank.write([ParseTree("TOP", [ParseTree("NN", [ParseTree("x")])])], to: "/nonexistent/dir/t.txt") }
        #expect(message.hasPrefix("/nonexistent/dir/t.txt: cannot write: "), "\(message)")
    }

    // MARK: - The CRAFT sample

    @Test(arguments: ["11597317", "14723793", "17608565", "11319941"])
    func readsAndNormalizesTheCRAFTSample(_ article: String) throws {
        let path = Self.sample.appendingPathComponent("penn/\(article).tree").path
        let raw = try Treebank.read(path: path)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(raw.count == lines.count)
        for tree in raw {
            let n = try #require(Treebank.normalized(tree))
            #expect(n.label == "TOP")
            #expect(n.words == tree.preterminals.filter { $0.label != "-NONE-" }.map { $0.children[0].label })
            #expect(!n.tags.contains("-NONE-"))
            for span in n.spans { #expect(!span.label.contains("=") && (span.label.hasPrefix("-") || !span.label.contains("-")), "\(span.label)") }
            // Writer, then reader: the same tree.
            #expect(try Treebank.parse(n.bracketed, file: "round-trip") == [n])
        }
    }

    @Test func theCRAFTSampleHasWhatTheNormalizerMustHandle() throws {
        let text = try ["11597317", "14723793", "17608565", "11319941"]
            .map { try String(contentsOfFile: Self.sample.appendingPathComponent("penn/\($0).tree").path, encoding: .utf8) }
            .joined()
        for needle in ["(-NONE- *T*)", "=2 ", "-SBJ-1 ", "(PRP$ ", "(-LRB- -LRB-)", "(`` ", "\u{00A0}"] {
            #expect(text.contains(needle), "\(needle)")
        }
    }

    // MARK: - Errors: one line, file and line

    @Test(arguments: [
        ("(S (NP (NN x))\n(S (NN y))", "bad.mrg:1: unbalanced brackets: '(S' opened on line 1 is never closed"),
        // The innermost bracket still open at the end is named: the ')' missing after `(NP` on
        // line 2 leaves `(S` open (the reader cannot know where the bracket was lost).
        ("( (S\n  (NP (NN x)\n  (VP (VB go)))\n", "bad.mrg:1: unbalanced brackets: '(S' opened on line 1 is never closed"),
        ("(S (NN x))\n(S (NN y)))\n", "bad.mrg:2: unbalanced brackets: ')' closes nothing"),
        (")", "bad.mrg:1: unbalanced brackets: ')' closes nothing"),
        ("", "bad.mrg: no trees (the file is empty)"),
        (" \n\n\t\n", "bad.mrg: no trees (the file is empty)"),
        ("(S\n (NP ) (VP (VB go)))", "bad.mrg:2: empty constituent '(NP)'"),
        ("(S (NP (DT the) dog))", "bad.mrg:1: '(NP' holds more than one word, or a word beside brackets"),
        ("(S\n(NP dog (NN x)))", "bad.mrg:2: '(NP' holds both a word and brackets"),
        ("(S (NN two words))", "bad.mrg:1: '(NN' holds more than one word, or a word beside brackets"),
        ("(S (NN x))\nword (S (NN y))", "bad.mrg:2: expected '(' to start a tree, found 'word'"),
        ("(S ( (NN x)))", "bad.mrg:1: a bracket without a label"),
        ("( x)", "bad.mrg:1: empty constituent '(x)'"),
        ("()", "bad.mrg:1: empty constituent '()'"),
    ])
    func malformedTextIsOneError(_ text: String, _ expected: String) {
        let error = thrown(TreebankError.self) { _ = try Treebank.parse(text, file: "bad.mrg") }
        #expect(error?.description == expected)
        #expect(error.map { !$0.description.contains("\n") } == true)
    }

    @Test func binaryAndInvalidUTF8FilesAreOneError() throws {
        let nul = Data("(S (NN x))\n(S (NN y\0))\n".utf8)
        #expect(errorMessage { try Treebank.parse(nul, file: "b.bin") } == "b.bin:2: a NUL byte: this is a binary file, not a treebank")
        let latin1 = Data("(S (NN x))\n(S (NN y))\n(S (NN caf".utf8) + Data([0xE9]) + Data("))\n".utf8)
        #expect(errorMessage { try Treebank.parse(latin1, file: "l.mrg") } == "l.mrg:3: not valid UTF-8")
        let truncated = Data("(S (NN x))\n(S (NN \u{3B2}".utf8).dropLast()
        #expect(errorMessage { try Treebank.parse(Data(truncated), file: "t.mrg") } == "t.mrg:2: not valid UTF-8")
        // A real binary file: the reader's own object code or any bytes with a zero.
        #expect(errorMessage { try Treebank.parse(Data([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00]), file: "elf") }
            == "elf:1: a NUL byte: this is a binary file, not a treebank")
    }

    @Test func missingFilesAndDirectoriesAreOneError() throws {
        #expect(errorMessage { try Treebank.read(path: "/nonexistent/x.mrg") } == "/nonexistent/x.mrg: no such file")
        let dir = try scratchDirectory("treebank-dir")
        #expect(errorMessage { try Treebank.read(path: dir.path) } == "\(dir.path): is a directory")
    }

    /// A file of opening brackets must be an error, not a stack overflow.
    @Test func deepNestingIsAnErrorNotACrash() throws {
        let deep = String(repeating: "(A ", count: 200_000) + "(NN x)" + String(repeating: ")", count: 200_000)
        #expect(errorMessage { try Treebank.parse(deep, file: "deep.mrg") } == "deep.mrg:1: brackets nested more than 1000 deep")
        let fine = String(repeating: "(A ", count: 900) + "(NN x)" + String(repeating: ")", count: 900)
        let tree = try #require(try Treebank.parse(fine, file: "fine.mrg").first)
        #expect(Treebank.normalized(tree)?.words == ["x"])
    }

    // MARK: - Fuzz

    /// A few thousand random damages of a real file (bytes and brackets deleted, inserted,
    /// duplicated): the reader returns trees or throws a `TreebankError`, nothing else, and what it
    /// returns writes and reads back the same, normalized or not.
    @Test func randomDamageGivesTreesOrATreebankError() throws {
        let lines = try String(contentsOfFile: Self.sample.appendingPathComponent("penn/17608565.tree").path, encoding: .utf8)
            .split(separator: "\n")
        let base = Array(lines.prefix(10).joined(separator: "\n").utf8)  // ten whole trees: quick to reread
        var random = SplitMix64(seed: 2015)
        let noise: [UInt8] = [UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: " "), 0x0A, UInt8(ascii: "x"), 0x00, 0xFF, 0xC3, 0xE2]
        var parsed = 0, failed = 0
        for trial in 0..<3000 {
            var bytes = base
            for _ in 0..<(1 + random.next(below: 4)) {
                let at = random.next(below: bytes.count)
                switch random.next(below: 6) {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(noise[random.next(below: noise.count)], at: at)
                case 2: bytes.insert(UInt8(truncatingIfNeeded: random.next(below: 256)), at: at)
                case 3:  // delete a bracket
                    if let i = bytes[at...].firstIndex(where: { $0 == UInt8(ascii: "(") || $0 == UInt8(ascii: ")") }) { bytes.remove(at: i) }
                case 4: bytes.removeSubrange(at..<min(bytes.count, at + random.next(below: 40)))
                default: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + random.next(below: 40))], at: random.next(below: bytes.count))
                }
                if bytes.isEmpty { bytes = [UInt8(ascii: "(")] }
            }
            do {
                let trees = try Treebank.parse(Data(bytes), file: "fuzz.tree")
                parsed += 1
                #expect(!trees.isEmpty)
                #expect(try Treebank.parse(trees.map(\.bracketed).joined(separator: "\n"), file: "again") == trees, "trial \(trial)")
                let normal = trees.compactMap(Treebank.normalized)
                if !normal.isEmpty {
                    #expect(try Treebank.parse(normal.map(\.bracketed).joined(separator: "\n"), file: "again") == normal, "trial \(trial)")
                }
            } catch let error as TreebankError {
                failed += 1
                #expect(error.file == "fuzz.tree" && !error.description.contains("\n"), "trial \(trial): \(error)")
            } catch {
                Issue.record("trial \(trial): \(type(of: error)) \(error)")
            }
        }
        // Both outcomes happen: the damage is neither always harmless nor always fatal.
        #expect(parsed > 100 && failed > 100, "\(parsed) parsed, \(failed) failed")
    }
}

/// SplitMix64: a seeded generator, so the fuzz test damages the same bytes every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(below n: Int) -> Int { Int(next() % UInt64(n)) }
}
