import Foundation
import Testing

/// `index.html` of `zoo attention` in a real browser: headless Chromium (Debian's `chromium`,
/// which `make test` installs) opens the page from disk as `index.html#selftest`, the page runs
/// its self-check (every attention type through the model view and the head view), and the DOM it
/// leaves is read back: the check passed, the model view has layers × heads maps of every type,
/// no JavaScript error was raised. A screenshot of the page must not be blank. Without Chromium
/// the test fails: the page would be untested.
@Suite struct AttentionPageBrowserTests {
    let cli = ZooCLITests()

    static var chromium: String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") + ["/usr/bin"] {
            for name in ["chromium", "chromium-browser", "google-chrome"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
                return "\(dir)/\(name)"
            }
        }
        return nil
    }

    /// Runs headless Chromium on `url` with `arguments`; its standard output.
    static func chromium(_ arguments: [String], url: URL, profile: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(chromium, "Chromium is missing: install Debian's chromium (make deps)"))
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile.path)",
                             "--virtual-time-budget=5000"] + arguments + [url.absoluteString]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "chromium exited with \(process.terminationStatus)")
        return String(decoding: data, as: UTF8.self)
    }

    /// The attributes of the element with `id` in a DOM dump.
    static func attributes(of id: String, in dom: String) -> [String: String] {
        guard let start = dom.range(of: "id=\"\(id)\"") else { return [:] }
        let tagStart = dom[..<start.lowerBound].lastIndex(of: "<") ?? start.lowerBound
        let tag = dom[tagStart...].prefix { $0 != ">" }
        var out: [String: String] = [:]
        let pattern = try! NSRegularExpression(pattern: #"([a-z-]+)="([^"]*)""#)
        let text = String(tag)
        for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            out[String(text[Range(m.range(at: 1), in: text)!])] = String(text[Range(m.range(at: 2), in: text)!])
        }
        return out
    }

    func checkPage(_ arguments: [String], types: String, cells: String, name: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-attention-page-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("att")
        let r = try cli.run(["attention"] + arguments + ["--out", out.path])
        try #require(r.status == 0, "\(r.stderr)")
        let page = out.appendingPathComponent("index.html")
        try selfCheck(page, types: types, cells: cells, profile: dir.appendingPathComponent("profile"))

        let shot = dir.appendingPathComponent("screenshot.png")
        _ = try Self.chromium(["--hide-scrollbars", "--window-size=1000,800", "--screenshot=\(shot.path)"], url: page, profile: dir.appendingPathComponent("profile"))
        let png = try [UInt8](Data(contentsOf: shot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        // A blank 1000 × 800 page compresses to a few kilobytes; the maps and text take many more.
        #expect(png.count > 15_000, "the screenshot has \(png.count) bytes: is the page blank?")
    }

    /// Opens `page#selftest` and reads the result from the DOM.
    func selfCheck(_ page: URL, types: String, cells: String, profile: URL, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var selftest = URLComponents(url: page, resolvingAgainstBaseURL: false)!
        selftest.fragment = "selftest"
        let dom = try Self.chromium(["--dump-dom"], url: selftest.url!, profile: profile)
        let result = Self.attributes(of: "selftest", in: dom), errors = Self.attributes(of: "errors", in: dom)
        #expect(result["data-status"] == "pass", "self-check: \(result) \(dom.range(of: "id=\"selftest\"").map { String(dom[$0.lowerBound...].prefix(400)) } ?? "no #selftest in the DOM")",
                sourceLocation: sourceLocation)
        #expect(result["data-types"] == types && result["data-cells"] == cells, "\(result)", sourceLocation: sourceLocation)
        #expect(errors["data-count"] == "0", "JavaScript errors: \(errors) \(dom.range(of: "id=\"errors\"").map { String(dom[$0.lowerBound...].prefix(400)) } ?? "")",
                sourceLocation: sourceLocation)
        #expect(dom.components(separatedBy: "data-cell=\"\"").count - 1 == Int(cells.split(separator: ",").last ?? "") ?? -1,
                "the model view the page ends on has layers × heads maps", sourceLocation: sourceLocation)
    }

    /// The example pages under docs/attention/ (made from the shipped models, linked from their
    /// cards) work as committed.
    @Test func committedExamplePagesPassTheirSelfCheckAndTheCardsLinkThem() throws {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-attention-docs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        for (name, types, cells) in [("bible-en-es", "encoder-self,decoder-self,cross", "12,12,12"), ("gpt-kjv", "self", "16")] {
            let card = try String(contentsOf: ZooCLITests.root.appendingPathComponent("Zoo/\(name)/card.md"), encoding: .utf8)
            #expect(card.contains("](../../docs/attention/\(name)/index.html)"), "Zoo/\(name)/card.md links no attention page")
            try selfCheck(ZooCLITests.root.appendingPathComponent("docs/attention/\(name)/index.html"), types: types, cells: cells, profile: profile)
        }
    }

    @Test func translationPagePassesItsSelfCheckInChromium() throws {
        try checkPage(["--model", "bible-en-es", "In the beginning.", "--target", "En el principio."],
                      types: "encoder-self,decoder-self,cross", cells: "12,12,12", name: "mt")
    }

    @Test func imagePagePassesItsSelfCheckInChromium() throws {
        try checkPage(["--model", "vit-fashion-mnist", ZooCLITests.fixtures.appendingPathComponent("image-folder/test/split/00.pgm").path],
                      types: "self", cells: "16", name: "vit")
    }
}
