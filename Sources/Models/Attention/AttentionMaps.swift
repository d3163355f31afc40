import Data
import Foundation
import Layers
import Tensors

/// One layer's attention of one kind for one input: every head's weights, queries × keys.
public struct AttentionMap: Sendable, Equatable {
    /// The layer, counted from 1 (as the pages and file names show it).
    public var layer: Int
    public var kind: AttentionKind
    public var heads: Int
    public var queries: Int
    public var keys: Int
    /// [heads, queries, keys], row-major.
    public var weights: [Float]

    public init(layer: Int, kind: AttentionKind, heads: Int, queries: Int, keys: Int, weights: [Float]) {
        precondition(weights.count == heads * queries * keys, "attention map: \(weights.count) weights for \(heads)×\(queries)×\(keys)")
        self.layer = layer
        self.kind = kind
        self.heads = heads
        self.queries = queries
        self.keys = keys
        self.weights = weights
    }

    /// The maps of batch item `item` of recorded weights ([B, heads, Tq, Tk] each), layers from 1.
    public static func maps(_ recorded: [AttentionWeights], item: Int = 0) -> [AttentionMap] {
        recorded.map { r in
            let s = r.weights.shape
            let size = s[1] * s[2] * s[3]
            let all = r.weights.scalars
            return AttentionMap(layer: r.layer + 1, kind: r.kind, heads: s[1], queries: s[2], keys: s[3],
                                weights: Array(all[(item * size)..<((item + 1) * size)]))
        }
    }

    public func weight(head: Int, query: Int, key: Int) -> Float { weights[(head * queries + query) * keys + key] }

    /// Head `head`'s weights, [queries, keys].
    public func head(_ head: Int) -> ArraySlice<Float> { weights[(head * queries * keys)..<((head + 1) * queries * keys)] }

    /// The mean over heads, [queries, keys].
    public var meanOverHeads: [Float] {
        var out = [Float](repeating: 0, count: queries * keys)
        for h in 0..<heads { for (i, w) in head(h).enumerated() { out[i] += w } }
        return out.map { $0 / Float(heads) }
    }
}

/// Which tokens a kind of attention relates: its queries' sequence and its keys'.
public struct AttentionSides: Sendable, Equatable, Codable {
    public var queries: String
    public var keys: String
    public init(queries: String, keys: String) {
        self.queries = queries
        self.keys = keys
    }
}

/// The picture a Vision Transformer saw, for drawing its attention over it: the image as the model
/// read it (converted and resized, samples in [0, 1]) and the grid of patches over it (of the
/// stem's feature map, when there is a stem, which covers the same picture). Token 0 is the class
/// token, tokens 1… the patches in row-major order.
public struct AttentionPicture: Sendable, Equatable {
    public var image: Image
    public var columns: Int
    public var rows: Int
    public init(image: Image, columns: Int, rows: Int) {
        self.image = image
        self.columns = columns
        self.rows = rows
    }
}

/// Every attention map of one model on one input, with the tokens they relate: what
/// `zoo attention` draws and saves. Each family's loader builds it (a translator over a sentence
/// and its translation, a language model over a prompt, a ViT over an image, a parser over a
/// sentence's pieces).
public struct AttentionMaps: Sendable, Equatable {
    /// The task family (`translation`, …) and the model's name, for titles.
    public var task: String
    public var model: String
    /// Named token sequences (`source`, `target`, `tokens`, `patches`), each token as readable text.
    public var sequences: [String: [String]]
    /// For each kind present, the sequences of its queries and keys.
    public var sides: [AttentionKind: AttentionSides]
    /// Layer by layer, kinds in `kinds` order within a layer.
    public var maps: [AttentionMap]
    /// What the model made of the input, as text (the translation, the continuation, the label).
    public var output: String?
    /// The image, for a vision model.
    public var picture: AttentionPicture?

    public init(task: String, model: String, sequences: [String: [String]], sides: [AttentionKind: AttentionSides], maps: [AttentionMap],
                output: String? = nil, picture: AttentionPicture? = nil) {
        self.task = task
        self.model = model
        self.sequences = sequences
        self.sides = sides
        self.maps = maps.sorted { ($0.layer, Self.order($0.kind)) < ($1.layer, Self.order($1.kind)) }
        self.output = output
        self.picture = picture
        for map in self.maps {
            let side = sides[map.kind]!
            precondition(sequences[side.queries]?.count == map.queries && sequences[side.keys]?.count == map.keys,
                         "attention map \(map.kind.rawValue) of layer \(map.layer) is \(map.queries)×\(map.keys), its tokens do not match")
        }
    }

    static func order(_ kind: AttentionKind) -> Int { AttentionKind.allCases.firstIndex(of: kind)! }

    /// The kinds present, in a fixed order (self; encoder-self, decoder-self, cross).
    public var kinds: [AttentionKind] { AttentionKind.allCases.filter { sides[$0] != nil } }
    public var layers: Int { maps.map(\.layer).max() ?? 0 }
    public var heads: Int { maps.first?.heads ?? 0 }

    public func map(layer: Int, kind: AttentionKind) -> AttentionMap? { maps.first { $0.layer == layer && $0.kind == kind } }
    public func queryTokens(_ kind: AttentionKind) -> [String] { sequences[sides[kind]!.queries]! }
    public func keyTokens(_ kind: AttentionKind) -> [String] { sequences[sides[kind]!.keys]! }
}
