import Foundation
import Layers
import Models

/// `attention.json`: every map's weights as nested arrays, with the tokens they relate, for
/// scripts (and, rounded, the data of `index.html`).
///
/// ```json
/// {"task": "translation", "model": "bible-en-es", "output": "…", "layers": 3, "heads": 4,
///  "tokens": {"source": ["The", " Lord", …], "target": […]},
///  "types": [{"type": "encoder-self", "queries": "source", "keys": "source"}, …],
///  "maps": [{"layer": 1, "type": "encoder-self", "weights": [[[…keys] …queries] …heads]}, …]}
/// ```
/// A vision model's document adds `image` (its size, patch grid and, in the page, the picture)
/// and `rollout` (tokens × tokens, `AttentionRollout`). Layers count from 1.
public struct AttentionDocument: Codable, Equatable {
    /// A kind of attention and which tokens are its queries and its keys ("source", "target").
    public struct Side: Codable, Equatable {
        public var type: String
        public var queries: String
        public var keys: String
    }
    /// One layer's weights of one kind of attention, every head.
    public struct Map: Codable, Equatable {
        public var layer: Int
        public var type: String
        /// [heads][queries][keys].
        public var weights: [[[Double]]]
    }
    /// The image a vision model saw, and its grid of patches.
    public struct Picture: Codable, Equatable {
        public var width: Int
        public var height: Int
        public var columns: Int
        public var rows: Int
        /// The picture as a PNG data URL (in the page only).
        public var png: String?
    }

    public var task: String
    public var model: String
    public var input: String?
    public var output: String?
    public var layers: Int
    public var heads: Int
    public var tokens: [String: [String]]
    public var types: [Side]
    public var maps: [Map]
    public var image: Picture?
    /// [queries][keys], for a single self-attention stack over an image.
    public var rollout: [[Double]]?

    /// `decimals` rounds the weights (the page needs 4, scripts all of a Float's).
    public init(_ a: AttentionMaps, input: String?, decimals: Int? = nil, picturePNG: [UInt8]? = nil) {
        let scale = decimals.map { pow(10, Double($0)) }
        func value(_ w: Float) -> Double {
            guard let scale else { return Double("\(w)") ?? Double(w) }  // the Float's shortest decimal
            return (Double(w) * scale).rounded() / scale
        }
        func rows(_ flat: ArraySlice<Float>, _ q: Int, _ k: Int) -> [[Double]] {
            let base = flat.startIndex
            return (0..<q).map { i in (0..<k).map { j in value(flat[base + i * k + j]) } }
        }
        task = a.task
        model = a.model
        self.input = input
        output = a.output
        layers = a.layers
        heads = a.heads
        tokens = a.sequences
        types = a.kinds.map { Side(type: $0.rawValue, queries: a.sides[$0]!.queries, keys: a.sides[$0]!.keys) }
        maps = a.maps.map { m in Map(layer: m.layer, type: m.kind.rawValue, weights: (0..<m.heads).map { rows(m.head($0), m.queries, m.keys) }) }
        if let p = a.picture {
            image = Picture(width: p.image.width, height: p.image.height, columns: p.columns, rows: p.rows,
                            png: picturePNG.map { "data:image/png;base64," + Data($0).base64EncodedString() })
            let stack = a.maps.filter { $0.kind == .selfAttention }
            let n = stack.first?.queries ?? 0
            let r = AttentionRollout.rollout(stack)
            rollout = rows(r[...], n, n)
        }
    }

    /// The document as compact JSON (the weights are many), keys sorted, "/" unescaped.
    public func json() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try! encoder.encode(self)  // strings, integers and finite-or-named numbers: cannot fail
    }
}
