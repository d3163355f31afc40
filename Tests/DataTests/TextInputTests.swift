import Foundation
import Testing
@testable import Data

/// The one reading policy of the commands: lines as Python splits them at "\n", and invalid
/// UTF-8 an error naming the place, never repaired; file errors in words.
@Suite struct TextInputTests {
    @Test func linesSplitAtNewlineKeepBlankLinesAndDropCarriageReturns() throws {
        #expect(try TextInput.lines(Data("one\r\n\ntwo\nthree".utf8), source: "t") == ["one", "", "two", "three"])
        #expect(try TextInput.lines(Data("\n".utf8), source: "t") == [""])
        #expect(try TextInput.lines(Data(), source: "t") == [])
    }

    @Test func invalidUTF8NamesTheSourceAndLine() throws {
        // café in Latin-1 on line 3, and a sequence cut short at the end of the input.
        let latin1 = Data("ok\n\n".utf8) + Data([0x63, 0x61, 0x66, 0xE9, 0x0A, 0x78])
        #expect(errorMessage { try TextInput.lines(latin1, source: "in.txt") } == "in.txt:3: not valid UTF-8")
        #expect(errorMessage { try TextInput.lines(Data([0x61, 0x0A, 0xE2, 0x82]), source: "stdin") } == "stdin:2: not valid UTF-8")
        #expect(errorMessage { try TextInput.text(Data("a\nb\nc".utf8) + Data([0xFF]), source: "argument 4") } == "argument 4:3: not valid UTF-8")
        #expect(try TextInput.text(Data("café\n".utf8), source: "argument 1") == "café\n")
    }

    @Test func filesAreReadOrRefusedInWords() throws {
        let dir = try scratchDirectory("text-input")
        let good = dir.appendingPathComponent("good.txt"), bad = dir.appendingPathComponent("bad.txt")
        try Data("a\nb\n".utf8).write(to: good)
        try (Data("a\n".utf8) + Data([0xC3, 0x28, 0x0A])).write(to: bad)
        #expect(try TextInput.lines(ofFile: good.path) == ["a", "b"])
        #expect(errorMessage { try TextInput.lines(ofFile: bad.path) } == "\(bad.path):2: not valid UTF-8")
        #expect(errorMessage { try TextInput.validate(file: bad.path) } == "\(bad.path):2: not valid UTF-8")
        #expect(errorMessage { try TextInput.lines(ofFile: dir.appendingPathComponent("none").path) }
                    == "cannot read \(dir.path)/none: no such file")
        #expect(errorMessage { try TextInput.lines(ofFile: dir.path) } == "cannot read \(dir.path): it is a directory")
    }

    @Test func fileProblemsAreWordsNotFoundationCodes() throws {
        let dir = try scratchDirectory("file-problem")
        let file = dir.appendingPathComponent("plain")
        try Data("x".utf8).write(to: file)
        // A directory where a file is, and a file under a file: Foundation says only "error 512".
        func failure(_ body: () throws -> Void) -> Error? {
            do { try body(); return nil } catch { return error }
        }
        let under = file.appendingPathComponent("sub")
        let inside = try #require(failure { try FileManager.default.createDirectory(at: under, withIntermediateDirectories: true) })
        #expect(FileProblem.reason(inside, path: under.path, directory: true) == "\(file.path) is a file, not a directory")
        let over = try #require(failure { try FileManager.default.createDirectory(at: file, withIntermediateDirectories: true) })
        #expect(FileProblem.reason(over, path: file.path, directory: true) == "\(file.path) is a file, not a directory")
        let onDirectory = try #require(failure { try Data("y".utf8).write(to: dir, options: .atomic) })
        let reason = FileProblem.reason(onDirectory, path: dir.path)
        #expect(!reason.contains("Domain") && !reason.contains("error ") && !reason.isEmpty, "\(reason)")
        // Exporting images into a file is one sentence naming the path.
        struct One: LabeledImages {
            var count: Int { 1 }
            var classNames: [String] { ["grey"] }
            func label(at index: Int) -> Int { 0 }
            func image(at index: Int) throws -> Image { Image(width: 2, height: 2, channels: 1, repeating: 0.5) }
        }
        #expect(errorMessage { try ImageFolder.export(One(), to: file.path) }
                    == "cannot write \(file.path)/grey: \(file.path) is a file, not a directory")
    }
}
