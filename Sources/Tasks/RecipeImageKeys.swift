import Foundation

// The image-classification keys of a recipe (data: mean, std, crop_padding, horizontal_flip;
// model: image_size, channels, patch_size, stem). Their defaults and meaning are in Recipe.swift.

extension RecipeLoader {
    static func readImageData(_ f: RecipeFields, task: Recipe.Task, into data: inout Recipe.DataSection) throws {
        let keys = ["mean", "std", "crop_padding", "horizontal_flip"]
        if task != .imageClassification, let key = keys.first(where: f.has) {
            throw f.error(key, "'\(key)' is for image-classification recipes")
        }
        data.mean = try f.numberList("mean", .between(0, 1, openHigh: false)).map { $0.map { Float($0) } }
        data.std = try f.numberList("std", .greaterThan(0)).map { $0.map { Float($0) } }
        if let mean = data.mean, let std = data.std, mean.count != std.count, mean.count != 1, std.count != 1 {
            throw f.error("std", "\(std.count) standard deviations for \(mean.count) means")
        }
        if let v = try f.int("crop_padding", .atLeast(0)) { data.cropPadding = v }
        if let v = try f.bool("horizontal_flip") { data.horizontalFlip = v }
    }

    static func readImageModel(_ f: RecipeFields, task: Recipe.Task, into m: inout Recipe.ModelSection) throws {
        let keys = ["image_size", "channels", "patch_size", "stem"]
        guard task == .imageClassification else {
            if let key = keys.first(where: f.has) { throw f.error(key, "'\(key)' is for image-classification recipes") }
            return
        }
        m.imageSize = try f.int("image_size", .atLeast(1))
        if let c = try f.int("channels", .atLeast(1)) {
            guard c == 1 || c == 3 else { throw f.error("channels", "expected 1 (grey) or 3 (RGB), found \(c)") }
            m.channels = c
        }
        guard let patch = try f.int("patch_size", .atLeast(1)) else { throw f.missing("patch_size") }
        if let size = m.imageSize, size % patch != 0 {
            throw f.error("patch_size", "patch_size \(patch) does not divide image_size \(size)")
        }
        m.patchSize = patch
        if let stem = try f.section("stem", allowed: stemKeys) {
            guard let channels = try stem.integers("channels", .atLeast(1)) else { throw stem.missing("channels") }
            guard let strides = try stem.integers("strides", .between(1, 2, openHigh: false)) else { throw stem.missing("strides") }
            guard channels.count == strides.count else {
                throw stem.error("strides", "\(strides.count) strides for \(channels.count) convolutions (one each)")
            }
            m.stem = .init(channels: channels, strides: strides)
        }
    }
}
