import Foundation

/// A labelled image data set: Fashion-MNIST's IDX files or a folder of images per class.
public protocol LabeledImages {
    var count: Int { get }
    /// Class names; labels index into them.
    var classNames: [String] { get }
    func label(at index: Int) -> Int
    /// The image of item `index`; reading it from disk may fail.
    func image(at index: Int) throws -> Image
}

/// A folder that cannot be read as an image data set.
public enum ImageFolderError: Error, CustomStringConvertible, Equatable {
    case notADirectory(path: String)
    case noClasses(path: String)
    case emptyClass(path: String)
    /// A class folder whose name is not among the model's classes.
    case unknownClass(path: String, name: String, known: [String])
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .notADirectory(let p): "\(p): no such directory"
        case .noClasses(let p): "\(p): no class folders; expected one folder per class holding its images (\(p)/<label>/*.ppm or *.pgm)"
        case .emptyClass(let p): "\(p): the class folder holds no .ppm, .pgm or .pnm images"
        case .unknownClass(let p, let n, let k): "\(p): class \"\(n)\" is not one of the model's classes (\(k.joined(separator: ", ")))"
        case .writeFailed(let p, let r): "cannot write \(p): \(r)"
        }
    }
}

/// A folder of images with one subfolder per class, `ROOT/<label>/*.ppm|*.pgm|*.pnm`, as
/// torchvision's `ImageFolder`: class names are the subfolder names sorted (so label `i` is the
/// `i`-th name), images are sorted by file name within a class, hidden entries and files of
/// other types are ignored. Scanning checks the layout; images are read when asked for, so an
/// unreadable one is reported by `image(at:)` (or by `readAll()` up front) with its file name.
public struct ImageFolder: LabeledImages, Sendable {
    public let root: String
    public let classNames: [String]
    /// Every image's path, class by class.
    public let files: [String]
    public let labels: [Int]

    /// The file extensions read (case-insensitive).
    public static let extensions: Set<String> = ["ppm", "pgm", "pnm"]

    public init(path root: String) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ImageFolderError.notADirectory(path: root)
        }
        let base = URL(fileURLWithPath: root)
        let entries = ((try? fm.contentsOfDirectory(atPath: root)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        let classes = entries.filter { name in
            var d: ObjCBool = false
            return fm.fileExists(atPath: base.appendingPathComponent(name).path, isDirectory: &d) && d.boolValue
        }
        guard !classes.isEmpty else { throw ImageFolderError.noClasses(path: root) }
        var files: [String] = [], labels: [Int] = []
        for (label, name) in classes.enumerated() {
            let folder = base.appendingPathComponent(name)
            let images = ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? [])
                .filter { !$0.hasPrefix(".") && Self.extensions.contains(($0 as NSString).pathExtension.lowercased()) }
                .sorted()
            guard !images.isEmpty else { throw ImageFolderError.emptyClass(path: folder.path) }
            files += images.map { folder.appendingPathComponent($0).path }
            labels += repeatElement(label, count: images.count)
        }
        self.root = root
        self.classNames = classes
        self.files = files
        self.labels = labels
    }

    public var count: Int { files.count }
    public func label(at index: Int) -> Int { labels[index] }
    public func image(at index: Int) throws -> Image { try Image(contentsOfFile: files[index]) }

    /// Every image, read now: the first unreadable one throws its `ImageError`.
    public func readAll() throws -> [Image] { try files.map { try Image(contentsOfFile: $0) } }

    /// For each of this folder's classes, the index of the same class in `modelClasses` (compared
    /// through `directoryName(forClass:)`, so "T-shirt/top" matches the folder `T-shirt-top`).
    public func labelMap(to modelClasses: [String]) throws -> [Int] {
        let index = Dictionary(modelClasses.enumerated().map { (Self.directoryName(forClass: $0.element), $0.offset) }, uniquingKeysWith: { a, _ in a })
        return try classNames.map { name in
            guard let i = index[Self.directoryName(forClass: name)] else {
                throw ImageFolderError.unknownClass(path: URL(fileURLWithPath: root).appendingPathComponent(name).path, name: name, known: modelClasses)
            }
            return i
        }
    }

    /// A class name as a folder name: path separators become `-` ("T-shirt/top" → `T-shirt-top`).
    public static func directoryName(forClass name: String) -> String {
        let safe = String(name.map { $0 == "/" || $0 == "\\" || $0 == "\0" ? "-" : $0 })
        return safe.isEmpty || safe == "." || safe == ".." ? "class-" + safe : safe
    }

    /// Writes items `0..<limit` of `data` as `directory/<class>/<index>.pgm` (grey) or `.ppm`
    /// (RGB), 8-bit binary, indices zero-padded so names sort in order; each file is written
    /// atomically. Returns how many images each class received.
    @discardableResult
    public static func export(_ data: some LabeledImages, to directory: String, limit: Int? = nil) throws -> [Int] {
        let n = min(limit ?? data.count, data.count)
        let base = URL(fileURLWithPath: directory)
        let folders = data.classNames.map { base.appendingPathComponent(directoryName(forClass: $0)) }
        var created = Set<Int>(), counts = [Int](repeating: 0, count: data.classNames.count)
        let digits = String(max(n - 1, 0)).count
        for i in 0..<n {
            let label = data.label(at: i)
            if !created.contains(label) {
                do {
                    try FileManager.default.createDirectory(at: folders[label], withIntermediateDirectories: true)
                } catch {
                    throw ImageFolderError.writeFailed(path: folders[label].path, reason: FileProblem.reason(error, path: folders[label].path, directory: true))
                }
                created.insert(label)
            }
            let image = try data.image(at: i)
            let name = String(repeating: "0", count: digits - String(i).count) + String(i) + (image.channels == 1 ? ".pgm" : ".ppm")
            try image.write(to: folders[label].appendingPathComponent(name).path)
            counts[label] += 1
        }
        return counts
    }
}
