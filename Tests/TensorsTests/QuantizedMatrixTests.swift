import Foundation
import Testing
import Tensors

extension TensorSuite {
    /// Weight-only int8 and bf16 matrices: quantization's error bound, the stored form's round
    /// trip, and every instruction set's kernel against the sums written out in Double.
    @Suite struct QuantizedMatrices {
        func random(_ shape: [Int], seed: UInt64) -> Tensor {
            var g = RandomGenerator(seed: seed)
            return .randn(shape, generator: &g)
        }

        @Test func int8KeepsEachElementWithinHalfAStepOfItsRow() {
            let w = random([13, 37], seed: 1)
            w.data[5] = 0  // a zero stays zero
            for c in 0..<37 { w.data[2 * 37 + c] = 0 }  // a zero row has scale 0
            let q = QuantizedMatrix(quantizing: w, as: .int8)
            let back = q.dequantized()
            for r in 0..<13 {
                let row = (0..<37).map { w.data[r * 37 + $0] }
                let scale = row.map(abs).max()! / 127
                #expect(q.scales![r] == scale)
                for c in 0..<37 {
                    #expect(abs(back.data[r * 37 + c] - row[c]) <= scale / 2 * 1.0001, "(\(r), \(c))")
                }
            }
            #expect(back.data[5] == 0 && (0..<37).allSatisfy { back.data[2 * 37 + $0] == 0 })
        }

        @Test func bf16RoundsToNearestEven() {
            let values: [Float] = [1, 1 + 1.0 / 256, 1 + 3.0 / 512, -2.5, 3.0e-30, 65504, Float(bitPattern: 0x3F80_8000), Float(bitPattern: 0x3F81_8000)]
            let w = Tensor(values, shape: [2, 4])
            let back = QuantizedMatrix(quantizing: w, as: .bf16).dequantized().scalars
            // Ties go to the even pattern: 0x3F808000 down to 0x3F80, 0x3F818000 up to 0x3F82.
            #expect(back[6] == Float(bitPattern: 0x3F80_0000) && back[7] == Float(bitPattern: 0x3F82_0000))
            for (v, b) in zip(values, back) { #expect(abs(v - b) <= abs(v) / 256, "\(v) → \(b)") }
        }

        @Test(arguments: QuantizedKind.allCases)
        func storedBytesReadBackToTheSameMatrix(kind: QuantizedKind) {
            let w = random([9, 21], seed: 2)
            let q = QuantizedMatrix(quantizing: w, as: kind)
            let bytes = q.storedBytes
            #expect(bytes.count == 9 * 21 * kind.byteSize)
            let back = bytes.withUnsafeBytes { raw in
                q.scales.map { s in
                    QuantizedMatrix(kind: kind, rows: 9, cols: 21, elements: raw.baseAddress!, scales: s)
                } ?? QuantizedMatrix(kind: kind, rows: 9, cols: 21, elements: raw.baseAddress!, scales: nil)
            }
            #expect(back.dequantized().scalars == q.dequantized().scalars)
            // Row-major, as a file stores them: element (1, 0) is row 1's first.
            if kind == .int8 {
                let s = q.scales![1]
                #expect(Float(Int8(bitPattern: bytes[21])) * s == q.dequantized().data[21])
            }
        }

        /// Dequantized values are scale · q (int8) or the bf16 bits widened, exactly, for whole
        /// chunks of 16 columns and the ragged tail alike, and for any range of rows.
        @Test(arguments: QuantizedKind.allCases)
        func dequantizedValuesAreExactlyTheStoredOnes(kind: QuantizedKind) {
            for cols in [5, 16, 37, 64] {
                let rows = 7
                let q = QuantizedMatrix(quantizing: random([rows, cols], seed: UInt64(cols)), as: kind)
                let bytes = q.storedBytes
                let expected: [Float] = (0..<rows * cols).map { i in
                    kind == .int8 ? q.scales![i / cols] * Float(Int8(bitPattern: bytes[i]))
                        : Float(bitPattern: UInt32(bytes[2 * i]) << 16 | UInt32(bytes[2 * i + 1]) << 24)
                }
                #expect(q.dequantized().scalars.map(\.bitPattern) == expected.map(\.bitPattern), "\(cols) columns")
                var part = [Float](repeating: .nan, count: 3 * (cols + 2))
                part.withUnsafeMutableBufferPointer { q.dequantizeRows(3..<6, into: $0.baseAddress!, leading: cols + 2) }
                for r in 0..<3 {
                    #expect(Array(part[r * (cols + 2)..<r * (cols + 2) + cols]).map(\.bitPattern)
                            == Array(expected[(3 + r) * cols..<(4 + r) * cols]).map(\.bitPattern))
                    #expect(part[r * (cols + 2) + cols].isNaN, "nothing written past a row")
                }
            }
        }

        /// Every path this CPU runs (scalar, AVX2, AVX-512), odd shapes and batches, with and
        /// without bias, whole and from the second panel on.
        @Test(arguments: QuantizedKind.allCases)
        func kernelsAgreeWithTheSumsInDouble(kind: QuantizedKind) {
            var g = RandomGenerator(seed: 3)
            for trial in 0..<40 {
                let rows = 1 + Int(g.next() % 23), cols = 1 + Int(g.next() % 90), m = 1 + Int(g.next() % 9)
                let w = random([rows, cols], seed: 100 + UInt64(trial)), x = random([m, cols], seed: 200 + UInt64(trial))
                let bias = trial % 2 == 0 ? random([rows], seed: 300 + UInt64(trial)) : nil
                let q = QuantizedMatrix(quantizing: w, as: kind)
                let dq = q.dequantized()
                let first = rows > QuantizedMatrix.panelRows && trial % 3 == 0 ? QuantizedMatrix.panelRows : 0
                let n = rows - first
                for isa in 0...QuantizedMatrix.bestISA {
                    let out = Tensor(repeating: .nan, shape: [m, n])
                    x.data.withMemoryRebound(to: Float.self, capacity: m * cols) { xp in
                        q.linear(xp, m: m, rows: first..<rows, bias: bias.map { UnsafePointer($0.data + first) }, into: out.data, isa: isa)
                    }
                    for i in 0..<m {
                        for j in 0..<n {
                            var sum = Double(bias?.data[first + j] ?? 0)
                            for c in 0..<cols { sum += Double(dq.data[(first + j) * cols + c]) * Double(x.data[i * cols + c]) }
                            let got = Double(out.data[i * n + j])
                            #expect(abs(got - sum) <= 1e-5 * (1 + abs(sum)), "isa \(isa) \(rows)×\(cols) m \(m) (\(i), \(j)): \(got) vs \(sum)")
                        }
                    }
                }
            }
        }

        /// A tensor that takes a quantized matrix's values keeps no fp32 copy: row lookups and
        /// products of every batch size read the matrix (larger batches through OpenBLAS on
        /// blocks of dequantized rows) and give what the fp32 copy gives, the lookups and small
        /// batches bit for bit, the blocks up to the order of OpenBLAS's sums; any other reader of
        /// `data` writes the copy then.
        @Test(arguments: QuantizedKind.allCases)
        func aTensorCanHoldOnlyItsQuantizedForm(kind: QuantizedKind) {
            let rows = 70, cols = 2100
            let q = QuantizedMatrix(quantizing: random([rows, cols], seed: 12), as: kind)
            let b = random([rows], seed: 13)
            let copied = q.dequantized()
            copied.quantized = q
            let absolute = Tensor(copied.scalars.map(Swift.abs), shape: copied.shape)
            let deferred = Tensor(zeros: [rows, cols])
            deferred.takeValues(from: q)
            #expect(deferred.valuesDeferred)
            withoutGradients {
                for m in [1, 5, QuantizedMatrix.largestBatch + 1, 40] {
                    let x = random([m, cols], seed: 20 + UInt64(m))
                    for range in [nil, 8..<rows, 3..<50] as [Range<Int>?] {
                        for bias in [b, nil] {
                            let got = Tensor.linear(x, weight: deferred, bias: bias, rows: range, activation: .gelu).scalars
                            let want = Tensor.linear(x, weight: copied, bias: bias, rows: range, activation: .gelu).scalars
                            let kernels = m <= QuantizedMatrix.largestBatch && (range?.lowerBound ?? 0) % QuantizedMatrix.panelRows == 0
                            // Another order of the sums: within a few roundings of Σ|w·x|.
                            let magnitudes = Tensor.linear(Tensor(x.scalars.map(Swift.abs), shape: x.shape), weight: absolute,
                                                           bias: nil, rows: range).scalars
                            let worst = zip(zip(got, want), magnitudes).map { abs($0.0 - $0.1) / (1e-6 * (1 + $1)) }.max()!
                            #expect(kernels ? got.map(\.bitPattern) == want.map(\.bitPattern) : worst <= 1,
                                    "m \(m) rows \(String(describing: range)) bias \(bias != nil): \(worst)")
                        }
                    }
                }
                // Blocks of 16 rows: several a core, and a ragged last one.
                for range in [0..<rows, 3..<50] {
                    let x = random([40, cols], seed: 30)
                    var blocks = [Float](repeating: .nan, count: 40 * range.count), whole = blocks
                    q.linearThroughBlocks(x.data, m: 40, rows: range, accumulate: false, into: &blocks, blockFloats: 16 * cols)
                    q.linearThroughBlocks(x.data, m: 40, rows: range, accumulate: false, into: &whole)
                    let worst = zip(blocks, whole).map { abs($0 - $1) / (1e-6 * (1 + abs($1))) }.max()!
                    #expect(blocks.allSatisfy(\.isFinite) && worst <= 50, "rows \(range): \(worst)")
                }
                let ids: [Int32] = [3, 69, 0, 3]
                #expect(deferred.gatherRows(ids, shape: [2, 2]).scalars == copied.gatherRows(ids, shape: [2, 2]).scalars)
            }
            #expect(deferred.valuesDeferred, "nothing above needed the fp32 copy")
            // A view, then any other reader, writes it.
            #expect(deferred.reshaped([cols, rows]).scalars == copied.scalars)
            #expect(!deferred.valuesDeferred && deferred.quantized === q)
            #expect(deferred.scalars == copied.scalars)
            // New values replace deferred ones (and the quantized form).
            deferred.takeValues(from: q)
            let other = random([rows, cols], seed: 14)
            deferred.assign(other)
            #expect(!deferred.valuesDeferred && deferred.quantized == nil && deferred.scalars == other.scalars)
        }

        /// `Tensor.linear` reads the quantized form only without gradients and at small batch;
        /// otherwise it is the fp32 product of the dequantized values, bit for bit.
        @Test func linearUsesTheQuantizedFormOnlyWhenNothingIsRecorded() {
            let w = random([24, 32], seed: 4), b = random([24], seed: 5)
            let q = QuantizedMatrix(quantizing: w, as: .int8)
            q.dequantize(into: w.data)
            let plain = Tensor(w.scalars, shape: w.shape)
            w.quantized = q
            for m in [1, 3, QuantizedMatrix.largestBatch, QuantizedMatrix.largestBatch + 1] {
                let x = random([m, 32], seed: 6 + UInt64(m))
                let reference = Tensor.linear(x, weight: plain, bias: b)
                let quantized = withoutGradients { Tensor.linear(x, weight: w, bias: b, activation: .relu) }
                let relu = reference.scalars.map { max(0, $0) }
                for (a, e) in zip(quantized.scalars, relu) { #expect(abs(a - e) <= 1e-5 * (1 + abs(e))) }
                if m > QuantizedMatrix.largestBatch {
                    #expect(withoutGradients { Tensor.linear(x, weight: w, bias: b) }.scalars == reference.scalars)
                }
                // Rows from a panel boundary: the packed query projection of attention.
                let part = withoutGradients { Tensor.linear(x, weight: w, bias: b, rows: 8..<24) }.scalars
                let whole = reference.scalars
                for i in 0..<m { for j in 0..<16 { #expect(abs(part[i * 16 + j] - whole[i * 24 + 8 + j]) <= 1e-5 * (1 + abs(whole[i * 24 + 8 + j]))) } }
            }
            // With gradients recorded, the fp32 path: bit for bit the plain product.
            let x = random([2, 32], seed: 9)
            #expect(Tensor.linear(x, weight: w, bias: b).scalars == Tensor.linear(x, weight: plain, bias: b).scalars)
            // New values drop the quantized form.
            w.assign(plain)
            #expect(w.quantized == nil)
        }
    }
}
