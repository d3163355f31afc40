import Foundation
import Data
import Layers
import Models
import ModelZoo
import Recipes
import Tasks
import Tensors
import TestSupport
import Testing

/// Images in memory for sampler tests: image i is uniformly i / count, label i mod classes.
struct SyntheticImages: LabeledImages {
    var count: Int
    var classNames = ["a", "b", "c"]
    func label(at index: Int) -> Int { index % classNames.count }
    func image(at index: Int) throws -> Image { Image(width: 4, height: 4, channels: 1, repeating: Float(index) / Float(count)) }
}

@Suite struct ImageAugmentationTests {
    /// 3×4 single-channel ramp: value = 10·y + x.
    static let ramp: [Float] = (0..<3).flatMap { y in (0..<4).map { x in Float(10 * y + x) } }

    @Test func cropWithPaddingKeepsTheSizeAndShiftsTheContentExactly() {
        let a = ImageAugmentation(cropPadding: 2)
        // Corner (3, 1) in the padded image: the crop starts 1 right of and 1 above the original.
        let out = a.apply(.init(x: 3, y: 1, flip: false), to: Self.ramp, channels: 1, height: 3, width: 4, fill: [-7])
        #expect(out.count == Self.ramp.count)
        let expected: [Float] = [-7, -7, -7, -7,
                                 1, 2, 3, -7,
                                 11, 12, 13, -7]
        #expect(out == expected)
        // The centre corner (P, P) is the identity.
        #expect(a.apply(.init(x: 2, y: 2, flip: false), to: Self.ramp, channels: 1, height: 3, width: 4) == Self.ramp)
    }

    @Test func flipMirrorsEachRowAndTwiceIsTheIdentity() {
        let a = ImageAugmentation(horizontalFlip: true)
        let rgb: [Float] = (0..<24).map(Float.init)  // [3, 2, 4]
        let once = a.apply(.init(x: 0, y: 0, flip: true), to: rgb, channels: 3, height: 2, width: 4)
        #expect(Array(once[0..<4]) == [3, 2, 1, 0])
        #expect(Array(once[20..<24]) == [23, 22, 21, 20])
        #expect(a.apply(.init(x: 0, y: 0, flip: true), to: once, channels: 3, height: 2, width: 4) == rgb)
    }

    @Test func drawsAreDeterministicForASeedAndCoverTheirRange() {
        let a = ImageAugmentation(cropPadding: 2, horizontalFlip: true)
        var g1 = RandomGenerator(seed: 5), g2 = RandomGenerator(seed: 5), g3 = RandomGenerator(seed: 6)
        let d1 = (0..<200).map { _ in a.draw(&g1) }, d2 = (0..<200).map { _ in a.draw(&g2) }, d3 = (0..<200).map { _ in a.draw(&g3) }
        #expect(d1 == d2)
        #expect(d1 != d3)
        #expect(Set(d1.map(\.x)) == Set(0...4) && Set(d1.map(\.y)) == Set(0...4))
        #expect(Set(d1.map(\.flip)) == [true, false])
        // Disabled options draw nothing.
        var g4 = RandomGenerator(seed: 5)
        _ = ImageAugmentation().draw(&g4)
        #expect(g4.state == RandomGenerator(seed: 5).state)
    }
}

@Suite struct ImageClassificationTaskTests {
    static func task(count: Int = 10) throws -> (ImageClassificationTask, RandomGenerator) {
        let p = ImagePreprocessing(channels: 1, width: 4, height: 4)
        let data = try PreprocessedImages(SyntheticImages(count: count), preprocessing: p)
        let config = VisionTransformerConfig(imageWidth: 4, imageHeight: 4, channels: 1, patchSize: 2, dModel: 8, heads: 2,
                                             ffnDim: 16, layers: 1, labels: ["a", "b", "c"])
        let start = RandomGenerator(seed: 42)
        let task = try ImageClassificationTask(model: VisionTransformer(config), train: data, validation: data,
                                               augmentation: .init(cropPadding: 1, horizontalFlip: true), dataGenerator: start)
        return (task, start)
    }

    @Test func everyImageComesOncePerEpoch() throws {
        let (task, start) = try Self.task(count: 10)
        var g = start
        // Without augmentation the pixels identify the images; read back through labels and values.
        var seen: [Float] = []
        let plain = try ImageClassificationTask(model: task.model, train: task.train, validation: task.validation, dataGenerator: start)
        for _ in 0..<5 { seen += plain.makeBatch(tokens: 4, generator: &g).images.scalars.enumerated().filter { $0.offset % 16 == 0 }.map(\.element) }
        let first = seen.prefix(10).map { Int(($0 * 10).rounded()) }, second = seen[10..<20].map { Int(($0 * 10).rounded()) }
        #expect(Set(first) == Set(0..<10) && Set(second) == Set(0..<10))
        #expect(first != Array(0..<10), "the epoch order should be shuffled")
        #expect(task.tokenCount(of: plain.makeBatch(tokens: 4, generator: &g)) == 4)
    }

    /// A fresh task given the generator state after k batches (as `--resume` restores it) makes
    /// exactly the batch an uninterrupted task makes next, augmentation included.
    @Test func aResumedTaskReplaysTheEpochOrderBitExactly() throws {
        let (a, start) = try Self.task(count: 10)
        var g = start
        var batches: [[Float]] = [], states: [RandomGenerator] = []
        for _ in 0..<7 {
            states.append(g)
            batches.append(a.makeBatch(tokens: 3, generator: &g).images.scalars)
        }
        for k in [1, 4, 6] {
            let (b, _) = try Self.task(count: 10)
            var resumed = states[k]
            #expect(b.makeBatch(tokens: 3, generator: &resumed).images.scalars == batches[k], "batch \(k)")
        }
    }

    @Test func evaluationReportsLossAndAccuracyOnAllImages() throws {
        let (task, _) = try Self.task(count: 9)
        task.model.setTraining(false)
        let m = task.evaluate(batches: 0)
        #expect(m.keys.sorted() == ["accuracy", "loss"])
        #expect(m["loss"]! > 0 && (0...1).contains(m["accuracy"]!))
        let measured = ImageClassificationTask.measure(task.model, on: task.validation, batchSize: 4)
        #expect(measured.predictions.count == 9)
        #expect(abs(measured.accuracy - m["accuracy"]!) < 1e-12)
    }
}

@Suite struct ImageRecipeTests {
    init() { TrainingFixtures.registerFamilies() }

    static let valid = """
        name: tiny-vit
        task: image-classification
        data:
          train: images/train
          crop_padding: 2
          horizontal_flip: true
          mean: [0.5]
          std: [0.25]
        model:
          d_model: 16
          heads: 2
          layers: 1
          patch_size: 4
          image_size: 8
          stem: {channels: [8], strides: [1]}
        training:
          steps: 10
          batch_size: 32
        """

    static func message(_ yaml: String) -> String {
        TrainingFixtures.errorMessage { try RecipeLoader.parse(yaml, file: "Recipes/tiny-vit.yaml") }
    }

    static func variant(_ old: String, _ new: String) -> String {
        var lines = valid.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let i = lines.firstIndex { $0.contains(old) }!
        lines[i] = new
        return lines.joined(separator: "\n")
    }

    @Test func validImageRecipeParsesWithDefaults() throws {
        let r = try RecipeLoader.parse(Self.valid, file: "Recipes/tiny-vit.yaml")
        #expect(r.task == .imageClassification && r.tokenizer == nil && r.model.stack == .encoder && r.model.encoderLayers == 1)
        #expect(r.images.cropPadding == 2 && r.images.horizontalFlip && r.images.mean == [0.5] && r.images.std == [0.25])
        #expect(r.images.patchSize == 4 && r.images.imageSize == 8 && r.images.channels == nil)
        #expect(r.images.stem == .init(channels: [8], strides: [1]))
        #expect(r.images.batchSize == 32 && r.training.batchTokens == 32)
        let shipped = try RecipeLoader.load(path: ZooCLIFixtures.root.appendingPathComponent("Recipes/vit-fashion-mnist.yaml").path)
        #expect(shipped.data.source == "fashion-mnist" && shipped.images.patchSize == 2 && shipped.images.stem == .init(channels: [32, 64], strides: [1, 2]) && shipped.images.cropPadding == 2)
    }

    @Test func imageKeyErrorsNameFileLineAndKey() {
        let cases: [(String, String, String)] = [
            ("crop_padding", "  crop_pading: 2", "Recipes/tiny-vit.yaml:5:3: key 'data.crop_pading': unknown key (did you mean 'crop_padding'?)"),
            ("horizontal_flip", "  horizontal_flip: maybe", "Recipes/tiny-vit.yaml:6:20: key 'data.horizontal_flip': expected true or false, found \"maybe\""),
            ("mean", "  mean: [0.5, two]", "key 'data.mean'"),
            ("patch_size", "  patch_size: 3", "key 'model.patch_size': patch_size 3 does not divide image_size 8"),
            ("stem", "  stem: {channels: [8, 16], strides: [1]}", "key 'model.stem.strides': 1 strides for 2 convolutions"),
            ("batch_size", "  batch_tokens: 32", "key 'training.batch_tokens': an image-classification recipe gives batch_size"),
            ("d_model", "  stack: decoder-only\n  d_model: 16", "key 'model.stack': the image-classification task needs stack encoder"),
        ]
        for (old, new, expected) in cases {
            let m = Self.message(Self.variant(old, new))
            #expect(m.contains(expected), "\(new): \(m)")
            #expect(m.hasPrefix("Recipes/tiny-vit.yaml:"), "\(new): \(m)")
        }
        #expect(Self.message(Self.variant("patch_size", "")).contains("key 'model.patch_size': required key is missing"))
    }
}

/// Where the shared fixtures are (the image folder of `Tests/Fixtures/make_image_folder.py`).
enum ZooCLIFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let imageFolder = root.appendingPathComponent("Tests/Fixtures/image-folder")
}

@Suite struct ImageClassificationRunTests {
    init() { TrainingFixtures.registerFamilies() }

    /// A tiny ViT recipe on the fixture folder: trains, measures the test folder, exports an
    /// entry that lists, loads as a classifier and reproduces the exported test accuracy.
    @Test func tinyRecipeTrainsExportsAndClassifies() throws {
        let dir = try TrainingFixtures.temporaryDirectory("vit")
        defer { try? FileManager.default.removeItem(at: dir) }
        let images = ZooCLIFixtures.imageFolder.path
        let yaml = """
            name: tiny-vit
            task: image-classification
            data: {train: \(images)/train, validation: \(images)/test, test: \(images)/test, crop_padding: 1, horizontal_flip: true}
            model: {d_model: 16, heads: 2, layers: 1, ffn: 32, patch_size: 4, dropout: 0.0}
            training: {steps: 60, batch_size: 12, learning_rate: 3e-3, warmup: 5, seed: 1}
            evaluation: {every: 30, batches: 0}
            checkpoint: {every: 30}
            """
        let file = dir.appendingPathComponent("tiny-vit.yaml")
        try Data(yaml.utf8).write(to: file)
        var options = RecipeRun.Options(output: dir.appendingPathComponent("Zoo/tiny-vit"), workDirectory: dir.appendingPathComponent("work"))
        options.progress = .silent
        let result = try RecipeRun.run(try RecipeLoader.load(path: file.path), options: options)
        let entry = try #require(result.entry)
        #expect(entry.config.task == .imageClassification && entry.config.vision?.labels == ["bright", "dark", "split"])
        #expect(result.summary.tokens == 60 * 12)
        let accuracy = try #require(entry.config.metrics["test_accuracy"])
        #expect(accuracy >= 0.99, "three easy classes should be learned in 60 steps, got \(accuracy)")
        #expect(entry.config.metrics["val_accuracy"] != nil && entry.config.metrics["val_loss"] != nil)
        let card = try #require(entry.card)
        #expect(card.contains("test accuracy") && card.contains("the 9 images of") && card.contains("confusion matrix"))

        let listed = try ZooRegistry(root: dir.appendingPathComponent("Zoo")).entries()
        #expect(listed.map(\.name) == ["tiny-vit"] && listed[0].task == .imageClassification)
        let classifier = try entry.loadImageClassifier()
        let folder = try ImageFolder(path: images + "/test")
        let matrix = try classifier.evaluate(folder, labelMap: folder.labelMap(to: classifier.labels))
        #expect(matrix.total == 9 && abs(matrix.accuracy - accuracy) < 1e-9)
        let top = classifier.top(2, of: [try folder.image(at: 0)])[0]
        #expect(top.count == 2 && top[0].probability >= top[1].probability && top[0].label == "bright")
    }
}
