import Tensors

/// The int8 batch-1 kernel alone (`QuantizedMatrix.linear`, one x row, 768 columns): how many
/// weights a second it widens and multiplies on one core with the weights in L2, in L3 and in
/// memory, and on all cores from memory. Set against `memory-bandwidth`, it tells whether generation is bound
/// by the memory or by the kernel's arithmetic on this CPU.
public enum QuantizedKernelRate {
    /// G weights/s: the median of 5 timed passes of `repeats` products each, after one untimed.
    static func rate(rows: Int, cores: Int, columns: Int = 768) -> Double {
        var generator = RandomGenerator(seed: 1)
        let matrix = QuantizedMatrix(quantizing: Tensor.randn([rows, columns], std: 0.02, generator: &generator), as: .int8)
        let x = Tensor.randn([columns], generator: &generator), out = Tensor(zeros: [rows])
        // About 1 G weights a pass.
        let repeats = Swift.max(1, (1 << 30) / (rows * columns))
        let pass = {
            timeSeconds {
                for _ in 0..<repeats { matrix.linear(x.data, m: 1, rows: 0..<rows, bias: nil, into: out.data, cores: cores) }
            }
        }
        _ = pass()
        let seconds = median((0..<5).map { _ in pass() })
        precondition(out.scalars.allSatisfy(\.isFinite), "the products were not computed")
        return Double(rows * columns * repeats) / seconds / 1e9
    }

    public static var benchmark: BenchmarkCase {
        BenchmarkCase(name: "int8-kernel",
                      summary: "the int8 batch-1 kernel (\(QuantizedMatrix.isaName)), 768 columns: G weights/s on one core from L2, L3 and memory, on every core from memory") {
            [
                Figure(name: "int8-kernel-one-core-l2", value: rate(rows: 256, cores: 1), unit: "G weights/s"),
                Figure(name: "int8-kernel-one-core-l3", value: rate(rows: 3_072, cores: 1), unit: "G weights/s"),
                Figure(name: "int8-kernel-one-core-memory", value: rate(rows: 50_257, cores: 1), unit: "G weights/s"),
                Figure(name: "int8-kernel-all-cores-memory", value: rate(rows: 50_257, cores: Parallel.cores), unit: "G weights/s"),
            ]
        }
    }
}
