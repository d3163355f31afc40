import Foundation
import Testing

/// `zoo show` on the shipped vit-fashion-mnist: the card for a terminal, the numbers of its
/// config.json, the data's credit and the files with their sizes; --json the same as one object.
@Suite struct ShowCLITests {
    let cli = ZooCLITests()
    static let entry = ZooCLITests.root.appendingPathComponent("Zoo/vit-fashion-mnist")

    @Test func showRendersTheCardMetricsCreditAndFiles() throws {
        let r = try cli.run(["show", "vit-fashion-mnist"], environment: ["ZOO_DIR": nil])
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")
        let lines = r.stdout.components(separatedBy: "\n")
        #expect(Array(lines.prefix(2)) == ["vit-fashion-mnist", "================="], "\(lines.prefix(2))")
        // The facts table as aligned columns: no pipes, values in one column.
        #expect(!lines.contains { $0.hasPrefix("|") }, "a markdown table is left: \(r.stdout)")
        let task = try #require(lines.first { $0.hasPrefix("  task ") }, "\(r.stdout)")
        let data = try #require(lines.first { $0.hasPrefix("  data ") })
        #expect(task.hasSuffix("image-classification"))
        #expect(task.range(of: "image-classification")?.lowerBound.utf16Offset(in: task)
                == data.range(of: "the built-in")?.lowerBound.utf16Offset(in: data), "columns not aligned:\n\(task)\n\(data)")
        let accuracy = try #require(try ZooCLITests.shippedMetrics("vit-fashion-mnist")["test_accuracy"])
        #expect(lines.contains { $0.hasPrefix("  test_accuracy") && $0.hasSuffix(String(format: " %.4f", accuracy)) }, "\(r.stdout)")
        #expect(lines.contains { $0.hasPrefix("  steps") && $0.hasSuffix("4500") })
        // Wall time as the card writes it ("45m53s on 2 cores of …"), not in seconds.
        let card = try String(contentsOf: Self.entry.appendingPathComponent("card.md"), encoding: .utf8)
        let wall = try #require(card.components(separatedBy: "| wall time | ").dropFirst().first?.split(separator: " ").first)
        #expect(wall.contains("m") && !wall.contains("."), "\(wall)")
        #expect(lines.contains { $0.hasPrefix("  wall time") && $0.hasSuffix(" \(wall)") }, "\(r.stdout)")
        #expect(r.stdout.contains("Data credit\n-----------\n  Fashion-MNIST") && r.stdout.contains("MIT licence"))
        let bytes = try FileManager.default.attributesOfItem(atPath: Self.entry.appendingPathComponent("model.safetensors").path)[.size] as? Int
        let size = String(format: "%.1f MB", Double(try #require(bytes)) / 1e6)  // 590 k parameters: 2.4 MB
        #expect(lines.contains { $0.hasPrefix("  model.safetensors") && $0.hasSuffix(size) }, "no \(size): \(r.stdout)")
    }

    @Test func showJSONHasConfigMetricsFilesFactsAndCredit() throws {
        let r = try cli.run(["show", Self.entry.path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasSuffix("\n") && r.stdout.dropLast().split(separator: "\n").count == 1, "one line: \(r.stdout)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.entry.appendingPathComponent("config.json"))) as? [String: Any])
        #expect(object["name"] as? String == "vit-fashion-mnist" && object["task"] as? String == "image-classification")
        #expect((object["config"] as? NSDictionary) == (config as NSDictionary))
        #expect((object["metrics"] as? [String: Double]) == (config["metrics"] as? [String: Double]))
        #expect((object["facts"] as? [String: String])?["task"] == "image-classification", "\(object["facts"] ?? "")")
        #expect((object["credit"] as? String)?.contains("Fashion-MNIST") == true)
        #expect((object["training"] as? [String: String])?["steps"] == "4500")
        let files = try #require(object["files"] as? [[String: Any]])
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.entry.path).filter { !$0.hasPrefix(".") }.sorted()
        #expect(files.compactMap { $0["name"] as? String } == names)
        for file in files {
            let name = try #require(file["name"] as? String)
            let bytes = try FileManager.default.attributesOfItem(atPath: Self.entry.appendingPathComponent(name).path)[.size] as? Int
            #expect(file["bytes"] as? Int == bytes, "\(name)")
        }

        let missing = try cli.run(["show", "no-such-model"])
        #expect(missing.status == 1 && missing.stderr.hasPrefix("Error: no model 'no-such-model'") && missing.stderr.split(separator: "\n").count == 1)
    }
}
