import Foundation
import FuzzEntry
import Testing

/// Replays what fuzzing found (Tests/Fixtures/fuzz-regressions/<target>/, one input a file) through
/// the same entry the libFuzzer targets call (FuzzEntry.FuzzTarget), and checks the seed corpora
/// (Fuzz/corpus/<target>/) still parse, so a fuzz target that stopped reaching its parser fails here.
@Suite struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let regressions = root.appendingPathComponent("Tests/Fixtures/fuzz-regressions")
    static let corpus = root.appendingPathComponent("Fuzz/corpus")

    static func files(in dir: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { dir.appendingPathComponent($0) }
    }

    @Test func everyFolderNamesATarget() {
        let known = Set(FuzzTarget.allCases.map(\.rawValue))
        for dir in Self.files(in: Self.regressions) + Self.files(in: Self.corpus) {
            #expect(known.contains(dir.lastPathComponent), "\(dir.path) names no FuzzTarget (known: \(known.sorted()))")
        }
    }

    /// Each input found by fuzzing ends in a result or in one error line naming the problem, never a trap.
    @Test(arguments: FuzzTarget.allCases) func regressionsEndInAResultOrOneErrorLine(_ target: FuzzTarget) throws {
        for file in Self.files(in: Self.regressions.appendingPathComponent(target.rawValue)) {
            let outcome = target.run([UInt8](try Data(contentsOf: file)))
            if !outcome.isAccepted {
                #expect(!outcome.message.isEmpty && !outcome.message.contains("\n"),
                        "\(target.rawValue)/\(file.lastPathComponent): not one error line: \(outcome.message)")
            }
        }
    }

    /// Every seed is a valid file its parser accepts.
    @Test(arguments: FuzzTarget.allCases) func seedsAreAccepted(_ target: FuzzTarget) throws {
        let seeds = Self.files(in: Self.corpus.appendingPathComponent(target.rawValue))
        #expect(!seeds.isEmpty, "no seeds in Fuzz/corpus/\(target.rawValue)")
        for file in seeds {
            let outcome = target.run([UInt8](try Data(contentsOf: file)))
            #expect(outcome.isAccepted, "\(target.rawValue)/\(file.lastPathComponent): \(outcome.message)")
        }
    }

    /// Malformed inputs are refused with an error, not accepted.
    @Test(arguments: FuzzTarget.allCases.filter { $0 != .tokenizerEncode })
    func garbageIsRejected(_ target: FuzzTarget) {
        let outcome = target.run(Array("\u{1}not a file of this kind]]]".utf8))
        #expect(!outcome.isAccepted, "\(target.rawValue) accepted garbage: \(outcome.message)")
    }
}
