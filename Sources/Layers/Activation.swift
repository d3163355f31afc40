import Foundation
import Tensors

/// The activation inside the feed-forward block.
public enum Activation: String, Codable, Sendable {
    case relu, gelu
    /// GELU's tanh approximation (GPT-2's "gelu_new").
    case geluTanh = "gelu_tanh"

    /// The same function, fused into the feed-forward's first linear layer.
    public var fused: LinearActivation {
        switch self {
        case .relu: .relu
        case .gelu: .gelu
        case .geluTanh: .geluTanh
        }
    }
}
