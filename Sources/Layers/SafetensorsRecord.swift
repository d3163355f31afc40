import Foundation
import Tensors

/// One tensor of a safetensors file being written: its name, the dtype it is stored in and where
/// its elements come from — an fp32 tensor (narrowed to F16 or BF16 when asked), or bytes already
/// in the stored dtype (a quantized matrix's int8 or bf16 elements and its scales).
public struct SafetensorsRecord {
    /// Where the elements come from.
    public enum Payload {
        case tensor(Tensor)
        /// Little-endian elements.
        case bytes([UInt8])
    }

    public let name: String
    public let dtype: SafetensorsDType
    public let shape: [Int]
    public let payload: Payload

    /// `tensor` stored as `dtype` (F32, F16 or BF16).
    public init(_ name: String, _ tensor: Tensor, as dtype: SafetensorsDType = .f32) {
        self.name = name
        self.dtype = dtype
        shape = tensor.shape
        payload = .tensor(tensor)
    }

    /// `bytes`, already `dtype` elements of `shape`.
    public init(_ name: String, dtype: SafetensorsDType, shape: [Int], bytes: [UInt8]) {
        precondition(bytes.count == shape.reduce(1, *) * dtype.byteSize, "\(name): \(bytes.count) bytes do not hold \(shape) \(dtype.rawValue)")
        self.name = name
        self.dtype = dtype
        self.shape = shape
        payload = .bytes(bytes)
    }

    /// Bytes in the file's data buffer.
    var byteCount: Int { shape.reduce(1, *) * dtype.byteSize }
}
