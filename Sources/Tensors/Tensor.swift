import Foundation

/// A dense, contiguous, row-major Float32 tensor that records the operations made on it, so
/// gradients can flow back through them (reverse-mode autodiff, see `Autograd.swift`).
///
/// `reshape` shares storage; every other op writes a fresh contiguous result. Transposes that
/// feed a matrix product are expressed with BLAS flags (`matmul(transposeA:transposeB:)`), not copies.
public final class Tensor: @unchecked Sendable {
    public let shape: [Int]
    public internal(set) var storage: Storage
    /// Whether gradients are wanted for this tensor (parameters) or flow through it (results).
    public var requiresGrad: Bool
    /// The accumulated gradient of a leaf that requires it, after `backward()`.
    public var grad: Tensor?
    /// How this tensor was computed, when it was computed with gradients enabled.
    var node: Node?
    /// The int8 or bf16 form of a weight matrix whose `data` holds its dequantized values (or will,
    /// when first read: `takeValues(from:)`): products and row lookups without gradients read it
    /// instead (`Tensor.linear`, `gatherRows`).
    public var quantized: QuantizedMatrix? {
        willSet { if valuesDeferred { writeDeferredValues() } }
    }
    /// Whether `storage` still waits for `quantized`'s values (`takeValues(from:)`).
    public private(set) var valuesDeferred = false

    public var count: Int { storage.count }
    public var rank: Int { shape.count }
    /// Pointer to the first element.
    @inlinable @inline(__always) public var data: UnsafeMutablePointer<Float> {
        if _slowPath(valuesDeferred) { writeDeferredValues() }
        return storage.base
    }
    /// `storage` with every value in it, for a view that shares it.
    var settledStorage: Storage {
        _ = data
        return storage
    }

    public init(storage: Storage, shape: [Int], requiresGrad: Bool = false) {
        precondition(shape.reduce(1, *) == storage.count, "shape \(shape) does not match \(storage.count) elements")
        self.storage = storage
        self.shape = shape
        self.requiresGrad = requiresGrad
    }

    /// A tensor whose elements the caller will write.
    public convenience init(uninitialized shape: [Int]) {
        self.init(storage: Storage(uninitialized: shape.reduce(1, *)), shape: shape)
    }

    public convenience init(zeros shape: [Int], requiresGrad: Bool = false) {
        self.init(storage: Storage(repeating: 0, count: shape.reduce(1, *)), shape: shape, requiresGrad: requiresGrad)
    }

    public convenience init(repeating value: Float, shape: [Int], requiresGrad: Bool = false) {
        self.init(storage: Storage(repeating: value, count: shape.reduce(1, *)), shape: shape, requiresGrad: requiresGrad)
    }

    public convenience init(_ values: [Float], shape: [Int], requiresGrad: Bool = false) {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values do not fill shape \(shape)")
        let s = Storage(uninitialized: values.count)
        values.withUnsafeBufferPointer { s.base.update(from: $0.baseAddress!, count: values.count) }
        self.init(storage: s, shape: shape, requiresGrad: requiresGrad)
    }

    /// A rank-0 tensor.
    public convenience init(scalar: Float) { self.init([scalar], shape: []) }

    /// Set while building a model whose every value a weights file will replace: `randn` and
    /// `uniform` then draw nothing and write nothing, so a quantized model's matrices never hold
    /// fp32 values at all (large ones get reserved storage, `Storage(reserving:)`).
    @TaskLocal public static var valuesWillBeLoaded = false

    /// Zeros standing in for drawn values that will be loaded (`valuesWillBeLoaded`).
    private static func placeholder(_ shape: [Int], requiresGrad: Bool) -> Tensor {
        let count = shape.reduce(1, *)
        return Tensor(storage: count >= 1024 ? Storage(reserving: count) : Storage(repeating: 0, count: count), shape: shape,
                      requiresGrad: requiresGrad)
    }

    /// Elements drawn from N(0, std²) with a seeded generator.
    public static func randn(_ shape: [Int], std: Float = 1, generator: inout RandomGenerator, requiresGrad: Bool = false) -> Tensor {
        if valuesWillBeLoaded { return placeholder(shape, requiresGrad: requiresGrad) }
        let t = Tensor(uninitialized: shape)
        for i in 0..<t.count { t.data[i] = generator.nextNormal() * std }
        t.requiresGrad = requiresGrad
        return t
    }

    /// Elements drawn from U(lo, hi) with a seeded generator.
    public static func uniform(_ shape: [Int], _ lo: Float, _ hi: Float, generator: inout RandomGenerator, requiresGrad: Bool = false) -> Tensor {
        if valuesWillBeLoaded { return placeholder(shape, requiresGrad: requiresGrad) }
        let t = Tensor(uninitialized: shape)
        for i in 0..<t.count { t.data[i] = lo + (hi - lo) * generator.nextFloat() }
        t.requiresGrad = requiresGrad
        return t
    }

    /// The elements as an array (a copy).
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

    /// The single element of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "item of a tensor with \(count) elements")
        return data[0]
    }

    public subscript(flat i: Int) -> Float {
        get { data[i] }
        set { data[i] = newValue }
    }

    /// A copy that shares nothing and records nothing.
    public func copy() -> Tensor {
        let t = Tensor(uninitialized: shape)
        t.data.update(from: data, count: count)
        return t
    }

    /// The same values, cut from the graph (no gradient flows through).
    public func detached() -> Tensor { Tensor(storage: settledStorage, shape: shape) }

    /// Overwrites this tensor's elements with `other`'s (same count); not recorded. A quantized
    /// form no longer matches the new values and is dropped.
    public func assign(_ other: Tensor) {
        precondition(other.count == count, "assign: \(other.shape) into \(shape)")
        if other !== self { valuesDeferred = false }  // overwritten, not written first
        data.update(from: other.data, count: count)
        quantized = nil
    }

    /// Overwrites every element with what `write` puts at the pointer it is given (room for
    /// `count` values, each of which it must write); not recorded. As `assign`, drops a quantized
    /// form. Loading writes a file's values this way, with no tensor in between.
    public func assign(writing write: (UnsafeMutablePointer<Float>) throws -> Void) rethrows {
        valuesDeferred = false  // overwritten, not written first
        quantized = nil
        try write(storage.base)
    }

    /// Makes `matrix` this tensor's values without an fp32 copy: the products and row lookups that
    /// read quantized matrices need none, so a quantized model costs its int8 or bf16 bytes. The
    /// first reader of `data` (any other operation) writes the copy then.
    public func takeValues(from matrix: QuantizedMatrix) {
        precondition([matrix.rows, matrix.cols] == shape, "a \(matrix.rows)×\(matrix.cols) matrix for a tensor of shape \(shape)")
        valuesDeferred = false  // earlier deferred values are replaced, not written
        quantized = matrix
        storage = Storage(reserving: count)
        valuesDeferred = true
    }

    private static let deferredValuesLock = NSLock()

    /// Writes `quantized`'s values into `storage`, once, whichever thread reads `data` first.
    @usableFromInline @inline(never) func writeDeferredValues() {
        Self.deferredValuesLock.lock()
        defer { Self.deferredValuesLock.unlock() }
        guard valuesDeferred, let matrix = quantized else { return }
        matrix.dequantizeRows(0..<matrix.rows, into: storage.base)
        valuesDeferred = false
    }

    /// Size of dimension `d` (negative counts from the end).
    public func size(_ d: Int) -> Int { shape[d < 0 ? shape.count + d : d] }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        return "Tensor(\(shape), [\(shown)\(count > 8 ? ", …" : "")])"
    }
}

@inline(__always) func product(_ dims: ArraySlice<Int>) -> Int { dims.reduce(1, *) }
@inline(__always) func product(_ dims: [Int]) -> Int { dims.reduce(1, *) }
