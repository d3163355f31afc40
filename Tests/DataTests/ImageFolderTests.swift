import Foundation
import Data
import Testing

/// Folders of images, one subfolder per class: export, reading back, and clear errors.
@Suite struct ImageFolderTests {
    @Test func exportedFashionMNISTReadsBackAsAnImageFolder() throws {
        let set = try FashionMNIST.load(.test, directory: IDXTests.fixtures.path)
        let dir = try TemporaryDirectory()
        let counts = try ImageFolder.export(set, to: dir.url.path, limit: 11)
        #expect(counts.reduce(0, +) == 11)
        #expect(FileManager.default.fileExists(atPath: dir.path("T-shirt-top/00.pgm")))
        #expect(FileManager.default.fileExists(atPath: dir.path("Dress/01.pgm")))  // the fixture's label i is 3i mod 10
        #expect(FileManager.default.fileExists(atPath: dir.path("T-shirt-top/10.pgm")))

        let folder = try ImageFolder(path: dir.url.path)
        #expect(folder.count == 11)
        #expect(folder.classNames == folder.classNames.sorted())
        let map = try folder.labelMap(to: FashionMNIST.classNames)
        for i in 0..<folder.count {
            let name = URL(fileURLWithPath: folder.files[i]).deletingPathExtension().lastPathComponent
            let index = Int(name)!
            #expect(map[folder.label(at: i)] == set.label(at: index), "\(folder.files[i])")
            #expect(try folder.image(at: i) == set.image(at: index))
        }
        #expect(try folder.readAll().count == 11)
    }

    @Test func classesAreSortedSubfoldersAndOtherEntriesAreIgnored() throws {
        let dir = try TemporaryDirectory()
        let fm = FileManager.default
        for name in ["zebra", "Apple", "mango", ".hidden"] { try fm.createDirectory(atPath: dir.path(name), withIntermediateDirectories: true) }
        let pixel = Image(width: 1, height: 1, channels: 3, pixels: [1, 0, 0])
        try pixel.write(to: dir.path("zebra/b.ppm"))
        try pixel.write(to: dir.path("zebra/a.PPM"))
        try Image(width: 1, height: 1, channels: 1, pixels: [0.3]).write(to: dir.path("Apple/x.pgm"))
        try pixel.write(to: dir.path("mango/m.pnm"))
        try pixel.write(to: dir.path(".hidden/h.ppm"))
        try Data("notes".utf8).write(to: URL(fileURLWithPath: dir.path("zebra/README.txt")))
        try pixel.write(to: dir.path("loose.ppm"))  // not in a class folder
        let folder = try ImageFolder(path: dir.url.path)
        #expect(folder.classNames == ["Apple", "mango", "zebra"])
        #expect(folder.files.map { URL(fileURLWithPath: $0).lastPathComponent } == ["x.pgm", "m.pnm", "a.PPM", "b.ppm"])
        #expect(folder.labels == [0, 1, 2, 2])
    }

    @Test func emptyAndMissingFoldersAndBadImagesGiveClearErrors() throws {
        let dir = try TemporaryDirectory()
        let fm = FileManager.default
        #expect(thrown(ImageFolderError.self) { _ = try ImageFolder(path: dir.path("nope")) }?.description == "\(dir.path("nope")): no such directory")
        #expect(thrown(ImageFolderError.self) { _ = try ImageFolder(path: dir.url.path) } == .noClasses(path: dir.url.path))
        try fm.createDirectory(atPath: dir.path("cat"), withIntermediateDirectories: true)
        try fm.createDirectory(atPath: dir.path("dog"), withIntermediateDirectories: true)
        try Image(width: 1, height: 1, channels: 1, repeating: 0).write(to: dir.path("cat/1.pgm"))
        let empty = thrown(ImageFolderError.self) { _ = try ImageFolder(path: dir.url.path) }
        #expect(empty == .emptyClass(path: dir.path("dog")))
        #expect(empty?.description == "\(dir.path("dog")): the class folder holds no .ppm, .pgm or .pnm images")

        try Data("P5 2 2 255\n\u{1}".utf8).write(to: URL(fileURLWithPath: dir.path("dog/broken.pgm")))
        let folder = try ImageFolder(path: dir.url.path)
        let bad = thrown(ImageError.self) { _ = try folder.readAll() }
        #expect(bad?.description.hasPrefix(dir.path("dog/broken.pgm") + ": the file is truncated") == true, "\(String(describing: bad))")
        let unknown = thrown(ImageFolderError.self) { _ = try folder.labelMap(to: ["cat", "bird"]) }
        #expect(unknown?.description.hasPrefix(dir.path("dog") + ": class \"dog\" is not one of the model's classes (cat, bird)") == true)
        #expect(try folder.labelMap(to: ["dog", "cat"]) == [1, 0])
    }

    @Test func classNamesBecomeSafeFolderNames() {
        #expect(ImageFolder.directoryName(forClass: "T-shirt/top") == "T-shirt-top")
        #expect(ImageFolder.directoryName(forClass: "Ankle boot") == "Ankle boot")
        #expect(ImageFolder.directoryName(forClass: "..") == "class-..")
    }
}
