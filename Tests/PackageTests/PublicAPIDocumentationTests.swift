import Foundation
import Testing

/// The libraries' public API as DocC renders it: every public type has a `///` comment.
@Suite struct PublicAPIDocumentationTests {
    /// `public` structs, classes, enums, protocols, actors and type aliases with no `///` line
    /// right above them (attributes such as `@frozen` may stand between), as FILE:LINE.
    static func undocumentedPublicTypes(in sources: URL) throws -> [String] {
        let declaration = try Regex(#"^\s*public\s+(final\s+)?(struct|class|enum|protocol|actor|typealias)\b"#)
        var undocumented: [String] = []
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
        for file in files.sorted(by: { $0.path < $1.path }) {
            let lines = try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n")
            for (i, line) in lines.enumerated() where line.firstMatch(of: declaration) != nil {
                let above = lines[..<i].last { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("@") }
                if above?.trimmingCharacters(in: .whitespaces).hasPrefix("///") != true {
                    undocumented.append("\(file.path.dropFirst(sources.path.count + 1)):\(i + 1)")
                }
            }
        }
        return undocumented
    }

    @Test func everyPublicTypeHasADocComment() throws {
        let sources = DependentPackageTests.root.appendingPathComponent("Sources")
        let undocumented = try Self.undocumentedPublicTypes(in: sources)
        #expect(undocumented.isEmpty, "public types without a /// comment: \(undocumented.joined(separator: ", "))")
    }

    /// The check itself finds an undocumented type, and passes a documented one.
    @Test func theCheckFindsAnUndocumentedType() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-docc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("/// Documented.\n@frozen public struct A {}\n\npublic enum B {}\n".utf8).write(to: dir.appendingPathComponent("T.swift"))
        #expect(try Self.undocumentedPublicTypes(in: dir) == ["T.swift:4"])
    }
}
