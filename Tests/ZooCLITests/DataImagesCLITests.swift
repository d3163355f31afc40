import Foundation
import Testing

/// `zoo data fashion-mnist` on the tiny look-alike of the package's files (Tests/Fixtures/idx).
@Suite struct DataImagesCLITests {
    @Test func exportsAFolderOfPGMImagesPerClass() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-fashion-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let idx = ZooCLITests.fixtures.appendingPathComponent("idx").path
        let r = try ZooCLITests().run(["data", "fashion-mnist", "--split", "test", "--from", idx, "--out", out.path, "--limit", "4"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("wrote 4 images of 4×3 to \(out.path)"), "\(r.stdout)")
        // The fixture's labels are 3i mod 10: items 0...3 are T-shirt/top, Dress, Shirt, Ankle boot.
        for file in ["T-shirt-top/0.pgm", "Dress/1.pgm", "Shirt/2.pgm", "Ankle boot/3.pgm"] {
            let bytes = try Data(contentsOf: out.appendingPathComponent(file))
            #expect(bytes.prefix(11) == Data("P5\n4 3\n255\n".utf8), "\(file)")
        }
    }

    @Test func badArgumentsAndMissingFilesAreOneLineErrors() throws {
        let cli = ZooCLITests()
        let split = try cli.run(["data", "fashion-mnist", "--split", "validation", "--out", "/tmp/never"])
        #expect(split.status != 0 && split.stderr.hasPrefix("Error: --split must be train or test, not 'validation'"), "\(split.stderr)")
        let missing = try cli.run(["data", "fashion-mnist", "--from", "/nonexistent", "--out", "/tmp/never"])
        #expect(missing.status != 0)
        #expect(missing.stderr.hasPrefix("Error: /nonexistent/t10k-images-idx3-ubyte.gz: no such file"), "\(missing.stderr)")
    }
}
