import ArgumentParser
import Tasks

/// `zoo data fashion-mnist`: exports Fashion-MNIST from its Debian package as a folder of PGM images.
struct FashionMNISTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fashion-mnist",
        abstract: "Export Fashion-MNIST images as OUT/<class>/<index>.pgm.",
        discussion: """
            Reads the IDX files of the Debian package \(FashionMNIST.package) \
            (\(FashionMNIST.directory); apt-get install -y \(FashionMNIST.package)) and writes 8-bit \
            binary PGM files, one folder per class (the class name with "/" as "-", e.g. T-shirt-top), \
            named by the image's index in the split. --check also verifies the split is complete \
            (60,000 or 10,000 images of 28×28, equal class counts).

            Example:
              zoo data fashion-mnist --split test --out data/fashion-mnist/test --limit 20
            """
    )

    @Option(help: "train (60,000 images) or test (10,000).")
    var split = "test"

    @Option(help: "The directory to write the class folders into.")
    var out: String

    @Option(help: "Export only the first N images of the split.")
    var limit: Int?

    @Option(help: "The directory holding the IDX files.")
    var from = FashionMNIST.directory

    @Flag(help: "Verify the whole split (count, size, class balance) before exporting.")
    var check = false

    func validate() throws {
        if FashionMNIST.Split(rawValue: split) == nil { throw ValidationError("--split must be train or test, not '\(split)'") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1 (got \(limit))") }
    }

    func run() throws {
        let split = FashionMNIST.Split(rawValue: split)!
        let set = try FashionMNIST.load(split, directory: from)
        if check {
            try FashionMNIST.verify(set, split: split, directory: from)
            print("\(split.rawValue): \(set.count) images of \(set.width)×\(set.height), \(set.classCounts[0]) per class: OK")
        }
        let counts = try ImageFolder.export(set, to: out, limit: limit)
        let perClass = zip(FashionMNIST.classNames, counts).map { "\($0.1) \($0.0)" }.joined(separator: ", ")
        print("wrote \(counts.reduce(0, +)) images of \(set.width)×\(set.height) to \(out) (\(perClass))")
    }
}
