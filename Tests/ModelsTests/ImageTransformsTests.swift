import Foundation
import Data
import Layers
import Models
import Tensors
import Testing

/// Channel conversion, bilinear resizing and normalization, against formulas written out here and
/// against Pillow (Tests/Fixtures/make_image_fixtures.py).
@Suite struct ImageTransformsTests {
    static func randomImage(width: Int, height: Int, channels: Int, seed: UInt64) -> Image {
        var g = RandomGenerator(seed: seed)
        return Image(width: width, height: height, channels: channels, pixels: (0..<(width * height * channels)).map { _ in g.nextFloat() })
    }

    /// Plain bilinear interpolation with half-pixel centres, written as PyTorch's
    /// `upsample_bilinear2d` (align_corners=False, antialias=False): source coordinate
    /// (i + 0.5) · in/out − 0.5, clamped below at 0, neighbours clamped at the last pixel.
    static func referenceBilinear(_ image: Image, width: Int, height: Int) -> Image {
        func source(_ i: Int, _ input: Int, _ output: Int) -> (Int, Int, Float) {
            let s = max((Double(i) + 0.5) * Double(input) / Double(output) - 0.5, 0)
            let i0 = min(Int(s), input - 1)
            return (i0, min(i0 + 1, input - 1), Float(s - Double(i0)))
        }
        var out = Image(width: width, height: height, channels: image.channels, repeating: 0)
        for y in 0..<height {
            let (y0, y1, ly) = source(y, image.height, height)
            for x in 0..<width {
                let (x0, x1, lx) = source(x, image.width, width)
                for c in 0..<image.channels {
                    let top = (1 - lx) * image[x0, y0, c] + lx * image[x1, y0, c]
                    let bottom = (1 - lx) * image[x0, y1, c] + lx * image[x1, y1, c]
                    out[x, y, c] = (1 - ly) * top + ly * bottom
                }
            }
        }
        return out
    }

    static func largestDifference(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count)
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    // MARK: Channels

    @Test func greyIsReplicatedIntoRGB() {
        let grey = Image(width: 2, height: 1, channels: 1, pixels: [0.25, 1])
        #expect(grey.converted(toChannels: 3).pixels == [0.25, 0.25, 0.25, 1, 1, 1])
        #expect(grey.converted(toChannels: 1) == grey)
    }

    @Test func rgbBecomesGreyWithBT601LumaWeights() {
        let rgb = Image(width: 3, height: 1, channels: 3, pixels: [1, 0, 0, 0, 1, 0, 0, 0, 1])
        let grey = rgb.converted(toChannels: 1)
        #expect(Self.largestDifference(grey.pixels, [0.299, 0.587, 0.114]) < 1e-7)
    }

    @Test func rgbToGreyMatchesPillowConvertL() throws {
        let expected = try PillowFixtures.expected()
        #expect(!expected.grey.isEmpty)
        for case_ in expected.grey {
            let grey = try Image(contentsOfFile: PillowFixtures.fixtures.appendingPathComponent(case_.source).path).converted(toChannels: 1)
            // Pillow rounds its 16-bit fixed-point luma to 8 bits: we agree to within that rounding.
            let worst = Self.largestDifference(grey.pixels.map { $0 * 255 }, case_.pixels.map(Float.init))
            #expect(worst <= 0.51, "\(case_.source): \(worst) levels from Pillow")
        }
    }

    // MARK: Resizing

    @Test func resizeMatchesPillowBilinear() throws {
        let expected = try PillowFixtures.expected()
        #expect(expected.resizes.count == 16)
        for r in expected.resizes {
            let source = try Image(contentsOfFile: PillowFixtures.fixtures.appendingPathComponent(r.source).path)
            let resized = source.resized(width: r.width, height: r.height)
            #expect(resized.width == r.width && resized.height == r.height && resized.channels == source.channels)
            let worst = Self.largestDifference(resized.pixels, r.pixels)
            #expect(worst < 1e-4, "\(r.source) → \(r.width)×\(r.height): \(worst) from Pillow")
        }
    }

    @Test func enlargingIsPlainBilinearWithHalfPixelCentres() {
        for (w, h, c, tw, th) in [(2, 2, 1, 4, 4), (5, 4, 3, 8, 7), (3, 7, 1, 11, 7), (1, 3, 3, 4, 9), (6, 6, 1, 6, 13)] {
            let image = Self.randomImage(width: w, height: h, channels: c, seed: UInt64(w * 10 + h))
            let reference = Self.referenceBilinear(image, width: tw, height: th)
            for antialias in [true, false] {
                let worst = Self.largestDifference(image.resized(width: tw, height: th, antialias: antialias).pixels, reference.pixels)
                #expect(worst < 1e-5, "\(w)×\(h) → \(tw)×\(th), antialias \(antialias): \(worst)")
            }
        }
    }

    @Test func shrinkingWithoutAntialiasIsPlainBilinear() {
        for (w, h, c, tw, th) in [(4, 4, 1, 2, 2), (28, 28, 1, 12, 9), (9, 5, 3, 4, 3), (7, 7, 3, 1, 1), (10, 3, 1, 3, 5)] {
            let image = Self.randomImage(width: w, height: h, channels: c, seed: UInt64(w * 10 + h))
            let reference = Self.referenceBilinear(image, width: tw, height: th)
            let worst = Self.largestDifference(image.resized(width: tw, height: th, antialias: false).pixels, reference.pixels)
            #expect(worst < 1e-5, "\(w)×\(h) → \(tw)×\(th): \(worst)")
        }
    }

    @Test func halvingWithAntialiasAveragesFourPixelsWithTriangleWeights() {
        // Shrinking by 2 widens the triangle to radius 2: taps at distances 1.5, 0.5, 0.5, 1.5
        // weigh 1/4, 3/4, 3/4, 1/4, i.e. (1, 3, 3, 1) / 8, and (3, 3, 1) / 7 where the left tap falls off.
        let row = Image(width: 4, height: 1, channels: 1, pixels: [1, 2, 4, 8])
        let halved = row.resized(width: 2, height: 1)
        let expected: [Float] = [(3 * 1 + 3 * 2 + 4) / 7, (2 + 3 * 4 + 3 * 8) / 7]
        #expect(Self.largestDifference(halved.pixels, expected) < 1e-6)
    }

    @Test func resizingKeepsAConstantImageConstantAndTheSameSizeUnchanged() {
        let flat = Image(width: 7, height: 5, channels: 3, repeating: 0.375)
        for (w, h) in [(3, 2), (14, 11), (1, 1), (7, 9)] {
            #expect(Self.largestDifference(flat.resized(width: w, height: h).pixels, [Float](repeating: 0.375, count: w * h * 3)) < 1e-6)
        }
        let image = Self.randomImage(width: 4, height: 3, channels: 1, seed: 9)
        #expect(image.resized(width: 4, height: 3) == image)
    }

    // MARK: Normalization and tensors

    @Test func normalizationIsPerChannelAndChannelsFirst() {
        // Two RGB pixels side by side.
        let image = Image(width: 2, height: 1, channels: 3, pixels: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
        let values = image.chwValues(mean: [0.1, 0.2, 0.3], std: [0.5, 0.25, 0.1])
        let expected: [Float] = [0, 0.6, 0, 1.2, 0, 3]  // R of both pixels, then G, then B
        #expect(Self.largestDifference(values, expected) < 1e-6)
        let t = image.tensor(mean: [0.5], std: [0.5])
        #expect(t.shape == [3, 1, 2])
        #expect(Self.largestDifference(t.scalars, [-0.8, -0.2, -0.6, 0, -0.4, 0.2]) < 1e-6)
    }

    @Test func preprocessingConvertsResizesAndNormalizesToTheModelInput() {
        let rgb = Self.randomImage(width: 5, height: 4, channels: 3, seed: 1)
        let prep = ImagePreprocessing(channels: 1, width: 10, height: 8, mean: [0.5], std: [0.5])
        let t = prep(rgb)
        #expect(t.shape == [1, 8, 10])
        let manual = rgb.converted(toChannels: 1).resized(width: 10, height: 8).pixels.map { ($0 - 0.5) / 0.5 }
        #expect(Self.largestDifference(t.scalars, manual) < 1e-6)
        let grey = Self.randomImage(width: 28, height: 28, channels: 1, seed: 2)
        let batch = ImagePreprocessing(channels: 3, width: 32, height: 32).batch([grey, grey, grey])
        #expect(batch.shape == [3, 3, 32, 32])
        #expect(Array(batch.scalars[0..<(3 * 32 * 32)]) == Array(batch.scalars[(3 * 32 * 32)..<(6 * 32 * 32)]))
    }
}

/// Pillow's resizes and grey conversions of the image fixtures (Tests/Fixtures/make_image_fixtures.py).
enum PillowFixtures {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/images")

    struct Expected: Decodable {
        struct Resize: Decodable { let source: String; let width, height: Int; let pixels: [Float] }
        struct Grey: Decodable { let source: String; let pixels: [Int] }
        let resizes: [Resize]
        let grey: [Grey]
    }

    static func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: fixtures.appendingPathComponent("expected.json")))
    }
}
