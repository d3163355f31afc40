import Foundation
import Testing

/// `make install` as a user runs it, into a temporary PREFIX (with this test's debug `zoo` as the
/// binary, through the install-files step `install` ends with), then used from another directory.
@Suite struct MakeInstallCLITests {
    let cli = ZooCLITests()

    @Test func installedZooListsGeneratesAndClassifiesFromAnotherDirectory() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-make-install-\(UUID().uuidString)")
        let prefix = root.appendingPathComponent("prefix"), elsewhere = root.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let install = try cli.run(["make", "--no-print-directory", "install-files", "PREFIX=\(prefix.path)", "ZOO=\(ZooCLITests.zoo.path)"],
                                  executable: URL(fileURLWithPath: "/usr/bin/env"))
        try #require(install.status == 0, "\(install.stderr)")
        for file in ["bin/zoo", "share/transformer-zoo/Zoo/index.json", "share/transformer-zoo/Recipes/gpt-kjv.yaml",
                     "share/transformer-zoo/Tokenizers/kjv-unigram-8000.model", "share/bash-completion/completions/zoo",
                     "share/zsh/site-functions/_zoo", "share/fish/vendor_completions.d/zoo.fish",
                     "share/transformer-zoo/docs/attention/gpt-kjv/index.html"] {
            #expect(FileManager.default.fileExists(atPath: prefix.appendingPathComponent(file).path), "make install wrote no \(file)")
        }
        let zoo = prefix.appendingPathComponent("bin/zoo")
        let isolated: [String: String?] = ["ZOO_DIR": nil, "XDG_DATA_HOME": root.appendingPathComponent("xdg").path]

        let list = try cli.run(["list", "--json"], in: elsewhere, environment: isolated, executable: zoo)
        #expect(list.status == 0, "\(list.stderr)")
        let shipped = try FileManager.default.contentsOfDirectory(atPath: ZooCLITests.root.appendingPathComponent("Zoo").path).filter { !$0.hasPrefix(".") && $0 != "index.json" }
        let listed = try JSONLinesCLITests.objects(list.stdout)
        #expect(Set(listed.compactMap { $0["name"] as? String }) == Set(shipped))
        #expect(listed.allSatisfy { ($0["origin"] as? String) == "installed" }, "\(list.stdout)")

        let generate = try cli.run(["generate", "--model", "gpt-kjv", "--prompt", "In the beginning", "--temperature", "0", "--max-tokens", "5"], in: elsewhere, environment: isolated, executable: zoo)
        #expect(generate.status == 0 && generate.stdout.hasPrefix("In the beginning") && generate.stdout.count > "In the beginning\n".count,
                "\(generate.stdout) \(generate.stderr)")

        let images = ZooCLITests.fixtures.appendingPathComponent("image-folder/test")
        let classify = try cli.run(["classify", "--model", "vit-fashion-mnist", images.path, "--json"], in: elsewhere, environment: isolated, executable: zoo)
        #expect(classify.status == 0, "\(classify.stderr)")
        let objects = try JSONLinesCLITests.objects(classify.stdout)
        #expect(objects.count == 9 && objects.allSatisfy { $0["label"] is String && $0["probability"] is Double }, "\(classify.stdout)")
        #expect(objects.compactMap { $0["input"] as? String } == objects.compactMap { $0["input"] as? String }.sorted())
    }
}
