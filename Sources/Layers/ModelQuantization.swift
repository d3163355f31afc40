import Foundation
import Tensors

/// Weight-only quantization of a whole model (`zoo quantize`): which matrices are quantized, how
/// a quantized model is saved, and how it is loaded back.
///
/// The matrices are every `Linear`'s weight, attention's packed query/key/value projection and
/// the token embeddings (which the language model and the translators also use as the output
/// projection); layer norms, biases, positions and convolutions stay fp32. In the file an int8
/// matrix `W` is `W` (I8, [rows, cols]) with `W_scale` (F32, [rows]), as compressed-tensors
/// names them; a bf16 matrix is `W` stored as BF16.
public enum ModelQuantization {
    /// The suffix of an int8 matrix's row scales in a weights file.
    public static let scaleSuffix = "_scale"

    /// The matrices quantization applies to, by parameter name.
    public static func targets(of model: some Module) -> [(name: String, tensor: Tensor)] {
        var chosen = Set<ObjectIdentifier>()
        for module in model.modules {
            if let linear = module as? Linear { chosen.insert(ObjectIdentifier(linear.weight)) }
            if let embedding = module as? Embedding { chosen.insert(ObjectIdentifier(embedding.weight)) }
            if let attention = module as? MultiHeadAttention { chosen.insert(ObjectIdentifier(attention.inProjWeight)) }
        }
        return model.namedParameters.filter { chosen.contains(ObjectIdentifier($0.tensor)) && $0.tensor.rank == 2 }
    }

    /// Quantizes `model`'s matrices in place: each takes its quantized form as its values
    /// (`Tensor.takeValues(from:)`), so every path through the model sees the same weights, and
    /// the model computes exactly what it computes once saved and loaded.
    public static func quantize(_ model: some Module, as kind: QuantizedKind) {
        for (_, weight) in targets(of: model) { weight.takeValues(from: QuantizedMatrix(quantizing: weight, as: kind)) }
        releaseCachedBuffers()  // the fp32 values are freed, not kept for reuse
    }

    /// The records that save a quantized `model` (every tensor of its state dict; quantized
    /// matrices in their stored form).
    public static func records(of model: some Module) -> [SafetensorsRecord] {
        var out: [SafetensorsRecord] = []
        for (name, tensor) in model.namedTensors {
            guard let q = tensor.quantized else {
                out.append(SafetensorsRecord(name, tensor))
                continue
            }
            out.append(SafetensorsRecord(name, dtype: q.kind == .int8 ? .i8 : .bf16, shape: [q.rows, q.cols], bytes: q.storedBytes))
            if let scales = q.scales {
                out.append(SafetensorsRecord(name + scaleSuffix, Tensor(Array(UnsafeBufferPointer(start: scales, count: q.rows)), shape: [q.rows])))
            }
        }
        return out
    }

    /// Loads a weights file written by `records(of:)` for `kind` into `model`: the quantized
    /// matrices without fp32 copies (`Tensor.takeValues(from:)`), every other tensor in fp32.
    /// Throws a description naming the file and tensor when one is missing, misshapen or not in
    /// the dtype `kind` needs.
    public static func load(_ file: SafetensorsFile, kind: QuantizedKind, into model: some Module) throws {
        let (weights, matrices) = try read(file, kind: kind)
        try attach(matrices, to: model)
        try model.load(weights, except: Set(matrices.keys))
        // The fp32 values the model was built with are freed, not kept for reuse.
        releaseCachedBuffers()
    }

    /// The file's tensors: fp32 ones by name, for `Module.load`, and quantized matrices by name.
    static func read(_ file: SafetensorsFile, kind: QuantizedKind) throws
        -> (weights: [String: Tensor], matrices: [String: QuantizedMatrix]) {
        var weights: [String: Tensor] = [:], matrices: [String: QuantizedMatrix] = [:]
        for name in file.names {
            let info = try file.info(name)
            switch (kind, info.dtype) {
            case (.int8, .i8):
                func bad(_ reason: String) -> SafetensorsError { .invalidTensorEntry(path: file.path, name: name, reason: reason) }
                guard info.shape.count == 2 else { throw bad("an int8 matrix has 2 dimensions, found shape \(info.shape)") }
                let scaleName = name + scaleSuffix
                guard file.contains(scaleName) else { throw bad("an int8 matrix needs its row scales, \(scaleName), which the file lacks") }
                let scaleInfo = try file.info(scaleName)
                guard scaleInfo.dtype == .f32, scaleInfo.shape == [info.shape[0]] else {
                    throw bad("its scales \(scaleName) must be F32 of shape [\(info.shape[0])], found \(scaleInfo.dtype.rawValue) \(scaleInfo.shape)")
                }
                let scales = try file.tensor(scaleName)
                guard scales.scalars.allSatisfy({ $0.isFinite && $0 >= 0 }) else { throw bad("\(scaleName) holds a negative or non-finite scale") }
                matrices[name] = try file.withBytes(of: name) {
                    QuantizedMatrix(kind: .int8, rows: info.shape[0], cols: info.shape[1], elements: $0.baseAddress!, scales: scales.data)
                }
            case (.int8, .f32) where name.hasSuffix(scaleSuffix) && file.contains(String(name.dropLast(scaleSuffix.count))):
                continue
            case (.bf16, .bf16) where info.shape.count == 2:
                matrices[name] = try file.withBytes(of: name) {
                    QuantizedMatrix(kind: .bf16, rows: info.shape[0], cols: info.shape[1], elements: $0.baseAddress!, scales: nil)
                }
            default:
                weights[name] = try file.tensor(name)
            }
        }
        return (weights, matrices)
    }

    /// Gives `model`'s matrices their quantized forms as their values; throws a description when a
    /// matrix is missing or one has no place in the model.
    static func attach(_ matrices: [String: QuantizedMatrix], to model: some Module) throws {
        var left = matrices
        for (name, weight) in targets(of: model) {
            guard let q = left.removeValue(forKey: name) else { throw StateDictError.notQuantized(name) }
            guard [q.rows, q.cols] == weight.shape else { throw StateDictError.shapeMismatch(name: name, expected: weight.shape, found: [q.rows, q.cols]) }
            weight.takeValues(from: q)
        }
        if !left.isEmpty { throw StateDictError.unexpected(left.keys.sorted()) }
    }
}
