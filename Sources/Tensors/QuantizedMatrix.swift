import CQuant
import Foundation

/// How a quantized matrix stores its elements.
public enum QuantizedKind: String, Sendable, CaseIterable {
    /// Symmetric int8, one fp32 scale per row: w ≈ scale · q, scale = max|row| / 127.
    case int8
    /// bfloat16: fp32's top 16 bits, rounded to nearest even.
    case bf16

    /// Bytes per element.
    public var byteSize: Int { self == .int8 ? 1 : 2 }
}

/// A weight matrix [rows, cols] in int8 or bf16, read by products that widen it to fp32 in
/// registers (`Sources/CQuant`): at batch 1 a layer's time is spent reading its weights, so
/// reading 1 or 2 bytes an element instead of 4 is the speed-up. Activations stay fp32.
///
/// A `Tensor` carries one as `quantized`. A quantized model's tensors take it as their values
/// (`Tensor.takeValues(from:)`): products of any batch and row lookups read it, and the fp32
/// values are written only for an operation that reads `data`, so the paths agree up to the
/// order of the sums.
public final class QuantizedMatrix: @unchecked Sendable {
    public let kind: QuantizedKind
    public let rows: Int
    public let cols: Int
    /// The elements packed for the kernels (`index(_:_:)`), padded with zeros, 64-byte aligned.
    let elements: UnsafeMutableRawPointer
    /// One per row (int8); nil for bf16.
    public let scales: UnsafeMutablePointer<Float>?

    /// Batches of at most this many rows go through the quantized kernels; larger ones (prompts,
    /// beams, batches of images) through OpenBLAS on dequantized rows (`linearThroughBlocks`),
    /// which is faster once the product is bound by arithmetic rather than by reading the weights.
    public static let largestBatch = 16

    /// The instruction set the kernels use: the widest this CPU runs, unless `ZOO_KERNELS` names
    /// a narrower one (`avx2`, `scalar`) to compare paths on one machine.
    public static let isa: Int32 = {
        let best = zoo_quant_best_isa()
        switch ProcessInfo.processInfo.environment["ZOO_KERNELS"]?.lowercased() {
        case "scalar": return min(best, Int32(ZOO_ISA_SCALAR.rawValue))
        case "avx2": return min(best, Int32(ZOO_ISA_AVX2.rawValue))
        default: return best
        }
    }()

    /// The widest path this CPU runs (`isa` unless `ZOO_KERNELS` narrows it).
    public static var bestISA: Int32 { zoo_quant_best_isa() }

    /// The name of `isa` for reports.
    public static var isaName: String {
        switch isa {
        case Int32(ZOO_ISA_AVX512.rawValue): return "AVX-512"
        case Int32(ZOO_ISA_AVX2.rawValue): return "AVX2"
        default: return "scalar"
        }
    }

    private init(kind: QuantizedKind, rows: Int, cols: Int) {
        self.kind = kind
        self.rows = rows
        self.cols = cols
        let bytes = max(1, zoo_quant_packed_count(rows, cols) * kind.byteSize)
        // Large matrices on 2 MiB pages where the kernel allows it: a token streams through all
        // of them, and with 4 KiB pages every 4 KiB of weights costs a TLB miss.
        let huge = 2 << 20
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, bytes >= huge ? huge : 64, bytes) == 0, let raw else {
            fatalError("out of memory allocating a \(rows)×\(cols) \(kind.rawValue) matrix")
        }
        #if os(Linux)
        if bytes >= huge { _ = madvise(raw, (bytes + huge - 1) / huge * huge, MADV_HUGEPAGE) }
        #endif
        memset(raw, 0, bytes)  // the padding rows and columns
        elements = raw
        scales = kind == .int8 ? .allocate(capacity: max(1, rows)) : nil
    }

    deinit {
        free(elements)
        scales?.deallocate()
    }

    /// Where element (r, c) is in `elements` (in elements): the kernels' packing in panels of 4
    /// rows by chunks of 16 columns (`zoo_quant.h`).
    @inline(__always) func index(_ r: Int, _ c: Int) -> Int { zoo_quant_packed_index(r, c, cols) }

    /// Quantizes the matrix `weight` [rows, cols].
    public convenience init(quantizing weight: Tensor, as kind: QuantizedKind) {
        precondition(weight.rank == 2, "quantize: a matrix is needed, not shape \(weight.shape)")
        self.init(kind: kind, rows: weight.shape[0], cols: weight.shape[1])
        let n = cols, w = weight.data
        switch kind {
        case .int8:
            let q = elements.assumingMemoryBound(to: Int8.self), scales = scales!
            Parallel.forRows(rows, rowCost: n) { r in
                let row = w + r * n
                var largest: Float = 0
                for c in 0..<n { largest = Swift.max(largest, abs(row[c])) }
                let scale = largest / 127
                scales[r] = scale
                let inverse = scale > 0 ? 1 / scale : 0
                for c in 0..<n { q[self.index(r, c)] = Int8(Swift.max(-127, Swift.min(127, (row[c] * inverse).rounded()))) }
            }
        case .bf16:
            let h = elements.assumingMemoryBound(to: UInt16.self)
            Parallel.forRows(rows, rowCost: n) { r in
                for c in 0..<n { h[self.index(r, c)] = Self.bfloat16(w[r * n + c]) }
            }
        }
    }

    /// A matrix from stored elements (row-major, little-endian int8 or bf16 bits) and, for int8,
    /// the row scales.
    public convenience init(kind: QuantizedKind, rows: Int, cols: Int, elements source: UnsafeRawPointer, scales: UnsafePointer<Float>?) {
        precondition((kind == .int8) == (scales != nil), "int8 needs scales; bf16 has none")
        self.init(kind: kind, rows: rows, cols: cols)
        let n = cols
        switch kind {
        case .int8:
            let q = elements.assumingMemoryBound(to: Int8.self)
            Parallel.forRows(rows, rowCost: n) { r in
                for c in 0..<n { q[self.index(r, c)] = source.load(fromByteOffset: r * n + c, as: Int8.self) }
            }
        case .bf16:
            let h = elements.assumingMemoryBound(to: UInt16.self)
            Parallel.forRows(rows, rowCost: n) { r in
                for c in 0..<n { h[self.index(r, c)] = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * (r * n + c), as: UInt16.self)) }
            }
        }
        if let scales { self.scales!.update(from: scales, count: rows) }
    }

    /// Bytes the elements (and scales) take, padding left out: what a product at batch 1 reads.
    public var byteCount: Int { rows * cols * kind.byteSize + (scales == nil ? 0 : rows * 4) }

    /// The elements row-major and little-endian, as a file stores them.
    public var storedBytes: [UInt8] {
        let n = cols, size = kind.byteSize
        var out = [UInt8](repeating: 0, count: rows * n * size)
        out.withUnsafeMutableBytes { dst in
            let dst = dst.baseAddress!
            for r in 0..<rows {
                for c in 0..<n {
                    if size == 1 {
                        dst.storeBytes(of: elements.load(fromByteOffset: index(r, c), as: UInt8.self), toByteOffset: r * n + c, as: UInt8.self)
                    } else {
                        let bits = elements.load(fromByteOffset: 2 * index(r, c), as: UInt16.self)
                        dst.storeBytes(of: bits.littleEndian, toByteOffset: 2 * (r * n + c), as: UInt16.self)
                    }
                }
            }
        }
        return out
    }

    /// The fp32 values this matrix stands for, written to `destination` (rows·cols, row-major).
    public func dequantize(into destination: UnsafeMutablePointer<Float>) {
        Parallel.forRows(rows, rowCost: cols) { r in self.dequantizeRows(r..<r + 1, into: destination + r * self.cols) }
    }

    /// The fp32 values of `range`'s rows, row i of the range at `destination + i · leading`; on
    /// this thread alone (it may be called from inside a parallel loop).
    public func dequantizeRows(_ range: Range<Int>, into destination: UnsafeMutablePointer<Float>, leading: Int? = nil) {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) of a matrix of \(rows)")
        zoo_quant_dequantize(cKind, elements, cols, scales, range.lowerBound, range.upperBound, destination, leading ?? cols)
    }

    /// The fp32 values as a tensor [rows, cols].
    public func dequantized() -> Tensor {
        let t = Tensor(uninitialized: [rows, cols])
        dequantize(into: t.data)
        return t
    }

    private var cKind: Int32 { Int32(kind == .int8 ? ZOO_QUANT_INT8.rawValue : ZOO_QUANT_BF16.rawValue) }

    /// Rows in a panel: a product over a range of rows must start at a multiple of it.
    public static let panelRows = Int(ZOO_QUANT_PANEL_ROWS)

    /// out[i, j] = bias[j] + Σ_c w[rows.lowerBound + j, c] · x[i, c] for the `m` rows of `x`
    /// [m, cols]; out is [m, rows.count]; `rows` starts at a multiple of `panelRows`. The panels
    /// are split across up to `cores` cores. `isa` picks a narrower path than the CPU's best (tests
    /// compare them).
    public func linear(_ x: UnsafePointer<Float>, m: Int, rows range: Range<Int>, bias: UnsafePointer<Float>?,
                       into out: UnsafeMutablePointer<Float>, isa: Int32 = QuantizedMatrix.isa, cores: Int = Parallel.cores) {
        precondition(range.lowerBound % Self.panelRows == 0 && range.upperBound <= rows, "quantized rows \(range) do not start a panel")
        let n = range.count, k = cols, size = kind.byteSize, panel = Self.panelRows, cKind = cKind
        let panels = (n + panel - 1) / panel
        // Enough chunks to even out the cores, each large enough to be worth a hand-off.
        let chunks = Swift.max(1, Swift.min(cores, panels, n * k * size / 65536))
        let perChunk = (panels + chunks - 1) / chunks * panel
        Parallel.perform(iterations: chunks) { c in
            let lo = c * perChunk, hi = Swift.min(n, lo + perChunk)
            guard lo < hi else { return }
            let row = range.lowerBound + lo
            zoo_quant_linear(cKind, isa, m, hi - lo, k, x, k, self.elements + self.index(row, 0) * size,
                             self.scales.map { UnsafePointer($0 + row) }, bias.map { $0 + lo }, out + lo, n)
        }
    }

    /// The product of `linear` for batches of any size, through OpenBLAS: each core takes an equal
    /// share of the rows and dequantizes them, `blockFloats` (1 MiB) at a time, into a pooled
    /// buffer that OpenBLAS multiplies, so no fp32 copy of the whole matrix is kept. OpenBLAS packs
    /// x again for every call, so blocks are large: smaller ones (256 KiB) made `zoo eval` of an
    /// int8 language model 13 % slower. `out` [m, rows.count] already holds the bias when `accumulate`.
    public func linearThroughBlocks(_ x: UnsafePointer<Float>, m: Int, rows range: Range<Int>, accumulate: Bool,
                                    into out: UnsafeMutablePointer<Float>, blockFloats: Int = 1 << 18) {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) of a matrix of \(rows)")
        let n = range.count, k = Swift.max(1, cols)
        let workers = Swift.max(1, Swift.min(Parallel.cores, n / 16))
        let share = (n + workers - 1) / workers
        let blockRows = Swift.max(1, Swift.min(share, blockFloats / k))
        Parallel.perform(iterations: workers) { worker in
            let start = worker * share, end = Swift.min(n, start + share)
            guard start < end else { return }
            let buffer = Storage(uninitialized: Swift.min(blockRows, end - start) * k)
            for lo in stride(from: start, to: end, by: blockRows) {
                let hi = Swift.min(end, lo + blockRows)
                self.dequantizeRows(range.lowerBound + lo..<range.lowerBound + hi, into: buffer.base)
                gemm(transposeB: true, m: m, n: hi - lo, k: k, x, lda: k, buffer.base, ldb: k, beta: accumulate ? 1 : 0,
                     out + lo, ldc: n, split: false)
            }
        }
    }

    /// `value` rounded to the nearest bfloat16 (ties to even), as its 16 bits.
    static func bfloat16(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        guard !value.isNaN else { return UInt16(bits >> 16) | 0x40 }
        return UInt16((bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    }
}
