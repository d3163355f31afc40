import Foundation
import Testing

/// How `zoo` finds models by name, as an installed binary meets it: `--zoo DIR`, `$ZOO_DIR`,
/// `./Zoo` (with an index), `PREFIX/share/transformer-zoo/Zoo` beside `PREFIX/bin/zoo`, then the
/// user's zoo under `$XDG_DATA_HOME`. The layout is `make install`'s, made by hand: the debug
/// `zoo` copied into a temporary PREFIX/bin and the tiny imported ViT as the installed zoo.
@Suite struct ZooSearchPathCLITests {
    let cli = ZooCLITests()
    static let vit = ZooCLITests.fixtures.appendingPathComponent("vit-tiny")

    struct Install {
        var root: URL
        var binary: URL { root.appendingPathComponent("prefix/bin/zoo") }
        var installed: URL { root.appendingPathComponent("prefix/share/transformer-zoo/Zoo") }
        var xdg: URL { root.appendingPathComponent("xdg") }
        var user: URL { xdg.appendingPathComponent("transformer-zoo/Zoo") }
        /// A working directory with no Zoo/ of its own.
        var elsewhere: URL { root.appendingPathComponent("work") }
    }

    /// PREFIX/bin/zoo and PREFIX/share/transformer-zoo/Zoo/vit-tiny in a temporary directory.
    func install() throws -> Install {
        let fm = FileManager.default
        let layout = Install(root: fm.temporaryDirectory.appendingPathComponent("zoo-install-\(UUID().uuidString)"))
        try fm.createDirectory(at: layout.binary.deletingLastPathComponent(), withIntermediateDirectories: true)
        try fm.createDirectory(at: layout.elsewhere, withIntermediateDirectories: true)
        try fm.copyItem(at: ZooCLITests.zoo, to: layout.binary)
        try importViT(to: layout.installed.appendingPathComponent("vit-tiny"))
        return layout
    }

    func importViT(to out: URL) throws {
        let r = try cli.run(["import", "vit", Self.vit.path, "--out", out.path])
        try #require(r.status == 0, "\(r.stderr)")
    }

    /// The installed `zoo ARGS` run in `directory`, with no ZOO_DIR and the user's zoo in the layout.
    func zoo(_ layout: Install, _ arguments: [String], in directory: URL? = nil, zooDir: String? = nil) throws -> ZooCLITests.Result {
        try cli.run(arguments, in: directory ?? layout.elsewhere, environment: ["ZOO_DIR": zooDir, "XDG_DATA_HOME": layout.xdg.path],
                    executable: layout.binary)
    }

    static func objects(_ jsonLines: String) throws -> [[String: Any]] {
        try jsonLines.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    /// From another directory, the installed binary lists and runs the installed model by name,
    /// and the user's zoo adds its own; `zoo list` names every zoo it searched.
    @Test func installedBinaryFindsTheInstalledAndTheUsersModels() throws {
        let layout = try install()
        defer { try? FileManager.default.removeItem(at: layout.root) }
        try importViT(to: layout.user.appendingPathComponent("vit-mine"))

        let list = try zoo(layout, ["list", "--json"])
        #expect(list.status == 0, "\(list.stderr)")
        let objects = try Self.objects(list.stdout)
        #expect(objects.map { $0["name"] as? String } == ["vit-mine", "vit-tiny"], "\(list.stdout)")
        #expect(objects.map { $0["origin"] as? String } == ["user", "installed"], "\(list.stdout)")
        #expect(objects.map { $0["path"] as? String } == ["vit-mine", "vit-tiny"])
        #expect(objects.map { ($0["directory"] as? String).map { URL(fileURLWithPath: $0).standardizedFileURL.path } }
                == [layout.user.appendingPathComponent("vit-mine").path, layout.installed.appendingPathComponent("vit-tiny").path])

        let table = try zoo(layout, ["list"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("\(layout.installed.path) (installed)") && table.stdout.contains("\(layout.user.path) (user)"), "\(table.stdout)")
        #expect(!table.stdout.contains("(./Zoo)"), "the working directory has no Zoo/: \(table.stdout)")

        let image = Self.vit.appendingPathComponent("image0.ppm").path
        for model in ["vit-tiny", "vit-mine"] {
            let classify = try zoo(layout, ["classify", "--model", model, image])
            #expect(classify.status == 0 && classify.stdout.hasPrefix(image + "\tclass"), "\(model): \(classify.stderr)")
        }
    }

    /// --zoo comes before ZOO_DIR, which comes before ./Zoo (only with an index), the installed
    /// zoo and the user's; a name in two zoos is the first one's.
    @Test func searchOrderAndAnUnknownModelNamesTheZoosSearched() throws {
        let layout = try install()
        defer { try? FileManager.default.removeItem(at: layout.root) }
        let option = layout.root.appendingPathComponent("option"), env = layout.root.appendingPathComponent("env")
        let local = layout.elsewhere.appendingPathComponent("Zoo")
        for zoo in [option, env, local] { try importViT(to: zoo.appendingPathComponent("vit-tiny")) }
        func origin(_ arguments: [String], zooDir: String?) throws -> String? {
            let r = try zoo(layout, ["list", "--json"] + arguments, zooDir: zooDir)
            #expect(r.status == 0, "\(r.stderr)")
            return try Self.objects(r.stdout).first { $0["name"] as? String == "vit-tiny" }?["origin"] as? String
        }
        #expect(try origin(["--zoo", option.path], zooDir: env.path) == "--zoo")
        #expect(try origin([], zooDir: env.path) == "ZOO_DIR")
        #expect(try origin([], zooDir: nil) == "./Zoo")
        try FileManager.default.removeItem(at: local.appendingPathComponent("index.json"))
        #expect(try origin([], zooDir: nil) == "installed", "a ./Zoo without index.json is not searched")

        // A model command resolves the name as list does: a broken entry in --zoo is the one read.
        try Data("{".utf8).write(to: option.appendingPathComponent("vit-tiny/config.json"))
        let broken = try zoo(layout, ["classify", "--zoo", option.path, "--model", "vit-tiny", Self.vit.appendingPathComponent("image0.ppm").path])
        #expect(broken.status == 1 && broken.stderr.contains(option.path + "/vit-tiny/config.json"), "\(broken.stderr)")

        let missing = try zoo(layout, ["classify", "--zoo", option.path, "--model", "no-such-model", "x.ppm"], zooDir: env.path)
        #expect(missing.status == 1)
        let lines = missing.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("Error: no model 'no-such-model'"), "\(missing.stderr)")
        for searched in ["\(option.path) (--zoo)", "\(env.path) (ZOO_DIR)", "\(layout.installed.path) (installed)", "\(layout.user.path) (user)",
                         "--zoo DIR", "ZOO_DIR", "known: vit-tiny"] {
            #expect(missing.stderr.contains(searched), "no \(searched) in \(missing.stderr)")
        }
    }
}
